"""/update and /store: only with the token; curated changes are revalidated and re-reasoned."""

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

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENTS = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"
PREFIXES = f"PREFIX ex: <{MINI}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
ASSERTED = "https://w3id.org/peacekg/graph/asserted"
INFERRED = "https://w3id.org/peacekg/graph/inferred"


@pytest.fixture
def writable(fresh_mini: Path, make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(fresh_mini, update_token=TOKEN).test_client()


def _events(client: FlaskClient) -> list[str]:
    response = client.get("/sparql", query_string={"query": EVENTS})
    return [b["r"]["value"] for b in json.loads(response.data)["results"]["bindings"]]


def _update(client: FlaskClient, text: str, **kwargs: object) -> tuple[int, str]:
    response = client.post(
        "/update",
        data=text.encode(),
        content_type="application/sparql-update",
        headers=AUTH,
        **kwargs,  # type: ignore[arg-type]
    )
    return response.status_code, response.data.decode()


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


def test_update_is_revalidated_and_reasoned(writable: FlaskClient) -> None:
    status, body = _update(
        writable,
        PREFIXES + 'INSERT DATA { ex:round3 a ex:Round ; rdfs:label "Round 3" ; '
        'rdfs:comment "Third." ; ex:partOf ex:istanbul }',
    )
    assert (status, body) == (204, "")
    # round3 was asserted a Round: reasoning made it an Event (rdfs:subClassOf) ...
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2", f"{MINI}round3"]
    # ... and part of the talks (ex:partOf is transitive), in the inferred graph only.
    ask = f"ASK {{ GRAPH <{INFERRED}> {{ <{MINI}round3> <{MINI}partOf> <{MINI}talks> }} }}"
    response = writable.get("/sparql", query_string={"query": ask})
    assert json.loads(response.data)["boolean"] is True


def test_invalid_update_is_rejected_and_the_store_unchanged(
    writable: FlaskClient, fresh_mini: Path
) -> None:
    link = fresh_mini / "build" / "store"
    before = os.readlink(link)
    status, body = _update(writable, PREFIXES + "INSERT DATA { ex:round4 a ex:Round }")
    assert status == 422
    assert body.startswith("update rejected, the store is unchanged:\n1 SHACL violation(s):\n")
    assert "focus node http://example.org/mini#round4" in body
    assert "Violation MinCountConstraintComponent path " in body
    assert "An event needs a label." in body
    assert os.readlink(link) == before
    assert _events(writable) == [f"{MINI}round1", f"{MINI}round2"]


def test_update_may_not_write_other_graphs(writable: FlaskClient) -> None:
    status, body = _update(
        writable, f"INSERT DATA {{ GRAPH <{INFERRED}> {{ <{MINI}x> a <{MINI}Event> }} }}"
    )
    assert (status, body) == (
        422,
        "an update may only change the asserted graph (its default graph here); "
        f"it wrote to GRAPH <{INFERRED}>; the store is unchanged\n",
    )


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


def test_graph_store_curated(writable: FlaskClient) -> None:
    got = writable.get("/store?default", headers={**AUTH, "Accept": "text/turtle"})
    assert got.status_code == 200
    assert got.content_type == "text/turtle; charset=utf-8"
    assert len(Graph().parse(data=got.data, format="turtle")) == 12
    same = writable.get("/store", query_string={"graph": ASSERTED}, headers=AUTH)
    assert (
        Graph()
        .parse(data=same.data, format="turtle")
        .isomorphic(Graph().parse(data=got.data, format="turtle"))
    )

    refused = writable.put(
        "/store",
        query_string={"graph": INFERRED},
        data="",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert (refused.status_code, refused.data.decode()) == (
        403,
        f"only the asserted graph <{ASSERTED}> can be changed; "
        f"<{INFERRED}> is derived or fixed by the build\n",
    )

    turtle = (
        f"@prefix ex: <{MINI}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ex:solo a ex:Round ; rdfs:label "Solo" ; rdfs:comment "Only one." .\n'
    )
    put = writable.put("/store?default", data=turtle, content_type="text/turtle", headers=AUTH)
    assert put.status_code == 204
    graph = Graph().parse(data=writable.get("/store?default", headers=AUTH).data, format="turtle")
    solo = URIRef(MINI + "solo")
    assert set(graph) == {
        (solo, RDF.type, URIRef(MINI + "Round")),
        (solo, RDFS.label, Literal("Solo")),
        (solo, RDFS.comment, Literal("Only one.")),
    }
    assert _events(writable) == [f"{MINI}solo"]

    bad = writable.post(
        "/store?default", data="ex:x ex:y", content_type="text/turtle", headers=AUTH
    )
    assert bad.status_code == 400
    assert bad.data.decode().startswith("the request body does not parse: ")
    missing = writable.get("/store", query_string={"graph": "http://x/none"}, headers=AUTH)
    assert (missing.status_code, missing.data) == (404, b"no graph <http://x/none>\n")
