"""The result cache and HTTP validators of /sparql (issue 18): never a stale answer.

A build or an accepted update switches the store link; every request that starts after the
switch must see the new graph, from the cache or not, whoever else is reading meanwhile.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest
from backports import zstd
from flask import Flask, request
from flask.testing import FlaskClient

from peacekg.web.sparql import endpoint
from tests.endpoint.conftest import MINI, TOKEN
from tests.endpoint.test_update import ROUND3_FACTS, _insert
from tests.live import LiveServer

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENTS = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"
BEFORE = [f"{MINI}round1", f"{MINI}round2"]
AFTER = [*BEFORE, f"{MINI}round3"]


def _rows(body: bytes) -> list[str]:
    return [b["r"]["value"] for b in json.loads(body)["results"]["bindings"]]


def _update(client: FlaskClient) -> None:
    response = client.post(
        "/update",
        data=_insert(ROUND3_FACTS).encode(),
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert (response.status_code, response.data) == (204, b"")


@pytest.fixture
def writable_app(fresh_mini: Path, make_app: Callable[..., Flask]) -> Flask:
    return make_app(fresh_mini, update_token=TOKEN, client_concurrency=4)


def test_a_repeated_query_is_a_hit_with_the_same_bytes_and_headers(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": EVENTS})
    second = client.get("/sparql", query_string={"query": EVENTS})
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["X-PeaceKG-Cache"], second.headers["X-PeaceKG-Cache"]) == ("miss", "hit")
    assert second.data == first.data
    assert _rows(second.data) == BEFORE
    for header in ("Content-Type", "ETag", "Last-Modified", "X-PeaceKG-Row-Cap", "Vary"):
        assert second.headers[header] == first.headers[header], header
    # Another Accept is another representation: its own entry and its own tag.
    xml = client.get(
        "/sparql",
        query_string={"query": EVENTS},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert xml.headers["X-PeaceKG-Cache"] == "miss"
    assert xml.headers["ETag"] != first.headers["ETag"]


def test_row_cap_and_truncation_headers_are_part_of_the_cached_answer(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    client = make_app(built_mini, max_rows=1).test_client()
    answers = [client.get("/sparql", query_string={"query": EVENTS}) for _ in range(2)]
    assert [a.headers["X-PeaceKG-Cache"] for a in answers] == ["miss", "hit"]
    for answer in answers:
        assert _rows(answer.data) == [f"{MINI}round1"]
        assert answer.headers["X-PeaceKG-Truncated"] == "true"
        assert answer.headers["X-PeaceKG-Row-Cap"] == "1"


def test_volatile_queries_are_never_cached(client: FlaskClient) -> None:
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = [client.get("/sparql", query_string={"query": query}) for _ in range(2)]
    assert [a.headers["X-PeaceKG-Cache"] for a in answers] == ["miss", "miss"]
    assert answers[0].data != answers[1].data
    assert "ETag" not in answers[0].headers


def test_an_update_is_seen_at_once_by_the_same_query(writable_app: Flask) -> None:
    client = writable_app.test_client()
    for expected in ("miss", "hit"):
        response = client.get("/sparql", query_string={"query": EVENTS})
        assert (_rows(response.data), response.headers["X-PeaceKG-Cache"]) == (BEFORE, expected)
    _update(client)
    response = client.get("/sparql", query_string={"query": EVENTS})
    assert (_rows(response.data), response.headers["X-PeaceKG-Cache"]) == (AFTER, "miss")
    again = client.get("/sparql", query_string={"query": EVENTS})
    assert (_rows(again.data), again.headers["X-PeaceKG-Cache"]) == (AFTER, "hit")


def test_if_none_match_is_304_for_the_current_tag_and_200_after_an_update(
    writable_app: Flask,
) -> None:
    client = writable_app.test_client()
    first = client.get("/sparql", query_string={"query": EVENTS})
    old = first.headers["ETag"]
    assert old.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    held = client.get("/sparql", query_string={"query": EVENTS}, headers={"If-None-Match": old})
    assert (held.status_code, held.data, held.headers["ETag"]) == (304, b"", old)
    _update(client)
    changed = client.get("/sparql", query_string={"query": EVENTS}, headers={"If-None-Match": old})
    assert (changed.status_code, _rows(changed.data)) == (200, AFTER)
    new = changed.headers["ETag"]
    assert new != old
    again = client.get("/sparql", query_string={"query": EVENTS}, headers={"If-None-Match": new})
    assert (again.status_code, again.data) == (304, b"")


def test_concurrent_readers_never_see_the_old_rows_after_the_update(
    writable_app: Flask, serve: Callable[[Flask], LiveServer]
) -> None:
    """Readers query in a loop over HTTP while the update commits; each request that a reader
    starts after the update's 204 must have the new row, hit or miss."""
    live = serve(writable_app)
    port = int(live.url.rsplit(":", 1)[1])
    target = "/sparql?" + urllib.parse.urlencode({"query": EVENTS})
    updated = threading.Event()
    wanted_after = 20
    seen: list[list[tuple[bool, list[str], str]]] = [[] for _ in range(3)]
    failures: list[BaseException] = []

    def reader(index: int) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            after = 0
            while after < wanted_after:
                started_after = updated.is_set()
                connection.request("GET", target)
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200, body
                seen[index].append(
                    (started_after, _rows(body), response.headers["X-PeaceKG-Cache"])
                )
                after += started_after
            connection.close()
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    _update(writable_app.test_client())
    updated.set()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    for rows in seen:
        late = [(r, c) for started_after, r, c in rows if started_after]
        assert len(late) == wanted_after
        assert all(r == AFTER for r, _ in late), late
        assert {c for _, c in late} <= {"hit", "miss"}
        assert all(r in (BEFORE, AFTER) for _, r, _ in rows)
    # After the switch, the repeated query is answered from the cache again.
    assert any(c == "hit" for rows in seen for started_after, _, c in rows if started_after)


