"""``/id/...``: 303 See Other by Accept, suffix overrides, Vary and Link headers, 406, 400."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from peacekg import mediatypes

EVENT = "istanbul-meeting-2022"

ACCEPT_CASES = [
    ("text/html", f"/page/{EVENT}"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", f"/page/{EVENT}"),
    ("*/*", f"/page/{EVENT}"),
    ("text/turtle", f"/data/{EVENT}.ttl"),
    ("application/x-turtle", f"/data/{EVENT}.ttl"),
    ("application/n-triples", f"/data/{EVENT}.nt"),
    ("application/rdf+xml", f"/data/{EVENT}.rdf"),
    ("application/ld+json", f"/data/{EVENT}.jsonld"),
    ("application/trig", f"/data/{EVENT}.trig"),
    ("application/n-quads", f"/data/{EVENT}.nq"),
    ("text/html;q=0.5, text/turtle", f"/data/{EVENT}.ttl"),
    ("application/ld+json;q=0.9, text/turtle;q=0.4", f"/data/{EVENT}.jsonld"),
]


@pytest.mark.parametrize(("accept", "location"), ACCEPT_CASES)
def test_id_redirects_by_accept(client: FlaskClient, accept: str, location: str) -> None:
    response = client.get(f"/id/{EVENT}", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    link = response.headers["Link"]
    assert f'<https://w3id.org/peacekg/id/{EVENT}>; rel="canonical"' in link
    assert f'</page/{EVENT}>; rel="alternate"; type="text/html"' in link
    for fmt in mediatypes.GRAPH_FORMATS:
        assert f'</data/{EVENT}.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in link


@pytest.mark.parametrize(
    ("suffix", "location"),
    [
        ("ttl", f"/data/{EVENT}.ttl"),
        ("nt", f"/data/{EVENT}.nt"),
        ("rdf", f"/data/{EVENT}.rdf"),
        ("jsonld", f"/data/{EVENT}.jsonld"),
        ("trig", f"/data/{EVENT}.trig"),
        ("nq", f"/data/{EVENT}.nq"),
        ("html", f"/page/{EVENT}"),
    ],
)
def test_suffix_overrides_accept(client: FlaskClient, suffix: str, location: str) -> None:
    response = client.get(f"/id/{EVENT}.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert response.headers["Vary"] == "Accept, Accept-Encoding"


@pytest.mark.parametrize("fmt", mediatypes.GRAPH_FORMATS, ids=lambda f: f.name)
def test_redirect_target_serves_its_media_type(
    client: FlaskClient, fmt: mediatypes.MediaFormat
) -> None:
    response = client.get(f"/id/{EVENT}", headers={"Accept": fmt.media_type})
    target = client.get(response.headers["Location"])
    assert target.status_code == 200
    assert target.headers["Content-Type"] == fmt.content_type
    assert target.headers["Access-Control-Allow-Origin"] == "*"
    assert target.headers["Vary"] == "Accept-Encoding"  # the suffix decided, not Accept


def test_data_without_suffix_negotiates(client: FlaskClient) -> None:
    response = client.get(f"/data/{EVENT}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/n-triples"
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    assert response.headers["Content-Location"] == f"/data/{EVENT}.nt"


def test_page_is_html_with_alternate_links(client: FlaskClient) -> None:
    response = client.get(f"/page/{EVENT}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f'</data/{EVENT}.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]
    html = response.get_data(as_text=True)
    assert f'<link rel="alternate" type="text/turtle" href="/data/{EVENT}.ttl">' in html


def test_unacceptable_media_type_is_406(client: FlaskClient) -> None:
    response = client.get(f"/id/{EVENT}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    assert "text/turtle (Turtle)" in response.get_data(as_text=True)


def test_bad_accept_header_is_400(client: FlaskClient) -> None:
    response = client.get(f"/id/{EVENT}", headers={"Accept": "text/turtle;q=2"})
    assert response.status_code == 400
    assert "out of range" in response.get_data(as_text=True)


def test_format_parameter_names_a_format(client: FlaskClient) -> None:
    response = client.get(f"/data/{EVENT}?format=turtle")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "location"),
    [("/dataset", "/void"), ("/graph/asserted", "/void"), ("/ontology/0.1.0", "/ontology")],
)
def test_other_iris_under_the_base_redirect(client: FlaskClient, path: str, location: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == location
