"""A real Virtuoso 7 (Debian ``virtuoso-opensource``) from a temporary directory, for tests.

The database, its log and its own ``virtuoso.ini`` live in the directory given; nothing of
the package's system service is used. Virtuoso cannot take port 0 (it checks that it can
connect to itself on the configured port), so it is given two ports the OS just handed out
and, should another process take one before Virtuoso binds it, started again on new ones.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

#: The database administrator Virtuoso creates with a new database.
USER, PASSWORD = "dba", "dba"
_ATTEMPTS = 5

_INI = """\
[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 85000
MaxDirtyBuffers = 65000
ThreadsPerQuery = 2
CheckpointInterval = 60
; A push's switch is one transaction: its log entry for LUBM(10) (1.27 million triples moved)
; went past the default 50 MB ("SR325: ... log after image size went above the limit").
TransactionAfterImageLimit = 2000000000

[HTTPServer]
ServerPort = {http_port}
ServerRoot = .
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
; Above PeaceKG's max_rows (10000 by default), so that PeaceKG's announced cap acts first.
ResultSetMaxRows = 1000000
; No server-wide cap: it ends updates too, and the switch of a big push is one update
; (LUBM(10) was refused with "SR171: Transaction timed out" at 60 s). PeaceKG passes each
; query's own limit as the timeout parameter.
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its HTTP base URL and the endpoints PeaceKG uses."""

    url: str
    directory: Path

    @property
    def query_url(self) -> str:
        return self.url + "/sparql"

    @property
    def update_url(self) -> str:
        return self.url + "/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return self.url + "/sparql-graph-crud-auth"


def virtuoso_binary() -> str:
    """``virtuoso-t`` on PATH (scripts/install-virtuoso.sh installs it)."""
    found = shutil.which("virtuoso-t")
    if found is None:
        pytest.fail("Virtuoso is not installed: run scripts/install-virtuoso.sh")
    return found


def _up(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    """True once the SPARQL endpoint answers; False when the process exited first."""
    probe = url + "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Virtuoso did not answer at {url} within {seconds} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def virtuoso_server(directory: Path) -> Iterator[Virtuoso]:
    """Run a fresh Virtuoso database in ``directory``; stopped (SIGTERM) on exit."""
    binary = virtuoso_binary()
    for _attempt in range(_ATTEMPTS):
        for stale in directory.glob("virtuoso*"):
            stale.unlink()
        directory.mkdir(parents=True, exist_ok=True)
        http_port = free_port()
        (directory / "virtuoso.ini").write_text(
            _INI.format(sql_port=free_port(), http_port=http_port), encoding="utf-8"
        )
        process = subprocess.Popen(
            [binary, "-f", "-c", "virtuoso.ini"],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{http_port}"
        try:
            if _up(url, process, 120):
                yield Virtuoso(url, directory)
                return
        finally:
            _stop(process)
    log = directory / "virtuoso.log"
    tail = log.read_text(errors="replace")[-2000:] if log.is_file() else "(no log)"
    pytest.fail(f"Virtuoso did not start in {_ATTEMPTS} attempts; its log ends:\n{tail}")
