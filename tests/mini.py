"""Editing the mini project's data (``data/data.trig``) the way a curator would (issue 10).

A fact goes into an assertion graph and its provenance into the file's default graph; the
mini project's own shapes and checks refuse anything else.
"""

from __future__ import annotations

from pathlib import Path

from peacekg.namespaces import GraphNames

ASSERTION_BASE = "https://w3id.org/peacekg/assertion/"
MINI = "http://example.org/mini#"


def graph_counts(graphs: GraphNames) -> dict[str, int]:
    """Triples per graph of the built mini project, in any store (embedded or remote).

    Five assertions (13 triples: ex:round2 ex:partOf ex:istanbul is stated by both documents),
    their union (12), and the provenance: two documents (3 triples each) and five passages (13
    triples each: type, source, passage, quote and position selectors).
    """
    return {
        graphs.ontology: 14,
        graphs.asserted: 12,
        graphs.provenance: 71,
        graphs.inferred: 9,
        ASSERTION_BASE + "mini-talks": 2,
        ASSERTION_BASE + "mini-istanbul": 3,
        ASSERTION_BASE + "mini-round1": 4,
        ASSERTION_BASE + "mini-round2": 3,
        ASSERTION_BASE + "mini-report-round2": 1,
    }


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
