"""A real ``oxigraph serve`` (PyPI ``oxigraph``) on a free 127.0.0.1 port, for tests.

Used as the remote SPARQL 1.1 store and as the local Wikidata stand-in: never a mock.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port


def oxigraph_cli() -> str:
    """The ``oxigraph`` server CLI next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    probe = url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph exited with {process.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"oxigraph did not answer at {url} within {seconds} s")


@contextmanager
def oxigraph_server(location: Path, *, read_only: bool = False) -> Iterator[str]:
    """Serve the store at ``location``; yields the base URL (``/query``, ``/update``...)."""
    port = free_port()
    command = "serve-read-only" if read_only else "serve"
    process = subprocess.Popen(
        [oxigraph_cli(), command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