def test_the_cache_stays_within_its_byte_bound(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    bound = 4000
    client = make_app(built_mini, result_cache_bytes=bound).test_client()
    cache = endpoint(client.application).cache
    assert cache is not None
    queries = [
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {n}"
        for n in (1, 2, 3, 4, 5, 6)
    ]
    for query in queries:
        assert (
            client.get("/sparql", query_string={"query": query}).headers["X-PeaceKG-Cache"]
            == "miss"
        )
        assert 0 < cache.size <= bound
    held = len(cache)
    assert 0 < held < len(queries)  # the bound evicted some of them
    # The newest is still there, the oldest went first.
    assert (
        client.get("/sparql", query_string={"query": queries[-1]}).headers["X-PeaceKG-Cache"]
        == "hit"
    )
    assert (
        client.get("/sparql", query_string={"query": queries[0]}).headers["X-PeaceKG-Cache"]
        == "miss"
    )
    assert cache.size <= bound
    # An answer larger than the whole bound is served but never kept.
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    answers = [client.get("/sparql", query_string={"query": big}) for _ in range(2)]
    assert len(answers[0].data) > bound
    assert [a.headers["X-PeaceKG-Cache"] for a in answers] == ["miss", "miss"]
    assert cache.size <= bound


def test_the_cache_can_be_switched_off(built_mini: Path, make_app: Callable[..., Flask]) -> None:
    client = make_app(built_mini, result_cache_bytes=0).test_client()
    answers = [client.get("/sparql", query_string={"query": EVENTS}) for _ in range(2)]
    assert [a.headers["X-PeaceKG-Cache"] for a in answers] == ["miss", "miss"]
    assert endpoint(client.application).cache is None


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [("gzip", gzip.decompress), ("br", brotli.decompress), ("zstd", zstd.decompress)],
)
def test_a_compressed_answer_decodes_to_the_same_bytes(
    client: FlaskClient, encoding: str, decode: Callable[[bytes], bytes]
) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    plain = client.get("/sparql", query_string={"query": query})
    packed = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept-Encoding": encoding}
    )
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert len(packed.data) < len(plain.data)
    assert decode(packed.data) == plain.data
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + f':{encoding}"'
    assert packed.headers["Vary"] == "Accept, Accept-Encoding"
    # The compressed variant's tag gives a 304 too.
    held = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]},
    )
    assert (held.status_code, held.data) == (304, b"")


