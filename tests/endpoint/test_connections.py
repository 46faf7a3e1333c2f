"""Slow-loris: connections that never finish their headers cannot lock clients out."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from peacekg.web.sparql import endpoint
from tests.endpoint.conftest import MINI, TOKEN, LiveServer
from tests.endpoint.test_update import (
    AUTH,
    ROUND3,
    ROUND3_FACTS,
    ROUND3_PROVENANCE,
    _insert,
)

pytestmark = pytest.mark.slow

LIMIT = 20
ASK = urllib.parse.urlencode({"query": "ASK {}"})


@pytest.fixture
def half_open() -> Iterator[list[socket.socket]]:
    sockets: list[socket.socket] = []
    yield sockets
    for sock in sockets:
        sock.close()


def _open_half(server: LiveServer, count: int, into: list[socket.socket]) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the headers never end
        into.append(sock)


def _alive(sock: socket.socket) -> bool:
    """Whether the server still holds ``sock`` open (a dropped one reads as EOF)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_more_half_open_connections_than_the_limit_do_not_lock_clients_out(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    half_open: list[socket.socket],
) -> None:
    # Timeouts far beyond the test's time: only the shedding at the limit can help.
    server = serve(
        make_app(built_mini, connection_limit=LIMIT, channel_timeout=600, cleanup_interval=600)
    )
    _open_half(server, LIMIT + 10, half_open)
    started = time.monotonic()
    with urllib.request.urlopen(f"{server.url}/sparql?{ASK}", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"head": {}, "boolean": True}
    assert time.monotonic() - started < 10
    # The oldest half-open connections were the ones dropped; the newest are still open.
    assert not _alive(half_open[0])
    assert _alive(half_open[-1])


def test_idle_connections_are_dropped_after_the_channel_timeout(
    built_mini: Path,
    make_app: Callable[..., Flask],
    serve: Callable[[Flask], LiveServer],
    half_open: list[socket.socket],
) -> None:
    server = serve(make_app(built_mini, channel_timeout=1, cleanup_interval=1))
    _open_half(server, 3, half_open)
    for sock in half_open:
        sock.settimeout(30)
        # Blocks until the server closes it: EOF within the timeout plus one cleanup.
        started = time.monotonic()
        assert sock.recv(1) == b""
        assert time.monotonic() - started < 30


RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"
)


def _get(server: LiveServer, query: str, source: str) -> tuple[int, dict[str, str], bytes]:
    """GET a query from the loopback address ``source`` (any 127.x.y.z is this machine)."""
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=60, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_client_at_its_concurrency_limit_gets_429_and_others_are_served(
    built_mini: Path, make_app: Callable[..., Flask], serve: Callable[[Flask], LiveServer]
) -> None:
    app = make_app(built_mini, client_concurrency=1, query_timeout=5.0, query_workers=2)
    server = serve(app)
    slots = endpoint(app).slots
    outcomes: list[int] = []
    runaway = threading.Thread(
        target=lambda: outcomes.append(_get(server, RUNAWAY, "127.0.0.1")[0]), daemon=True
    )
    runaway.start()
    assert slots.wait_for("127.0.0.1", 1, timeout=30)
    status, headers, body = _get(server, "ASK {}", "127.0.0.1")
    assert (status, headers["Retry-After"], body) == (
        429,
        "1",
        b"127.0.0.1 is at its limit of 1 concurrent queries (the server's "
        b"client_concurrency); wait for one to finish\n",
    )
    # Another client is answered meanwhile, by the other worker.
    status, _headers, body = _get(server, "ASK {}", "127.0.0.2")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    runaway.join(timeout=60)
    assert outcomes == [503]
    assert slots.running("127.0.0.1") == 0
    assert _get(server, "ASK {}", "127.0.0.1")[0] == 200


def test_updates_past_the_queue_are_refused_at_once_and_reads_go_on(
    fresh_mini: Path, make_app: Callable[..., Flask], serve: Callable[[Flask], LiveServer]
) -> None:
    app = make_app(fresh_mini, update_token=TOKEN, max_queued_updates=2)
    server = serve(app)
    updater = endpoint(app).updater
    assert updater is not None
    port = int(server.url.rsplit(":", 1)[1])

    def post(index: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request(
                "POST",
                "/update",
                body=_insert(
                    ROUND3_FACTS.replace("round3", f"round3x{index}"),
                    graph=ROUND3 + f"x{index}",
                    provenance=ROUND3_PROVENANCE.replace(ROUND3, ROUND3 + f"x{index}"),
                ).encode(),
                headers={**AUTH, "Content-Type": "application/sparql-update"},
            )
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    statuses: list[int] = []
    # A change in progress (its commit lock taken here) keeps the two admitted ones waiting.
    with updater._lock:
        waiting = [
            threading.Thread(target=lambda i=i: statuses.append(post(i)), daemon=True)
            for i in range(2)
        ]
        for thread in waiting:
            thread.start()
        assert updater.wait_admitted(2, timeout=30)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "POST",
            "/update",
            body=_insert(ROUND3_FACTS).encode(),
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        refused = connection.getresponse()
        assert (refused.status, refused.getheader("Retry-After"), refused.read()) == (
            503,
            "5",
            b"2 changes are already running or waiting (the server's max_queued_updates); "
            b"try again shortly\n",
        )
        connection.close()
        # Reads are answered while the updates wait.
        status, _headers, body = _get(server, "ASK {}", "127.0.0.1")
        assert (status, json.loads(body)["boolean"]) == (200, True)
    for thread in waiting:
        thread.join(timeout=120)
    assert statuses == [204, 204]
    status, _headers, body = _get(
        server, f"ASK {{ <{MINI}round3x0> a ?c . <{MINI}round3x1> a ?c }}", "127.0.0.1"
    )
    assert json.loads(body)["boolean"] is True
