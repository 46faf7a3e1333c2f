"""Each statement we would upload, compared with what Wikidata already holds (issue 15).

An editor rejects a QuickStatements batch that repeats what an item already says, or says it
less precisely ("February 2022" where Wikidata has 24 February 2022). So before export every
candidate statement (:func:`peacekg.wikidata.view.upload`) is classified against the values
the endpoint holds for the same item and property:

- ``already there``: the same value (for a date: the same day at the same precision);
- ``more precise there``: a date whose unit contains a finer value Wikidata holds (for a
  point in time, P585, Wikidata's start time, P580, counts too: an event dated to the day
  by its start needs no month-precision point in time); left out;
- ``conflicting``: another value of a single-value property, or a date outside ours;
  reported, left out, for a curator to look at;
- ``new``: none of these; the only ones exported.

:func:`held_query` asks the endpoint (full statements with their time precision, and truthy
``wdt:`` values); :func:`compare` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef

from peacekg.namespaces import PS, PSV, WD, WDP, WDT, WIKIBASE
from peacekg.wikidata.client import WikidataClient
from peacekg.wikidata.constraints import reference_table
from peacekg.wikidata.view import (
    DAY,
    MONTH,
    YEAR,
    SomeValue,
    Statement,
    TimeValue,
    Upload,
    Value,
    WikidataModel,
    upload,
)

__all__ = [
    "ALREADY_THERE",
    "CONFLICTING",
    "MORE_PRECISE_THERE",
    "NEW",
    "Comparison",
    "Held",
    "checked_upload",
    "compare",
    "describe",
    "held_query",
    "parse_held",
    "write_checked_quickstatements",
]

NEW, ALREADY_THERE, MORE_PRECISE_THERE, CONFLICTING = (
    "new",
    "already there",
    "more precise there",
    "conflicting",
)
#: For a point in time, the properties whose values say the same day or a finer one.
_SAME_DATE = {"P585": ("P585", "P580")}


@dataclass(frozen=True)
class Held:
    """One value Wikidata holds: item, property, value (an IRI, a literal or a time)."""

    qid: str
    pid: str
    value: URIRef | Literal | TimeValue


@dataclass(frozen=True)
class Comparison:
    """One candidate statement, how it stands against Wikidata, and the value that decided."""

    statement: Statement
    status: str
    held: Held | None = None


def _qid(node: URIRef) -> str | None:
    text = str(node)
    return text[len(str(WD)) :] if text.startswith(str(WD)) else None


def held_query(statements: Sequence[Statement]) -> str:
    """The values Wikidata holds for the items and properties of ``statements``."""
    pairs: set[tuple[str, str]] = set()
    for statement in statements:
        qid = _qid(statement.subject)
        if qid is not None:
            for pid in _SAME_DATE.get(statement.pid, (statement.pid,)):
                pairs.add((qid, pid))
    rows = " ".join(
        f"(<{WD}{qid}> <{WDP}{pid}> <{PS}{pid}> <{PSV}{pid}> <{WDT}{pid}> {_literal(pid)})"
        for qid, pid in sorted(pairs)
    )
    return f"""SELECT ?item ?pid ?value ?precision WHERE {{
  VALUES (?item ?p ?ps ?psv ?wdt ?pid) {{ {rows} }}
  {{ ?item ?p ?statement . ?statement ?ps ?value .
     OPTIONAL {{ ?statement ?psv ?node . ?node <{WIKIBASE}timePrecision> ?precision . }} }}
  UNION
  {{ ?item ?wdt ?value . }}
}}"""


def _literal(text: str) -> str:
    return '"' + text + '"'


def parse_held(rows: Iterable[Mapping[str, Mapping[str, str]]]) -> list[Held]:
    """Fold SPARQL JSON rows of :func:`held_query` into values; a time keeps the finest
    precision any row gives it (a truthy row carries none)."""
    found: dict[tuple[str, str, str], tuple[Mapping[str, str], int | None]] = {}
    for row in rows:
        qid = row["item"]["value"].rsplit("/", 1)[-1]
        pid, value = row["pid"]["value"], row["value"]
        precision = int(row["precision"]["value"]) if "precision" in row else None
        key = (qid, pid, value["value"])
        previous = found.get(key, (value, None))[1]
        best = precision if previous is None else max(previous, precision or previous)
        found[key] = (value, best)
    held = []
    for (qid, pid, _), (value, precision) in sorted(found.items()):
        held.append(Held(qid, pid, _value(value, precision)))
    return held


def _value(term: Mapping[str, str], precision: int | None) -> URIRef | Literal | TimeValue:
    if term.get("type") == "uri":
        return URIRef(term["value"])
    datatype = term.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#dateTime":
        day = date.fromisoformat(term["value"][:10].lstrip("+"))
        return TimeValue(day, precision if precision is not None else DAY)
    return Literal(term["value"], lang=term.get("xml:lang"), datatype=datatype)


def _unit(value: TimeValue, precision: int) -> tuple[int, ...]:
    parts = (value.day.year, value.day.month, value.day.day)
    return parts[: {YEAR: 1, MONTH: 2, DAY: 3}.get(precision, 1)]


def _against(ours: Value, theirs: URIRef | Literal | TimeValue, single: bool) -> str:
    if isinstance(ours, TimeValue) and isinstance(theirs, TimeValue):
        coarse = min(ours.precision, theirs.precision)
        if _unit(ours, coarse) != _unit(theirs, coarse):
            return CONFLICTING if single else NEW
        if theirs.precision > ours.precision:
            return MORE_PRECISE_THERE
        if theirs.precision == ours.precision:
            return ALREADY_THERE
        return NEW  # ours is the finer date
    if isinstance(ours, SomeValue):
        return NEW
    if isinstance(ours, Literal) and isinstance(theirs, Literal):
        return ALREADY_THERE if str(ours) == str(theirs) else (CONFLICTING if single else NEW)
    if ours == theirs:
        return ALREADY_THERE
    return CONFLICTING if single else NEW


_ORDER = (ALREADY_THERE, MORE_PRECISE_THERE, CONFLICTING, NEW)


def compare(statements: Iterable[Statement], held: Iterable[Held]) -> list[Comparison]:
    """How each statement stands against what Wikidata holds (the first status of
    ``already there``, ``more precise there``, ``conflicting``, ``new`` that applies)."""
    by_item: dict[tuple[str, str], list[Held]] = {}
    for value in held:
        by_item.setdefault((value.qid, value.pid), []).append(value)
    constraints = reference_table().constraints
    results = []
    for statement in statements:
        qid = _qid(statement.subject) or ""
        constraint = constraints.get(statement.pid)
        single = constraint is not None and constraint.single_value
        best: Comparison = Comparison(statement, NEW)
        for pid in _SAME_DATE.get(statement.pid, (statement.pid,)):
            for value in by_item.get((qid, pid), []):
                status = _against(statement.value, value.value, single and pid == statement.pid)
                if pid != statement.pid and status != MORE_PRECISE_THERE:
                    continue  # another property only ever makes a date redundant
                if _ORDER.index(status) < _ORDER.index(best.status):
                    best = Comparison(statement, status, value)
        results.append(best)
    return results


def checked_upload(model: WikidataModel, client: WikidataClient) -> tuple[Upload, list[Comparison]]:
    """The upload of ``model`` restricted to the statements new to Wikidata, and how every
    candidate compared (one request to the endpoint; none when there is nothing to ask).

    Raises:
        WikidataError: the endpoint could not be asked.
    """
    candidates = upload(model)
    if not candidates.statements:
        return candidates, []
    held = parse_held(client.select(held_query(candidates.statements)))
    comparisons = compare(candidates.statements, held)
    new = [c.statement for c in comparisons if c.status == NEW]
    return candidates.only(new), comparisons


def write_checked_quickstatements(
    model: WikidataModel, client: WikidataClient, path: Path
) -> tuple[Upload, list[Comparison]]:
    """Write to ``path`` the QuickStatements of the statements new to Wikidata only."""
    checked, comparisons = checked_upload(model, client)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(checked.text(), encoding="utf-8")
    return checked, comparisons


def describe(comparison: Comparison) -> str:
    """One line for a person: status, statement, and Wikidata's deciding value."""
    statement = comparison.statement
    line = f"{comparison.status}: {statement.subject} {statement.pid} {_show(statement.value)}"
    if comparison.held is not None and comparison.status != NEW:
        line += f" (Wikidata: {comparison.held.pid} {_show(comparison.held.value)})"
    return line


def _show(value: Value) -> str:
    if isinstance(value, TimeValue):
        return value.quickstatements()
    if isinstance(value, SomeValue):
        return "somevalue"
    return str(value)
