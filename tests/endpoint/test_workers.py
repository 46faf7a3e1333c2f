"""The worker pool on its own: results, timeouts, and no worker outliving the server."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from peacekg import workers
from peacekg.namespaces import GraphNames
from peacekg.workers import Job, Outcome, QueryTimeout, WorkerPool, execute
from tests.endpoint.conftest import MINI

#: The endpoint's default graph: the union graphs, not every assertion graph again.
UNION = GraphNames().union()
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
            default_graphs=UNION,
            results_format="csv",
        )
        outcome = pool.run(job, 30)
        assert (outcome.status, outcome.body) == (
            200,
            f"r\r\n{MINI}round1\r\n{MINI}round2\r\n".encode(),
        )
        (first,) = pool.pids()
        with pytest.raises(QueryTimeout):
            pool.run(Job(store_dir=job.store_dir, query=RUNAWAY, default_graphs=UNION), 0.5)
        # With one worker, the next job waits for the replacement, which starts in well
        # under the timeout.
        assert pool.run(job, 30).body == outcome.body
        assert first not in pool.pids()
    finally:
        pool.close()
    assert pool.pids() == set()


def _rounds_job(project: Path, **changes: Any) -> Job:
    values: dict[str, Any] = {
        "store_dir": _store_dir(project),
        "query": f"SELECT ?r WHERE {{ ?r a <{MINI}Round> }} ORDER BY ?r",
        "default_graphs": UNION,
        "results_format": "csv",
    }
    values.update(changes)
    return Job(**values)


ROUNDS_CSV = f"r\r\n{MINI}round1\r\n{MINI}round2\r\n".encode()


def test_waiting_for_a_worker_counts_against_the_timeout(
    built_mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One deadline for the wait and the query, not a fresh ``timeout`` after the wait."""
    pool = WorkerPool(1)
    try:
        held = pool._idle.get(timeout=60)  # the only worker is busy for 3 s
        threading.Timer(3.0, pool._idle.put, args=(held,)).start()
        deadlines: list[float] = []
        real_run = workers._Worker.run

        def spy(self: workers._Worker, job: Job, deadline: float) -> Outcome:
            deadlines.append(deadline)
            return real_run(self, job, deadline)

        monkeypatch.setattr(workers._Worker, "run", spy)
        started = time.monotonic()
        outcome = pool.run(_rounds_job(built_mini), 20)
        assert (outcome.status, outcome.body) == (200, ROUNDS_CSV)
        # The query got what was left of the 20 s (a fresh 20 s would end 23 s on).
        (deadline,) = deadlines
        assert deadline - started < 21
    finally:
        pool.close()


def test_a_worker_failing_with_an_unexpected_error_is_replaced(
    built_mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError on the pipe must not cost the pool its worker for good."""
    pool = WorkerPool(1)
    try:
        job = _rounds_job(built_mini)
        assert pool.run(job, 30).body == ROUNDS_CSV
        (first,) = pool.pids()

        real_read = workers._Worker._read

        def broken(self: workers._Worker, size: int, deadline: float | None) -> bytes:
            if self.process.pid == first:
                raise OSError("pipe broke")
            return real_read(self, size, deadline)

        monkeypatch.setattr(workers._Worker, "_read", broken)
        with pytest.raises(OSError, match="pipe broke"):
            pool.run(job, 30)
        assert first not in pool.pids()
        assert len(pool.pids()) == 1
        outcome = pool.run(job, 30)
        assert (outcome.status, outcome.body) == (200, ROUNDS_CSV)
    finally:
        pool.close()
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)


def test_an_invalid_dataset_iri_is_a_bad_request(built_mini: Path) -> None:
    store = pyoxigraph.Store.read_only(_store_dir(built_mini))
    outcome = execute(store, _rounds_job(built_mini, named_graphs=["not an iri"]))
    assert (outcome.status, outcome.body) == (
        400,
        b"bad request: Invalid IRI code point ' '\n",
    )


def test_other_value_errors_are_internal_errors(built_mini: Path) -> None:
    """A ValueError from evaluation is a server bug: 500, not a 400 blaming the client."""
    store = pyoxigraph.Store.read_only(_store_dir(built_mini))
    bad_base = _rounds_job(built_mini, base_iri="::not-a-base")
    with pytest.raises(ValueError, match="Invalid base IRI"):
        execute(store, bad_base)
    pool = WorkerPool(1)
    try:
        outcome = pool.run(bad_base, 30)
        assert (outcome.status, outcome.content_type, outcome.body) == (
            500,
            "text/plain; charset=utf-8",
            b"internal error while evaluating the query (logged)\n",
        )
        # The worker logged the error and stays in service.
        assert pool.run(_rounds_job(built_mini), 30).body == ROUNDS_CSV
    finally:
        pool.close()


_SERVER = """
import sys
from peacekg.namespaces import GraphNames
from peacekg.workers import Job, WorkerPool
pool = WorkerPool(1)
print(0, flush=True)
print(pool.pids().pop(), flush=True)
job = Job(sys.argv[1], sys.argv[2], default_graphs=GraphNames().union(), announce=True)
pool.run(job, 600)
"""


@pytest.mark.slow
def test_a_busy_worker_dies_with_a_killed_server(built_mini: Path) -> None:
    """SIGKILL the endpoint process while its worker runs a runaway query: the worker goes."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, _store_dir(built_mini), RUNAWAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,  # the worker's too: it says when the runaway query starts
        text=True,
    )
    assert server.stdout is not None and server.stderr is not None
    assert server.stdout.readline().strip() == "0"
    worker = int(server.stdout.readline())
    started = f"peacekg worker {worker}: started\n"
    assert started in iter(server.stderr.readline, "")  # the runaway query runs now
    exited = os.pidfd_open(worker)  # readable once the worker has exited
    try:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        server.stdout.close()
        server.stderr.close()
        readable, _, _ = select.select([exited], [], [], 10)
    finally:
        os.close(exited)
    assert readable, f"worker {worker} outlived its server"
