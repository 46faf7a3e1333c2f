"""PeaceKG as a W3C reconciliation service at /reconcile (issue 15), tested with the requests
OpenRefine sends: a GET for the manifest (JSONP in a browser), then form posts of
``queries={"q0": {"query", "type", "type_strict": "should", "properties": [{"pid", "v"}]}, ...}``
in batches of ten (OpenRefine's StandardReconConfig), preview and suggest GETs.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from flask.testing import FlaskClient

from peacekg.config import Settings
from peacekg.web import create_app
from peacekg.wikidata.matching import Entity, name_score, rank
from tests.live import start_server

PKG = "https://w3id.org/peacekg/ontology#"
ID = "https://w3id.org/peacekg/id/"


def batch(
    client: FlaskClient, queries: dict[str, object]
) -> dict[str, list[tuple[str, float, bool]]]:
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    payload = response.get_json()
    return {
        key: [(r["id"], r["score"], r["match"]) for r in value["result"]]
        for key, value in payload.items()
    }


def test_manifest(client: FlaskClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    manifest = response.get_json()
    assert manifest["versions"] == ["0.1", "0.2"]
    assert manifest["identifierSpace"] == ID
    assert manifest["schemaSpace"] == PKG
    assert manifest["defaultTypes"] == [
        {"id": PKG + "Agent", "name": "agent"},
        {"id": PKG + "Event", "name": "event"},
        {"id": PKG + "Proposal", "name": "proposal"},
        {"id": PKG + "Claim", "name": "claim"},
    ]
    assert manifest["view"] == {"url": "{{id}}"}
    assert manifest["preview"]["url"] == "http://localhost/reconcile/preview?id={{id}}"
    assert manifest["suggest"]["entity"] == {
        "service_url": "http://localhost",
        "service_path": "/reconcile/suggest/entity",
    }


def test_manifest_as_jsonp_and_a_bad_callback(client: FlaskClient) -> None:
    response = client.get("/reconcile?callback=jsonp123")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    text = response.get_data(as_text=True)
    assert text.startswith("jsonp123({") and text.endswith("});")
    bad = client.get("/reconcile?callback=alert(1)")
    assert (bad.status_code, bad.get_data(as_text=True)) == (
        400,
        "callback must be a JavaScript identifier\n",
    )


def test_a_column_of_names_as_openrefine_sends_it(client: FlaskClient) -> None:
    agent = {"type": PKG + "Agent", "type_strict": "should"}
    queries = {
        "q0": {"query": "Zelensky", **agent},
        "q1": {"query": "Erdogan", **agent},
        "q2": {"query": "Turkey", **agent},
        "q3": {"query": "Nobody Of That Name", **agent},
        "q4": {"query": "Erdogan", "type": PKG + "Event", "type_strict": "should"},
    }
    assert batch(client, queries) == {
        "q0": [(ID + "volodymyr-zelenskyy", 100.0, True)],
        "q1": [(ID + "recep-tayyip-erdogan", 73.3, False)],
        "q2": [(ID + "turkey", 100.0, True)],
        "q3": [],
        "q4": [],  # Erdoğan is no event
    }


def test_property_filters_raise_the_score(client: FlaskClient) -> None:
    member_of = PKG + "memberOf"
    queries = {
        "q0": {"query": "Turkey", "properties": [{"pid": member_of, "v": "NATO"}]},
        "q1": {"query": "Turkey", "properties": [{"pid": "pkg:memberOf", "v": "the UN"}]},
        "q2": {
            "query": "Turkey",
            "properties": [{"pid": member_of, "v": {"id": ID + "nato", "name": "NATO"}}],
        },
    }
    assert batch(client, queries) == {
        "q0": [(ID + "turkey", 100.0, True)],
        "q1": [(ID + "turkey", 70.0, False)],  # the name fits, the property does not
        "q2": [(ID + "turkey", 100.0, True)],
    }


def test_bad_queries_are_400s_naming_the_problem(client: FlaskClient) -> None:
    cases = {
        "not json": "queries is not JSON: Expecting value: line 1 column 1 (char 0)\n",
        "[]": "queries must be a JSON object of named queries\n",
        '{"q0": {"limit": 3}}': "queries['q0']: needs a string 'query'\n",
        '{"q0": {"query": "x", "limit": 0}}': "queries['q0']: limit must be an integer from 1 "
        "to 100\n",
        '{"q0": {"query": "x", "properties": [{"v": "y"}]}}': "queries['q0']: properties[0] "
        "needs a string pid\n",
    }
    for text, expected in cases.items():
        response = client.post("/reconcile", data={"queries": text})
        assert (response.status_code, response.get_data(as_text=True)) == (400, expected)


def test_preview_and_suggest(client: FlaskClient) -> None:
    card = client.get(f"/reconcile/preview?id={ID}turkey")
    assert card.status_code == 200 and card.mimetype == "text/html"
    assert f'<a href="{ID}turkey" target="_blank">Turkey</a>' in card.get_data(as_text=True)
    assert client.get(f"/reconcile/preview?id={ID}nobody").status_code == 404
    entities = client.get("/reconcile/suggest/entity?prefix=zel").get_json()["result"]
    assert [e["id"] for e in entities] == [
        ID + "claim-zelenskyy-no-talks-under-occupation",
        ID + "volodymyr-zelenskyy",
    ]
    types = client.get("/reconcile/suggest/type?prefix=sta").get_json()["result"]
    assert {"id": PKG + "State", "name": "state"} in types
    properties = client.get("/reconcile/suggest/property?prefix=member").get_json()["result"]
    assert {"id": PKG + "memberOf", "name": "member of"} in properties
    assert client.get("/reconcile/suggest/colour?prefix=x").status_code == 404


def test_through_a_real_server(wd_settings: Settings) -> None:
    server, stop = start_server(create_app(wd_settings))
    try:
        queries = json.dumps({f"q{i}": {"query": "Zelensky"} for i in range(10)})
        body = urllib.parse.urlencode({"queries": queries}).encode()
        request = urllib.request.Request(
            server.url + "/reconcile",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
    finally:
        stop()
    assert sorted(payload) == [f"q{i}" for i in range(10)]
    assert {r["result"][0]["id"] for r in payload.values()} == {ID + "volodymyr-zelenskyy"}


# --- scoring (pure) -----------------------------------------------------------------------------


def test_name_score() -> None:
    assert name_score("erdoğan", ["Erdogan"]) == 1.0
    assert name_score("Erdogan", ["Recep Tayyip Erdoğan"]) == pytest.approx(0.6 + 0.4 / 3)
    assert name_score("", ["x"]) == 0.0


def test_only_a_single_exact_name_is_a_match() -> None:
    twins = [Entity("a", "Kyiv", ("Kyiv",)), Entity("b", "Kyiv", ("Kyiv",))]
    assert [(c.entity.id, c.match) for c in rank("Kyiv", twins)] == [("a", False), ("b", False)]
    assert [c.match for c in rank("Kyiv", twins[:1])] == [True]
