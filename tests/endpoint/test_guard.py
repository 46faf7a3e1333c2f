"""The outbound-request policy read from query text: SERVICE allowlist, LOAD, FROM."""

from __future__ import annotations

import pytest

from peacekg.web.guard import (
    PolicyError,
    add_using,
    check_query,
    check_update,
    decode_escapes,
    inspect,
)

WIKIDATA = "https://query.wikidata.org/sparql"
ALLOW = (WIKIDATA,)


@pytest.mark.parametrize(
    ("query", "services"),
    [
        ("SELECT * { ?s ?p ?o }", []),
        (f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", [WIKIDATA]),
        (f"select * {{ service silent <{WIKIDATA}> {{ ?s ?p ?o }} }}", [WIKIDATA]),
        (
            "PREFIX wds: <https://query.wikidata.org/> SELECT * { SERVICE wds:sparql {} }",
            [WIKIDATA],
        ),
        ("BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> {} }", [WIKIDATA]),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [None]),
        # Not SERVICE clauses: in a string, an IRI, a comment, a variable, a local name.
        ('SELECT * { ?s ?p "SERVICE <http://x/>" }', []),
        ("SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE <http://y/>", []),
        ("SELECT ?service { ?service <http://x/p> <http://x/SERVICE> }", []),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }", []),
        ("SELECT * { ?s ?p '''SERVICE <http://z/> { } ''' }", []),
        # SPARQL 1.1 section 19.2: codepoint escapes are decoded before parsing.
        ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { } }", ["http://127.0.0.1:9/"]),
    ],
)
def test_service_targets(query: str, services: list[str | None]) -> None:
    assert inspect(query).services == services


def test_allowlisted_service_passes() -> None:
    check_query(f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", ALLOW)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            "SERVICE <http://127.0.0.1:9/sparql> is not allowed on this server; "
            f"allowed endpoints: <{WIKIDATA}>",
        ),
        (
            "SELECT * { SERVICE ?e { ?s ?p ?o } }",
            "SERVICE with a variable endpoint is not allowed; "
            f"name one of the allowed endpoints: <{WIKIDATA}>",
        ),
        (
            "SELECT * { SERVICE nope:x { } }",
            "SERVICE target 'nope:x' is not an IRI this server reads",
        ),
        (
            "SELECT * { \\u0073ervice <http://evil.example/> { } }",
            "SERVICE <http://evil.example/> is not allowed on this server; "
            f"allowed endpoints: <{WIKIDATA}>",
        ),
    ],
)
def test_refused_services(query: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        check_query(query, ALLOW)
    assert str(caught.value) == message


def test_from_is_detected_not_in_strings() -> None:
    assert check_query("SELECT * FROM <http://x/g> { ?s ?p ?o }", ALLOW).has_dataset_clause
    assert not check_query('SELECT * { ?s ?p "FROM" }', ALLOW).has_dataset_clause


def test_load_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        check_update("LOAD <http://127.0.0.1:9/data.ttl>", ALLOW)
    assert str(caught.value) == (
        "LOAD is not allowed on this server: it would fetch a remote document"
    )
    assert check_update('INSERT DATA { <http://x/s> <http://x/p> "LOAD" }', ALLOW).services == []


def test_add_using_before_each_modify_where() -> None:
    update = (
        "PREFIX ex: <http://x/> CLEAR ALL ; INSERT DATA { ex:a ex:b ex:c } ; "
        "INSERT { GRAPH ex:g { ?s a ex:T } } WHERE { ?s a ex:U }"
    )
    text = decode_escapes(update)
    rewritten = add_using(text, inspect(text).tokens, ["http://x/d"], ["http://x/n"])
    assert rewritten == (
        "PREFIX ex: <http://x/> CLEAR ALL ; INSERT DATA { ex:a ex:b ex:c } ; "
        "INSERT { GRAPH ex:g { ?s a ex:T } } USING <http://x/d> USING NAMED <http://x/n> "
        "WHERE { ?s a ex:U }"
    )
    assert inspect("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_using_or_with
