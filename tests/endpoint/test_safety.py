"""Safe defaults against a real server: the timeout stops the work, no unlisted outbound calls."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from peacekg.web.sparql import endpoint
from tests.endpoint.conftest import MINI, TOKEN, LiveServer

pytestmark = pytest.mark.slow

# 35 triples joined with themselves seven times: 35**7 (6.4e10) solutions to count.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"
)
EVENTS = f"SELECT ?r WHERE {{ ?r a <{MINI}Event> }} ORDER BY ?r"


def _request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _query(server: LiveServer, query: str) -> tuple[int, dict[str, str], bytes]:
    return _request(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}))


def _rows(body: bytes) -> list[str]:
    return [b["r"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_timeout_stops_the_query_and_the_next_one_is_served(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
) -> None:
    # 5 s, not 1: the first query of a fresh worker on a loaded CI machine (two suites and
    # other jobs on two cores) took over a second and was stopped as a runaway.
    server = serve(make_app(built_mini, query_timeout=5.0, query_workers=2))
    assert _rows(_query(server, EVENTS)[2]) == [f"{MINI}round1", f"{MINI}round2"]
    pool = endpoint(server.app).pool
    assert pool is not None
    before = pool.pids()

    started = time.monotonic()
    status, headers, body = _query(server, RUNAWAY)
    elapsed = time.monotonic() - started
    assert status == 503
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == (
        b"query stopped after 5 s (the server's query_timeout); narrow it down or add a LIMIT\n"
    )
    # Only a generous bound (the CI machine is small and shared): the runaway query would
    # take hours, so being answered within 60 s proves it was stopped.
    assert elapsed < 60.0

    # The worker that ran it is gone (killed, not left computing), and the next query is
    # answered by another warm worker.
    status, _headers, body = _query(server, EVENTS)
    assert status == 200
    assert _rows(body) == [f"{MINI}round1", f"{MINI}round2"]
    killed = before - pool.pids()
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)


class Listener:
    """A real socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def test_service_to_a_port_not_on_the_allowlist_makes_no_connection(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    listener: Listener,
) -> None:
    server = serve(make_app(built_mini))
    status, _headers, body = _query(
        server, f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    )
    assert status == 403
    assert body.decode() == (
        f"SERVICE <{listener.url}> is not allowed on this server; "
        "allowed endpoints: <https://query.wikidata.org/sparql>\n"
    )
    status, _headers, body = _query(server, "SELECT * { SERVICE ?e { ?s ?p ?o } }")
    assert status == 403
    # FROM names a graph of the store; it never fetches the IRI.
    status, _headers, body = _query(
        server,
        f"SELECT * FROM <http://127.0.0.1:{listener.port}/data.ttl> {{ ?s ?p ?o }}",  # noqa: S608
    )
    assert (status, json.loads(body)["results"]["bindings"]) == (200, [])
    time.sleep(0.5)
    assert listener.connections == []


def test_allowlisted_service_is_called(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    listener: Listener,
) -> None:
    """The control: the same SERVICE, once allowed, does reach the socket."""
    server = serve(make_app(built_mini, service_allowlist=(listener.url,)))
    status, _headers, body = _query(
        server, f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    )
    assert status == 502
    assert body.startswith(b"a SERVICE endpoint failed: ")
    assert len(listener.connections) == 1
    assert listener.connections[0].startswith(b"POST /sparql HTTP/1.1\r\n")


def test_load_is_refused_without_a_connection(
    fresh_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    listener: Listener,
) -> None:
    server = serve(make_app(fresh_mini, update_token=TOKEN))
    status, _headers, body = _request(
        f"{server.url}/update",
        data=f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>".encode(),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    assert (status, body) == (
        403,
        b"LOAD is not allowed on this server: it would fetch a remote document\n",
    )
    time.sleep(0.5)
    assert listener.connections == []
