"""The store kinds' own logic, without a server (the servers are in the other files here)."""

from __future__ import annotations

from email.message import Message

import pytest

from peacekg.config import STORE_KINDS
from peacekg.stores import KINDS, Answer, StoreTimeout, Virtuoso


def test_every_setting_value_has_a_kind() -> None:
    assert tuple(KINDS) == STORE_KINDS


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * { ?s ?p ?o }", "application/sparql-results+json"),
        ("ASK {}", "application/sparql-results+json"),
        ("construct { ?s ?p ?o } where { ?s ?p ?o }", "application/n-triples"),
        (
            "# CONSTRUCT in a comment\nBASE <http://x/#a>\nPREFIX ex: <http://x/#>\n"
            "PREFIX : <http://y/>\nDESCRIBE ex:a",
            "application/n-triples",
        ),
        ("PREFIX ex: <http://x/CONSTRUCT#> SELECT ?x {}", "application/sparql-results+json"),
    ],
)
def test_virtuoso_is_asked_for_a_graph_format_only_for_graph_queries(
    query: str, accept: str
) -> None:
    assert Virtuoso().accept(query) == accept


def _answer(headers: dict[str, str], body: bytes = b"{}") -> Answer:
    message = Message()
    for name, value in headers.items():
        message[name] = value
    return Answer("application/sparql-results+json", message, body)


def test_virtuoso_partial_results_are_a_timeout() -> None:
    Virtuoso().check_answer(_answer({}), 1.0)
    with pytest.raises(StoreTimeout, match=r"^Virtuoso stopped the query at its 2 s limit"):
        Virtuoso().check_answer(_answer({"X-SQL-State": "S1TAT", "X-SQL-Message": "RC..."}), 2.0)


def test_virtuoso_blank_node_ids_become_labels() -> None:
    body = b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"bnode","value":"nodeID://b12"}}]}}'
    fixed = Virtuoso().results_body(_answer({}, body))
    assert b'"value": "b12"' in fixed and b"nodeID" not in fixed
