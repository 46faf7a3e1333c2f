"""Bodies nested deep enough to overflow a parser's stack: 400 naming the limit, no crash.

A real ``peacekg serve`` process, since before the limit such a request segfaulted it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import serve_process
from tests.server.test_serve_process import _peacekg, _rows

pytestmark = pytest.mark.slow

TOKEN = "depth-token"  # noqa: S105 - a test token
LIMIT = 200
ROWS = ["http://example.org/mini#round1", "http://example.org/mini#round2"]


@pytest.fixture
def port(mini: Path) -> Iterator[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env["PEACEKG_UPDATE_TOKEN"] = TOKEN
    env["PEACEKG_QUERY_WORKERS"] = "1"
    env["PEACEKG_MAX_NESTING_DEPTH"] = os.environ.get("DEPTH_UNDER_TEST", str(LIMIT))
    served = serve_process([*_peacekg(mini, "serve"), "--port", "0"], cwd=mini, env=env)
    try:
        yield served.port
        assert served.process.poll() is None, f"the server died ({served.process.returncode})"
    finally:
        served.stop()


def _send(url: str, data: bytes | None = None, content_type: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(
        url,
        data=data,
        headers=headers,
        method="PUT" if content_type == "application/ld+json" else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _message(what: str, depth: int) -> str:
    return (
        f"{what} nests brackets {depth} deep, deeper than the server's max_nesting_depth "
        f"of {LIMIT}\n"
    )


def _query(port: int, depth: int) -> tuple[int, str]:
    text = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    return _send(f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": text}))


def test_a_deep_update_is_400_and_the_server_lives(port: int) -> None:
    update = "INSERT { <http://a> <http://b> <http://c> } WHERE " + "{" * 5000 + "}" * 5000
    status, body = _send(
        f"http://127.0.0.1:{port}/update", update.encode(), "application/sparql-update"
    )
    assert (status, body) == (400, _message("the update", 5000))
    assert _rows(port) == ROWS


def test_a_deep_json_ld_body_to_a_refused_graph_is_400_and_the_server_lives(port: int) -> None:
    body = '{"@id": "http://a", "http://b": ' + '{"http://b": ' * 4000 + '"x"' + "}" * 4001
    graph = urllib.parse.quote("https://w3id.org/peacekg/graph/inferred", safe="")
    status, text = _send(
        f"http://127.0.0.1:{port}/store?graph={graph}", body.encode(), "application/ld+json"
    )
    assert (status, text) == (400, _message("the graph", 4001))
    assert _rows(port) == ROWS


def test_a_deep_query_is_400_and_the_limit_itself_is_answered(port: int) -> None:
    assert _query(port, 2300) == (400, _message("the query", 2300))
    assert _query(port, LIMIT + 1) == (400, _message("the query", LIMIT + 1))
    status, body = _query(port, LIMIT)
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) > 0
    assert _rows(port) == ROWS
