"""A real ``oxigraph serve`` (PyPI ``oxigraph``) on an OS-given 127.0.0.1 port, for tests.

Used as the remote SPARQL 1.1 store and as the local Wikidata stand-in: never a mock.
"""

from __future__ import annotations

import os
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


def oxigraph_cli() -> str:
    """The ``oxigraph`` server CLI next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def listening_port(pid: int) -> int | None:
    """The TCP port process ``pid`` listens on over IPv4, read from Linux's /proc; None yet.

    ``oxigraph serve --bind 127.0.0.1:0`` lets the OS pick the port but announces ``:0``,
    so the port is looked up by the listening socket's inode among the process's files.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            with_target = os.readlink(fd)
        except FileNotFoundError:  # closed between the listing and the read (seen under load)
            continue
        if with_target.startswith("socket:["):
            inodes.add(with_target[8:-1])
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
            return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def _wait_until_up(process: subprocess.Popen[bytes], seconds: float = 120.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph exited with {process.returncode}")
        port = listening_port(process.pid)
        if port is not None:
            url = f"http://127.0.0.1:{port}"
            probe = url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return url
            except OSError:
                pass
        time.sleep(0.05)
    pytest.fail(f"oxigraph did not answer within {seconds} s")


@contextmanager
def oxigraph_server(
    location: Path, *, read_only: bool = False, timeout_s: int | None = None
) -> Iterator[str]:
    """Serve the store at ``location``; yields the base URL (``/query``, ``/update``...).

    ``timeout_s`` starts the server with its own query time limit (``--timeout-s``).
    """
    command = "serve-read-only" if read_only else "serve"
    extra = [] if timeout_s is None else ["--timeout-s", str(timeout_s)]
    process = subprocess.Popen(
        [oxigraph_cli(), command, "--location", str(location), "--bind", "127.0.0.1:0", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield _wait_until_up(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