def test_http_max_age_sets_the_freshness_lifetime(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    client = make_app(built_mini, http_max_age=60).test_client()
    response = client.get("/sparql", query_string={"query": EVENTS})
    assert response.headers["Cache-Control"] == "public, max-age=60"
    held = client.get(
        "/sparql",
        query_string={"query": EVENTS},
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert (held.status_code, held.headers["Cache-Control"]) == (304, "public, max-age=60")
    assert held.headers["ETag"] == response.headers["ETag"]
    assert response.headers["Last-Modified"]  # the 304 may omit it (RFC 9110 15.4.5)


def test_surrounding_whitespace_does_not_make_another_entry(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": EVENTS})
    padded = client.get("/sparql", query_string={"query": f"\n  {EVENTS}\n\n"})
    inner = client.get("/sparql", query_string={"query": EVENTS.replace(" ", "  ", 1)})
    assert [r.headers["X-PeaceKG-Cache"] for r in (first, padded, inner)] == ["miss", "hit", "miss"]
    assert padded.data == inner.data == first.data


def test_a_plain_hit_skips_flask_with_the_same_answer(
    built_mini: Path, make_app: Callable[..., Flask]
) -> None:
    """The middleware's hit carries exactly what the blueprint's hit carries."""
    app = make_app(built_mini)
    dispatched: list[str] = []
    app.before_request(lambda: dispatched.append(request.path) and None)
    client = app.test_client()
    params = {"query": EVENTS, "format": "csv"}
    miss = client.get("/sparql", query_string=params)
    assert (miss.headers["X-PeaceKG-Cache"], dispatched) == ("miss", ["/sparql"])
    fast = client.get("/sparql", query_string=params)
    assert dispatched == ["/sparql"]  # answered before Flask
    # An Accept-Encoding the server has no coder for goes through Flask: a hit there too.
    flask = client.get("/sparql", query_string=params, headers={"Accept-Encoding": "x-unknown"})
    assert dispatched == ["/sparql", "/sparql"]
    assert fast.data == flask.data == miss.data
    assert fast.status_code == flask.status_code == 200
    assert dict(fast.headers) == dict(flask.headers)
    assert fast.headers["X-PeaceKG-Cache"] == "hit"
    # Conditional requests are Flask's, and so is the first request with an Accept-Encoding.
    client.get("/sparql", query_string=params, headers={"If-None-Match": fast.headers["ETag"]})
    assert len(dispatched) == 3


@pytest.mark.parametrize("accept", ["gzip", "br;q=0.5, zstd", "x-unknown"])
def test_a_compressed_hit_is_the_body_compressed_once(
    built_mini: Path, make_app: Callable[..., Flask], accept: str
) -> None:
    """Flask-Compress encodes the first answer for an Accept-Encoding; the cache keeps its
    choice and body, and the middleware sends them on (issue 18)."""
    app = make_app(built_mini)
    dispatched: list[str] = []
    app.before_request(lambda: dispatched.append(request.path) and None)
    client = app.test_client()
    params = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"}
    headers = {"Accept-Encoding": accept}
    miss = client.get("/sparql", query_string=params, headers=headers)  # compressed by Flask
    fast = client.get("/sparql", query_string=params, headers=headers)
    assert len(dispatched) == 1  # the miss's coding and body were kept
    assert (miss.headers["X-PeaceKG-Cache"], fast.headers["X-PeaceKG-Cache"]) == ("miss", "hit")
    assert fast.data == miss.data
    expected = {**dict(miss.headers), "X-PeaceKG-Cache": "hit", "Date": fast.headers["Date"]}
    assert dict(fast.headers) == expected
    coding = {"gzip": "gzip", "br;q=0.5, zstd": "zstd", "x-unknown": None}[accept]
    assert fast.headers.get("Content-Encoding") == coding
    plain = client.get("/sparql", query_string=params)
    decode = {"gzip": gzip.decompress, "zstd": zstd.decompress, None: bytes}[coding]
    assert decode(fast.data) == plain.data
    etag = plain.headers["ETag"] if coding is None else plain.headers["ETag"][:-1] + f':{coding}"'
    assert fast.headers["ETag"] == etag
    # Another coding for another header, both kept within the cache's bound.
    cache = endpoint(app).cache
    assert cache is not None
    other = client.get("/sparql", query_string=params, headers={"Accept-Encoding": "br"})
    assert other.headers["Content-Encoding"] == "br"
    assert brotli.decompress(other.data) == plain.data
    assert cache.size <= cache.max_bytes


def test_the_memoised_key_still_tells_requests_apart(client: FlaskClient) -> None:
    """The hit middleware memoises a GET's key on its raw fields: another Accept, Host or
    parameter is another key, and the same request again is a hit (issue 18)."""
    params = {"query": EVENTS}
    first = client.get("/sparql", query_string=params)
    variants = [
        client.get("/sparql", query_string=params, headers={"Accept": "text/csv"}),
        client.get("/sparql", query_string=params, headers={"Host": "other.example"}),
        client.get("/sparql", query_string={**params, "view": "asserted"}),
    ]
    again = client.get("/sparql", query_string=params)
    assert [r.headers["X-PeaceKG-Cache"] for r in (first, *variants, again)] == [
        "miss",
        "miss",
        "miss",
        "miss",
        "hit",
    ]
    assert variants[0].content_type.startswith("text/csv")
    assert again.data == first.data
