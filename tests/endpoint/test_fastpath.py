"""Plain query misses answered before Flask carry what Flask's answer carries (issue 18).

Two real servers over the same built store: one as served (the middleware answers plain
queries), one with the middleware taken off, so Flask answers everything. Each request goes
to both with the same ``Host``; status, body and every header but ``Date`` must be equal,
and the first server must not have dispatched it through Flask.
"""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, request
from werkzeug.wrappers import Request

from peacekg.web import hitpath
from tests.live import LiveServer

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
FORM = "application/x-www-form-urlencoded"


def _send(
    live: LiveServer, method: str, target: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes, dict[str, str]]:
    host, port = live.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        # One Host for both servers: the endpoint URL is part of the cache key and ETag.
        names = {"Host": "peacekg.test"}
        names.update({name.replace("_", "-"): value for name, value in headers.items()})
        connection.request(method, target, body=body or None, headers=names)
        response = connection.getresponse()
        data = response.read()
        found = {k.lower(): v for k, v in response.getheaders() if k.lower() != "date"}
        return response.status, data, found
    finally:
        connection.close()


def _get(**params: str) -> str:
    return "/sparql?" + urllib.parse.urlencode(params)


_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"
_PAST = "Thu, 01 Jan 1970 00:00:00 GMT"
#: (method, target, body, headers, expected status): plain queries and their errors.
CASES = [
    ("GET", _get(query=ALL + " LIMIT 3"), b"", {"Accept": "application/sparql-results+json"}, 200),
    ("GET", _get(query=ALL, format="csv"), b"", {}, 200),
    ("GET", _get(query=ALL + " LIMIT 1"), b"", {"Accept_Encoding": "identity"}, 200),
    (
        "POST",
        "/sparql",
        urllib.parse.urlencode({"query": ALL + " LIMIT 2", "format": "tsv"}).encode(),
        {"Content_Type": FORM},
        200,
    ),
    (
        "POST",
        "/sparql",
        (ALL + " LIMIT 4").encode(),
        {"Content_Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
        200,
    ),
    (
        "GET",
        _get(query="CONSTRUCT WHERE { <http://example.org/mini#Event> rdfs:label ?o }"),
        b"",
        {"Accept": "application/n-triples"},
        200,
    ),
    ("GET", _get(query="ASK { ?s ?p ?o }"), b"", {}, 200),
    # If-Modified-Since: werkzeug's conditional answer (304 after the store was written).
    ("GET", _get(query=ALL + " LIMIT 3"), b"", {"If_Modified_Since": _FUTURE}, 304),
    ("GET", _get(query=ALL + " LIMIT 3"), b"", {"If_Modified_Since": _PAST}, 200),
    ("GET", _get(query=ALL), b"", {}, 200),  # more than max_rows: cut, with its headers
    ("GET", _get(query="SELECT * WHERE { ?s rdfs:label ?o . FILTER("), b"", {}, 400),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", b"", {}, 400),
    ("GET", _get(query="ASK {}", update="CLEAR ALL"), b"", {}, 400),
    (
        "GET",
        _get(query="SELECT * WHERE { SERVICE <http://example.net/sparql> { ?s ?p ?o } }"),
        b"",
        {},
        403,
    ),
    ("GET", _get(query="ASK {}", view="nope"), b"", {}, 400),
    ("GET", _get(query="ASK {}", **{"default-graph-uri": "not an iri"}), b"", {}, 400),
    ("GET", _get(query="SELECT * WHERE { ?s ?p ?o }"), b"", {"Accept": "image/png"}, 406),
    ("GET", _get(query="ASK {}", format="nope"), b"", {}, 400),
    ("POST", "/sparql", b"format=json", {"Content_Type": FORM}, 400),
    (
        "POST",
        "/sparql",
        b"ASK {}",
        {"Content_Type": "application/sparql-query; charset=latin-1"},
        415,
    ),
    ("POST", "/sparql", b"\xff ASK {}", {"Content_Type": "application/sparql-query"}, 400),
    (
        "POST",
        "/sparql?query=ASK%7B%7D",
        b"ASK {}",
        {"Content_Type": "application/sparql-query"},
        400,
    ),
    ("GET", _get(query="ASK {" * 200 + "}" * 200), b"", {}, 400),
]


@pytest.fixture
def servers(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
) -> tuple[LiveServer, LiveServer, list[str]]:
    """The served app (its Flask dispatches recorded) and one without the middleware."""
    fast = make_app(built_mini, max_rows=5, max_nesting_depth=50)
    dispatched: list[str] = []
    fast.before_request(lambda: dispatched.append(request.path) and None)
    flask_only = make_app(built_mini, max_rows=5, max_nesting_depth=50)
    flask_only.wsgi_app = flask_only.wsgi_app.wsgi  # type: ignore[attr-defined]
    lives = serve(fast), serve(flask_only)
    for live in lives:  # the first query creates the endpoint (through Flask)
        assert _send(live, "GET", _get(query="ASK { }"))[0] == 200
    dispatched.clear()
    return lives[0], lives[1], dispatched


@pytest.mark.parametrize(("method", "target", "body", "headers", "status"), CASES)
def test_a_plain_query_skips_flask_with_flask_s_answer(
    servers: tuple[LiveServer, LiveServer, list[str]],
    method: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    fast, flask_only, dispatched = servers
    answer = _send(fast, method, target, body, **headers)
    expected = _send(flask_only, method, target, body, **headers)
    assert answer[0] == status
    assert answer == expected
    assert dispatched == []
    if status == 200:
        assert answer[2]["x-peacekg-cache"] == "miss"
        assert "etag" in answer[2]


def test_the_cut_answer_announces_the_cap(
    servers: tuple[LiveServer, LiveServer, list[str]],
) -> None:
    fast, _, dispatched = servers
    status, body, headers = _send(fast, "GET", _get(query=ALL, format="tsv"))
    assert (status, headers["x-peacekg-truncated"], headers["x-peacekg-row-cap"]) == (
        200,
        "true",
        "5",
    )
    assert len(body.decode().splitlines()) == 6  # the header line and five rows
    assert dispatched == []


@pytest.mark.parametrize(
    ("method", "target", "headers"),
    [
        ("GET", _get(query="ASK {}"), {"Accept_Encoding": "gzip"}),  # Flask-Compress's
        ("GET", _get(query="ASK {}"), {"If_None_Match": '"x"'}),
        ("HEAD", _get(query="ASK {}"), {}),
        ("OPTIONS", "/sparql", {}),
        ("PUT", "/sparql", {}),
        ("POST", "/sparql", {"Content_Type": "text/plain"}),
        ("POST", "/update", {"Content_Type": "application/sparql-update"}),
    ],
)
def test_other_requests_go_through_flask(
    servers: tuple[LiveServer, LiveServer, list[str]],
    method: str,
    target: str,
    headers: dict[str, str],
) -> None:
    fast, flask_only, dispatched = servers
    answer = _send(fast, method, target, b"ASK {}" if method == "POST" else b"", **headers)
    expected = _send(flask_only, method, target, b"ASK {}" if method == "POST" else b"", **headers)
    assert answer == expected
    assert dispatched == [target.partition("?")[0]]


def test_the_service_description_goes_through_flask(
    servers: tuple[LiveServer, LiveServer, list[str]],
) -> None:
    fast, _, dispatched = servers
    status, body, headers = _send(fast, "GET", "/sparql", Accept="text/turtle")
    assert (status, headers["content-type"]) == (200, "text/turtle; charset=utf-8")
    assert b"sd:Service" in body
    assert dispatched == ["/sparql"]


def _environ(query: str) -> dict[str, str]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": urllib.parse.urlencode({"query": query}),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }


def test_the_key_memo_gives_the_parsed_key_and_stays_bounded() -> None:
    """A cold request (a new text each time) is parsed once and leaves its request for the
    miss; the same fields again come from the memo with the same key; the memo never holds
    more than its bound however many distinct texts arrive."""
    first = _environ("ASK {}")
    key = hitpath.hit_key(first)
    assert key is not None and isinstance(first[hitpath.REQUEST], Request)
    again = _environ("ASK {}")
    assert hitpath.hit_key(again) == key and hitpath.REQUEST not in again
    for n in range(hitpath._MEMO_ENTRIES + 1):
        assert hitpath.hit_key(_environ(f"ASK {{}} # {n}")) is not None
        assert len(hitpath._memo) <= hitpath._MEMO_ENTRIES
