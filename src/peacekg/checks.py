"""Quality checks: ``queries/checks/*-violation.rq`` must return no rows (ODK style).

Each check runs on one default graph holding everything (ontology, asserted, inferred), in
an in-memory Oxigraph store: rdflib's SPARQL engine is far too slow to be trusted with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from peacekg.queries import load_catalogue
from peacekg.store import memory_store

_CHECK_GRAPH = "urn:peacekg:checks"


@dataclass(frozen=True)
class CheckViolation:
    """A check that returned rows: its file stem and the rows (variable -> value)."""

    check: str
    rows: list[dict[str, str]]


def _value(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    return term.value


def run_checks(graph: Graph, checks_dir: Path) -> list[CheckViolation]:
    """Run every ``*-violation.rq`` in ``checks_dir`` on ``graph``; list those with rows."""
    store = memory_store({_CHECK_GRAPH: graph})
    failures = []
    for check in load_catalogue(checks_dir):
        if not check.slug.endswith("-violation"):
            continue
        result = store.query(check.text, use_default_graph_as_union=True)
        if not isinstance(result, pyoxigraph.QuerySolutions):
            raise ValueError(f"{check.path}: a check must be a SELECT query")
        variables = [v.value for v in result.variables]
        rows = [{name: _value(solution[name]) for name in variables} for solution in result]
        if rows:
            failures.append(CheckViolation(check=check.slug, rows=rows))
    return failures
