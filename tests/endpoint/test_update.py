"""/update and /store: only with the token; curated changes are revalidated and re-reasoned.

In curated mode (issue 10) a change writes facts into an assertion graph and their source
passage into the provenance graph; the default graph and the derived graphs are refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from tests.endpoint.conftest import MINI, TOKEN
from tests.mini import ASSERTION_BASE

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENTS = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"
BASE = "https://w3id.org/peacekg/"
ASSERTED = BASE + "graph/asserted"
INFERRED = BASE + "graph/inferred"
ONTOLOGY = BASE + "graph/ontology"
PROVENANCE = BASE + "graph/provenance"
ALIGNMENT = BASE + "graph/alignment"
ROUND3 = ASSERTION_BASE + "mini-round3"
PREFIXES = (
    f"PREFIX ex: <{MINI}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX pkg: <https://w3id.org/peacekg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>\n"
    "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
)
#: Round 3, stated by the minutes: the facts and the provenance a curator writes together.
ROUND3_FACTS = (
    'ex:round3 a ex:Round ; rdfs:label "Round 3" ; rdfs:comment "Third." ; ex:partOf ex:istanbul .'
)
ROUND3_PROVENANCE = (
    f"<{ROUND3}> a pkg:StatedAssertion ; prov:wasDerivedFrom ex:minutes ;\n"
    "    pkg:passage [ oa:hasSource ex:minutes ;\n"
    '        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Round 3" ] ] ."'
).rstrip('"')
#: The mini data's one SHACL warning, in every report.
ROUND2_WARNING = [
    "  focus node http://example.org/mini#round2",
    "    Warning MinCountConstraintComponent path "
    "http://www.w3.org/2000/01/rdf-schema#comment: An event should have a comment.",
]
WRITABLE = (
    f"only an assertion graph <{ASSERTION_BASE}…>, <{PROVENANCE}> and <{ALIGNMENT}> can be "
    "written (every fact lies in an assertion graph, its source passage in the provenance "
    "graph; the other graphs are derived by the build)"
)


@pytest.fixture
def writable(fresh_mini: Path, make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(fresh_mini, update_token=TOKEN).test_client()


def _select(client: FlaskClient, query: str, column: str) -> list[str]:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    return [b[column]["value"] for b in json.loads(response.data)["results"]["bindings"]]


def _events(client: FlaskClient) -> list[str]:
    return _select(client, EVENTS, "r")


def _ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query})
    return bool(json.loads(response.data)["boolean"])


def _counts(client: FlaskClient) -> dict[str, int]:
    rows = client.get(
        "/sparql",
        query_string={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        },
    )
    bindings = json.loads(rows.data)["results"]["bindings"]
    return {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}


def _report(body: str) -> tuple[list[str], list[list[str]]]:
    """A rejection's header lines and, in a stable order, the lines under each shape.

    The mini shapes' property shapes are blank nodes, so their names (and the order of the
    groups, sorted by name) change from run to run; everything else must match exactly.
    """
    head, *groups = body.split("\nshape ")
    return head.splitlines(), sorted(group.splitlines()[1:] for group in groups)


def _update(client: FlaskClient, text: str, **kwargs: object) -> tuple[int, str]:
    response = client.post(
        "/update",
        data=text.encode(),
        content_type="application/sparql-update",
        headers=AUTH,
        **kwargs,  # type: ignore[arg-type]
    )
    return response.status_code, response.data.decode()


def _insert(facts: str, provenance: str | None = ROUND3_PROVENANCE, graph: str = ROUND3) -> str:
    """INSERT DATA of ``facts`` in ``graph`` and, unless None, ``provenance`` beside it."""
    beside = f" GRAPH <{PROVENANCE}> {{ {provenance} }}" if provenance is not None else ""
    return PREFIXES + f"INSERT DATA {{ GRAPH <{graph}> {{ {facts} }}{beside} }}"


def test_read_only_without_a_token(client: FlaskClient) -> None:
    for response in (
        client.post("/update", data={"update": "CLEAR ALL"}, headers=AUTH),
        client.get("/store?default", headers=AUTH),
    ):
        assert (response.status_code, response.data) == (
            403,
            b"this endpoint is read-only: updates are disabled (no update_token set)\n",
        )


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_a_wrong_or_missing_token_is_401(writable: FlaskClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = writable.post("/update", data={"update": "CLEAR ALL"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="peacekg"'
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_an_assertion_with_its_provenance_is_revalidated_and_reasoned(
    writable: FlaskClient,
) -> None:
    before = _counts(writable)
    assert (before[ASSERTED], before[PROVENANCE], before[INFERRED]) == (12, 71, 9)
    status, body = _update(writable, _insert(ROUND3_FACTS))
    assert (status, body) == (204, "")
    # round3 was asserted a Round: reasoning made it an Event (rdfs:subClassOf) ...
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2", f"{MINI}round3"]
    # ... and part of the talks (ex:partOf is transitive), in the inferred graph only.
    ask = f"ASK {{ GRAPH <{INFERRED}> {{ <{MINI}round3> <{MINI}partOf> <{MINI}talks> }} }}"
    assert _ask(writable, ask) is True
    # The facts are in their assertion graph and in the asserted union, the passage in the
    # provenance graph, whose old passages (blank nodes) survive the rewrite: one more
    # assertion graph (4 facts), 7 provenance triples (type, source, passage, its selector);
    # inferred: round3 an Event and part of the talks, istanbul and the talks have it as a
    # part. Every other graph as it was.
    after = _counts(writable)
    assert after == {**before, ROUND3: 4, ASSERTED: 16, PROVENANCE: 78, INFERRED: 13}
    passage = (
        "PREFIX pkg: <https://w3id.org/peacekg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        f"SELECT ?doc ?exact WHERE {{ GRAPH <{PROVENANCE}> {{ ?a pkg:passage ?p . "
        "?p oa:hasSource ?doc ; oa:hasSelector/oa:exact ?exact } "
        f"GRAPH ?a {{ <{MINI}round3> a <{MINI}Round> }} }} ORDER BY ?exact"
    )
    assert _select(writable, passage, "doc") == [f"{MINI}minutes"]
    assert _select(writable, passage, "exact") == ["Round 3"]


def test_a_write_to_the_default_graph_is_refused_and_the_store_unchanged(
    writable: FlaskClient, fresh_mini: Path
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    status, body = _update(writable, PREFIXES + f"INSERT DATA {{ {ROUND3_FACTS} }}")
    assert (status, body) == (
        422,
        "the update wrote to the default graph; write each fact inside an assertion graph "
        f"(GRAPH <{ASSERTION_BASE}…>) and its source passage in GRAPH <{PROVENANCE}>; "
        "the store is unchanged\n",
    )
    assert os.readlink(link) == before
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_an_invalid_assertion_is_rejected_with_the_shacl_report(
    writable: FlaskClient, fresh_mini: Path
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    status, body = _update(writable, _insert('ex:round3 a ex:Round ; rdfs:comment "Third." .'))
    assert status == 422
    assert _report(body) == (
        ["update rejected, the store is unchanged:", "1 SHACL violation(s):"],
        sorted(
            [
                ROUND2_WARNING,
                [
                    "  focus node http://example.org/mini#round3",
                    "    Violation MinCountConstraintComponent path "
                    "http://www.w3.org/2000/01/rdf-schema#label: An event needs a label.",
                ],
            ]
        ),
    )
    assert os.readlink(link) == before
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_an_assertion_whose_provenance_lacks_a_passage_is_refused(
    writable: FlaskClient, fresh_mini: Path
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    no_passage = f"<{ROUND3}> a pkg:StatedAssertion ; prov:wasDerivedFrom ex:minutes ."
    status, body = _update(writable, _insert(ROUND3_FACTS, no_passage))
    assert status == 422
    assert _report(body) == (
        ["update rejected, the store is unchanged:", "1 SHACL violation(s):"],
        sorted(
            [
                ROUND2_WARNING,
                [
                    f"  focus node {ROUND3}",
                    "    Violation MinCountConstraintComponent path "
                    "https://w3id.org/peacekg/ontology#passage: An assertion needs a passage.",
                ],
            ]
        ),
    )
    assert os.readlink(link) == before
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_the_mini_checks_refuse_unsourced_facts(writable: FlaskClient) -> None:
    # An assertion graph without any provenance.
    status, body = _update(writable, _insert(ROUND3_FACTS, provenance=None))
    assert (status, body) == (
        422,
        "update rejected, the store is unchanged:\nquality checks failed:\n"
        f"assertion-without-provenance-violation: 1 row(s): [{{'assertion': '{ROUND3}'}}]\n",
    )
    # A fact written into the provenance graph, outside any assertion.
    status, body = _update(
        writable,
        PREFIXES + f"INSERT DATA {{ GRAPH <{PROVENANCE}> {{ ex:round1 ex:partOf ex:talks }} }}",
    )
    assert (status, body) == (
        422,
        "update rejected, the store is unchanged:\nquality checks failed:\n"
        "fact-outside-assertion-violation: 1 row(s): [{'subject': "
        f"'{MINI}round1', 'predicate': '{MINI}partOf', 'object': '{MINI}talks'}}]\n",
    )
    assert _counts(writable)[PROVENANCE] == 71


def test_a_fact_stated_twice_stays_until_both_assertions_drop_it(writable: FlaskClient) -> None:
    fact = f"<{MINI}round2> <{MINI}partOf> <{MINI}istanbul>"
    stated = f"ASK {{ GRAPH <{ASSERTED}> {{ {fact} }} }}"
    status, _ = _update(
        writable, f"DELETE DATA {{ GRAPH <{ASSERTION_BASE}mini-round2> {{ {fact} }} }}"
    )
    assert status == 204
    # The report still states it: the asserted union keeps it.
    assert _ask(writable, stated) is True
    assert _counts(writable)[ASSERTION_BASE + "mini-round2"] == 2
    # Emptying the report's assertion leaves its provenance describing nothing: refused.
    status, body = _update(writable, f"DELETE WHERE {{ GRAPH ?a {{ {fact} }} }}")
    assert (status, body) == (
        422,
        "update rejected, the store is unchanged:\nquality checks failed:\n"
        "provenance-without-assertion-violation: 1 row(s): "
        f"[{{'assertion': '{ASSERTION_BASE}mini-report-round2'}}]\n",
    )
    assert _ask(writable, stated) is True


@pytest.mark.parametrize("graph", [ASSERTED, INFERRED, ONTOLOGY, "http://x/g"])
def test_update_may_not_write_other_graphs(writable: FlaskClient, graph: str) -> None:
    status, body = _update(
        writable, f"INSERT DATA {{ GRAPH <{graph}> {{ <{MINI}x> a <{MINI}Event> }} }}"
    )
    assert (status, body) == (
        422,
        f"the update wrote to GRAPH <{graph}>; {WRITABLE}; the store is unchanged\n",
    )
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_update_errors(writable: FlaskClient) -> None:
    assert _update(writable, "CLEAR XYZ")[0] == 400
    assert _update(writable, "CLEAR XYZ")[1].startswith("update syntax error: ")
    conflict = _update(
        writable,
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        query_string={"using-graph-uri": "http://x/d"},
    )
    assert conflict == (
        400,
        "using-graph-uri/using-named-graph-uri conflict with USING/WITH in the update\n",
    )
    wrong_type = writable.post("/update", data="CLEAR ALL", content_type="text/plain", headers=AUTH)
    assert wrong_type.status_code == 415
    assert writable.get("/update", headers=AUTH).status_code == 405


def _turtle(response_data: bytes) -> Graph:
    return Graph().parse(data=response_data, format="turtle")


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_graph_store_refuses_the_default_and_derived_graphs(
    writable: FlaskClient, fresh_mini: Path, method: str
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    body = f"<{MINI}x> a <{MINI}Event> ."  # ignored by GET and DELETE
    default = writable.open(
        "/store?default", method=method, headers=AUTH, data=body, content_type="text/turtle"
    )
    if method == "GET":
        assert (default.status_code, default.data.decode()) == (
            403,
            "the default graph is not part of the curated dataset: GET an assertion graph, "
            f"<{ASSERTED}> (their union) or <{PROVENANCE}>\n",
        )
    else:
        assert (default.status_code, default.data.decode()) == (
            403,
            f"the default graph cannot be changed: {WRITABLE}\n",
        )
        for graph in (ASSERTED, INFERRED):
            refused = writable.open(
                "/store",
                method=method,
                query_string={"graph": graph},
                headers=AUTH,
                data=body,
                content_type="text/turtle",
            )
            assert (refused.status_code, refused.data.decode()) == (
                403,
                f"<{graph}> cannot be changed: {WRITABLE}\n",
            )
    assert os.readlink(link) == before


def test_graph_store_curated(writable: FlaskClient) -> None:
    got = writable.get(
        "/store", query_string={"graph": ASSERTED}, headers={**AUTH, "Accept": "text/turtle"}
    )
    assert got.status_code == 200
    assert got.content_type == "text/turtle; charset=utf-8"
    assert len(_turtle(got.data)) == 12
    round1 = ASSERTION_BASE + "mini-round1"
    one = writable.get("/store", query_string={"graph": round1}, headers=AUTH)
    assert len(_turtle(one.data)) == 4

    # An existing assertion can be rewritten: its provenance stays as it was.
    turtle = (
        f"@prefix ex: <{MINI}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ex:round1 a ex:Round ; rdfs:label "Round one" ; rdfs:comment "First round." ;\n'
        "    ex:partOf ex:istanbul .\n"
    )
    put = writable.put(
        "/store",
        query_string={"graph": round1},
        data=turtle,
        content_type="text/turtle",
        headers=AUTH,
    )
    assert (put.status_code, put.data) == (204, b"")
    r1 = URIRef(MINI + "round1")
    assert set(
        _turtle(writable.get("/store", query_string={"graph": round1}, headers=AUTH).data)
    ) == {
        (r1, RDF.type, URIRef(MINI + "Round")),
        (r1, RDFS.label, Literal("Round one")),
        (r1, RDFS.comment, Literal("First round.")),
        (r1, URIRef(MINI + "partOf"), URIRef(MINI + "istanbul")),
    }
    asserted = _turtle(writable.get("/store", query_string={"graph": ASSERTED}, headers=AUTH).data)
    assert (r1, RDFS.label, Literal("Round one")) in asserted
    assert (r1, RDFS.label, Literal("Round 1")) not in asserted
    assert _counts(writable)[PROVENANCE] == 71

    # POST merges into an assertion.
    round2 = ASSERTION_BASE + "mini-round2"
    comment = f'<{MINI}round2> <{RDFS.comment}> "Second." .'
    post = writable.post(
        "/store",
        query_string={"graph": round2},
        data=comment,
        content_type="text/turtle",
        headers=AUTH,
    )
    assert (post.status_code, _counts(writable)[round2]) == (204, 4)

    # A new assertion graph without provenance, and an assertion dropped while its
    # provenance stays, fail the checks: one GSP request cannot carry both graphs.
    fresh = writable.put(
        "/store",
        query_string={"graph": ROUND3},
        data=comment,
        content_type="text/turtle",
        headers=AUTH,
    )
    assert fresh.status_code == 422
    assert fresh.data.decode().endswith(
        f"assertion-without-provenance-violation: 1 row(s): [{{'assertion': '{ROUND3}'}}]\n"
    )
    dropped = writable.delete(
        "/store", query_string={"graph": ASSERTION_BASE + "mini-report-round2"}, headers=AUTH
    )
    assert dropped.status_code == 422
    assert "provenance-without-assertion-violation: 1 row(s)" in dropped.data.decode()
    created = writable.post("/store", data=comment, content_type="text/turtle", headers=AUTH)
    assert (created.status_code, created.data.decode()) == (
        403,
        "a new graph cannot be created here: add an assertion and its provenance in one "
        "SPARQL Update (POST /update)\n",
    )

    bad = writable.post(
        "/store",
        query_string={"graph": round2},
        data="ex:x ex:y",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert bad.status_code == 400
    assert bad.data.decode().startswith("the request body does not parse: ")
    missing = writable.get("/store", query_string={"graph": "http://x/none"}, headers=AUTH)
    assert (missing.status_code, missing.data) == (404, b"no graph <http://x/none>\n")
    gone = writable.delete("/store", query_string={"graph": ASSERTION_BASE + "none"}, headers=AUTH)
    assert (gone.status_code, gone.data.decode()) == (404, f"no graph <{ASSERTION_BASE}none>\n")


EMPTIED = (
    "the change would leave no assertion graph with a fact, so the asserted graph would be "
    "empty: refused (delete assertions one at a time, or rebuild from data/); the store is "
    "unchanged"
)


@pytest.mark.parametrize(
    "text",
    [
        "DROP ALL",
        "CLEAR NAMED",
        "CLEAR ALL",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_a_change_that_empties_every_assertion_is_refused(
    writable: FlaskClient, fresh_mini: Path, text: str
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    status, body = _update(writable, text)
    assert (status, body) == (422, EMPTIED + "\n")
    assert os.readlink(link) == before
    assert _counts(writable)[ASSERTED] == 12


def test_an_empty_put_to_the_provenance_graph_is_refused(writable: FlaskClient) -> None:
    counts = _counts(writable)
    # It leaves every assertion without provenance: the checks refuse it.
    emptied = writable.put(
        "/store",
        query_string={"graph": PROVENANCE},
        data=b"",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert emptied.status_code == 422
    assert "assertion-without-provenance-violation" in emptied.data.decode()
    assert _counts(writable) == counts
