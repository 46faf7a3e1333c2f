"""The Wikidata IDs we write, their labels and the property constraints an upload must meet.

The table (``reference.tsv`` beside this module, shipped in the wheel) copies from
``../shared/reference/wikidata-ids.tsv`` the items and properties the Wikidata view and the
QuickStatements use, with their labels, so the served view can label every ``wd:`` class
item without the shared folder, and adds per property the constraints checked before a
statement is offered for upload: an editor (and Wikidata's constraint reports) rejects
``Q406 P131 Q43`` because "located in the administrative territorial entity" never takes a
country. Types are our own classes, because the value items' Wikidata classes are only known
online; our class of a linked entity is what the curator matched it by.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import URIRef

from peacekg.namespaces import PKG

__all__ = ["Constraint", "ReferenceTable", "parse_table", "reference_table"]

_TABLE = "reference.tsv"


@dataclass(frozen=True)
class Constraint:
    """What one property accepts in an upload (empty type sets: any type)."""

    pid: str
    subject_types: frozenset[URIRef] = frozenset()
    value_types: frozenset[URIRef] = frozenset()
    value_not: frozenset[URIRef] = frozenset()
    single_value: bool = False
    qualifiers: frozenset[str] = frozenset()

    def violations(
        self,
        subject_types: Iterable[URIRef],
        value_types: Iterable[URIRef] | None,
        qualifiers: Iterable[str],
    ) -> list[str]:
        """Why a statement breaks this constraint (empty: it does not).

        ``value_types`` is None for a value that is no item (a date, a string).
        """
        problems: list[str] = []
        subject = set(subject_types)
        if self.subject_types and not subject & self.subject_types:
            problems.append(f"{self.pid} subject must be a {_names(self.subject_types)}")
        if value_types is not None:
            value = set(value_types)
            if self.value_types and not value & self.value_types:
                problems.append(f"{self.pid} value must be a {_names(self.value_types)}")
            if value & self.value_not:
                problems.append(f"{self.pid} value must not be a {_names(value & self.value_not)}")
        extra = sorted(set(qualifiers) - self.qualifiers)
        if extra:
            problems.append(f"{self.pid} does not take the qualifier(s) {', '.join(extra)}")
        return problems


def _names(classes: Iterable[URIRef]) -> str:
    return " or ".join(sorted(f"pkg:{str(c)[len(str(PKG)) :]}" for c in classes))


@dataclass(frozen=True)
class ReferenceTable:
    """Labels of the IDs we use, and the constraints of the properties we upload."""

    labels: Mapping[str, str]
    constraints: Mapping[str, Constraint]


def _classes(cell: str) -> frozenset[URIRef]:
    found = set()
    for name in cell.split():
        prefix, _, local = name.partition(":")
        if prefix != "pkg" or not local:
            raise ValueError(f"{_TABLE}: {name!r} is not a pkg: class")
        found.add(PKG[local])
    return frozenset(found)


def parse_table(text: str) -> ReferenceTable:
    """Read the table's text (``#`` comment lines, then a header row)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    labels: dict[str, str] = {}
    constraints: dict[str, Constraint] = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        pid = row["id"].strip()
        labels[pid] = row["label"].strip()
        if row["kind"].strip() != "property":
            continue
        constraints[pid] = Constraint(
            pid,
            _classes(row["subject_types"] or ""),
            _classes(row["value_types"] or ""),
            _classes(row["value_not"] or ""),
            (row["single_value"] or "").strip() == "yes",
            frozenset((row["qualifiers"] or "").split()),
        )
    return ReferenceTable(labels, constraints)


@cache
def reference_table() -> ReferenceTable:
    """The table shipped with the package."""
    text = resources.files("peacekg.wikidata").joinpath(_TABLE).read_text(encoding="utf-8")
    return parse_table(text)
