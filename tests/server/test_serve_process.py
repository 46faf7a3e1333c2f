"""A real ``peacekg serve`` process on 127.0.0.1, queried over HTTP, then stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import ServeProcess, serve_process
from tests.mini import add_assertion, data_file

pytestmark = pytest.mark.slow

QUERY = "SELECT ?r WHERE { ?r a <http://example.org/mini#Event> } ORDER BY ?r"


def _get(url: str, timeout: float = 120.0) -> tuple[int, bytes]:
    """GET ``url``; the timeout is only a safety net for a hung server (a busy CI machine can
    take seconds for a first query), never a way of waiting for one to start."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _rows(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": QUERY})
    status, body = _get(url)
    assert status == 200
    return [b["r"]["value"] for b in json.loads(body)["results"]["bindings"]]


def _peacekg(project: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "peacekg",
        *args,
        "--ontology-dir",
        str(project / "ontology"),
        "--data-dir",
        str(project / "data"),
        "--queries-dir",
        str(project / "queries"),
        "--build-dir",
        str(project / "build"),
    ]


@pytest.fixture
def server(mini: Path) -> Iterator[tuple[int, ServeProcess]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    served = serve_process([*_peacekg(mini, "serve"), "--port", "0"], cwd=mini, env=env)
    try:
        yield served.port, served
    finally:
        if served.process.poll() is None:
            served.stop()


def test_serve_builds_then_answers_and_survives_a_broken_build(
    server: tuple[int, ServeProcess], mini: Path
) -> None:
    port, _process = server
    assert _rows(port) == ["http://example.org/mini#round1", "http://example.org/mini#round2"]

    data = data_file(mini)
    good = data.read_text()
    data.write_text(good + "ex:broken ex:p .\n", encoding="utf-8")
    broken = subprocess.run(_peacekg(mini, "build"), capture_output=True, text=True, cwd=mini)
    assert broken.returncode == 2
    line = good.count("\n") + 1
    assert f"error: {data}:{line}:16: . is not a valid RDF object" in broken.stderr
    assert _rows(port) == ["http://example.org/mini#round1", "http://example.org/mini#round2"]

    data.write_text(good, encoding="utf-8")
    add_assertion(mini, "mini-r3", 'ex:r3 a ex:Round ; rdfs:label "R3" .', "R3")
    rebuilt = subprocess.run(_peacekg(mini, "build"), capture_output=True, text=True, cwd=mini)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _rows(port) == [
        "http://example.org/mini#r3",
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
    ]


def test_serve_prints_where_to_go(server: tuple[int, ServeProcess]) -> None:
    port, served = server
    output = served.stop()
    assert served.process.returncode in {0, -15}
    assert f"serving at http://127.0.0.1:{port}/ (SPARQL endpoint: " in output
    # ontology 14, asserted 12, provenance 71, inferred 9, five assertions 13 (see test_build)
    assert "[store] 119 triples in 9 graphs" in output


def test_serve_on_a_taken_port_says_so_and_exits_2(mini: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
        result = subprocess.run(
            [*_peacekg(mini, "serve"), "--port", str(port)],
            cwd=mini,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: " in result.stderr
    assert "serving at" not in result.stderr


def test_serve_with_a_broken_source_serves_the_last_good_store(mini: Path) -> None:
    """A curator's typo must not take the graph offline: serve warns and serves the last build."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    built = subprocess.run(_peacekg(mini, "build"), capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    data = data_file(mini)
    data.write_text(data.read_text() + "ex:broken ex:p .\n", encoding="utf-8")
    served = serve_process([*_peacekg(mini, "serve"), "--port", "0"], cwd=mini, env=env)
    try:
        assert _rows(served.port) == [
            "http://example.org/mini#round1",
            "http://example.org/mini#round2",
        ]
    finally:
        output = served.stop()
    port = served.port
    assert f"error: {data}:" in output
    assert "warning: the build failed (above); serving the last good store store-" in output
    assert f"serving at http://127.0.0.1:{port}/" in output


def test_serve_without_any_store_and_a_broken_source_exits(mini: Path) -> None:
    """With no good store to fall back on, a broken source still fails the command."""
    data = data_file(mini)
    data.write_text(data.read_text() + "ex:broken ex:p .\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    result = subprocess.run(
        [*_peacekg(mini, "serve"), "--port", "0"],
        cwd=mini,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "serving at" not in result.stderr
