"""Editing the mini project's data (``data/data.trig``) the way a curator would (issue 10).

A fact goes into an assertion graph and its provenance into the file's default graph; the
mini project's own shapes and checks refuse anything else.
"""

from __future__ import annotations

from pathlib import Path

ASSERTION_BASE = "https://w3id.org/peacekg/assertion/"
MINI = "http://example.org/mini#"


def data_file(project: Path) -> Path:
    """The mini project's only data file."""
    return project / "data" / "data.trig"


def assertion_trig(slug: str, facts: str, exact: str, document: str = "ex:minutes") -> str:
    """TriG for the assertion ``pkga:<slug>`` stating ``facts`` (Turtle using ``ex:``/``rdfs:``),
    derived from ``document`` through a passage quoting ``exact``."""
    return (
        f"\npkga:{slug} {{ {facts} }}\n"
        f"pkga:{slug} a pkg:StatedAssertion ; prov:wasDerivedFrom {document} ;\n"
        f"    pkg:passage [ oa:hasSource {document} ;\n"
        f'        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{exact}" ] ] .\n'
    )


def add_assertion(project: Path, slug: str, facts: str, exact: str) -> None:
    """Append :func:`assertion_trig` to the project's data file."""
    path = data_file(project)
    path.write_text(path.read_text(encoding="utf-8") + assertion_trig(slug, facts, exact), "utf-8")


def edit(project: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) with ``new`` in the data file."""
    path = data_file(project)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
