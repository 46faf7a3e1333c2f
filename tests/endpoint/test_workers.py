"""The worker pool on its own: results, timeouts, and no worker outliving the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peacekg.workers import Job, QueryTimeout, WorkerPool
from tests.endpoint.conftest import MINI

RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"
)


def _store_dir(project: Path) -> str:
    link = project / "build" / "store"
    return str(link.parent / os.readlink(link))


def test_pool_runs_jobs_and_replaces_a_timed_out_worker(built_mini: Path) -> None:
    pool = WorkerPool(1)
    try:
        job = Job(
            store_dir=_store_dir(built_mini),
            query=f"SELECT ?r WHERE {{ ?r a <{MINI}Round> }} ORDER BY ?r",
            results_format="csv",
        )
        outcome = pool.run(job, 30)
        assert (outcome.status, outcome.body) == (
            200,
            f"r\r\n{MINI}round1\r\n{MINI}round2\r\n".encode(),
        )
        (first,) = pool.pids()
        with pytest.raises(QueryTimeout):
            pool.run(Job(store_dir=job.store_dir, query=RUNAWAY), 0.5)
        # With one worker, the next job waits for the replacement, which starts in well
        # under the timeout.
        assert pool.run(job, 30).body == outcome.body
        assert first not in pool.pids()
    finally:
        pool.close()
    assert pool.pids() == set()


_SERVER = """
import sys
import time
from peacekg.workers import Job, WorkerPool
pool = WorkerPool(1)
print(0, flush=True)
while not pool.pids():
    time.sleep(0.05)
print(pool.pids().pop(), flush=True)
pool.run(Job(store_dir=sys.argv[1], query=sys.argv[2]), 600)
"""


@pytest.mark.slow
def test_a_busy_worker_dies_with_a_killed_server(built_mini: Path) -> None:
    """SIGKILL the endpoint process while its worker runs a runaway query: the worker goes."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, _store_dir(built_mini), RUNAWAY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdout.readline().strip() == "0"
    worker = int(server.stdout.readline())
    time.sleep(1.0)  # the worker is now busy with the runaway query
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    server.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"worker {worker} outlived its server")
