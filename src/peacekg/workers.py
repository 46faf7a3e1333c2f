"""Query execution in worker processes: a timeout that really stops the work (issue 5).

A pyoxigraph query cannot be interrupted from another thread, so the endpoint never runs
one in the server process. Each query goes to a warm worker process (``python -m
peacekg.workers``) over a pipe; the worker opens the current store read-only, evaluates the
query, applies the row cap and serialises the result in the negotiated format. When a query
outlives ``Settings.query_timeout`` the worker is killed (SIGKILL) and a fresh one started,
so the CPU is freed at once and the next request is served by another warm worker.

This module imports neither Flask nor rdflib, so a replacement worker is ready in a few
tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import weakref
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyoxigraph

from peacekg import mediatypes

_READY = b"R"
_HEADER = 4


@dataclass(frozen=True)
class Job:
    """One query to evaluate.

    Attributes:
        store_dir: directory of the Oxigraph store to open read-only.
        query: the SPARQL query text.
        default_graphs: IRIs forming the default graph; ``None`` keeps the query's own
            FROM clauses, or the union of all graphs when ``union`` is set.
        named_graphs: IRIs usable in ``GRAPH``; ``None`` means every named graph.
        union: use the union of all graphs as default graph when ``default_graphs`` is None.
            Off unless asked for: PeaceKG's store holds each fact in its assertion graph and
            again in the asserted graph, so that union would repeat it; only the W3C
            ``dataset`` mode wants it. Pass :meth:`GraphNames.union` as ``default_graphs``.
        results_format: short name of the format for SELECT/ASK results (None: 406).
        graph_format: short name of the format for CONSTRUCT/DESCRIBE results (None: 406).
        max_rows: the row (or triple) cap; one more is read to tell whether it was hit.
        base_iri: base IRI for relative IRIs in the query (the endpoint URL).
    """

    store_dir: str
    query: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = False
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 10000
    base_iri: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a worker answers: an HTTP status, a content type and the body."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    count: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class QueryTimeout(Exception):
    """The query ran longer than allowed; its worker was killed."""


class WorkersBusy(Exception):
    """No worker became free within the time a request may wait."""


class WorkerFailed(Exception):
    """A worker died or answered garbage (an internal error)."""


def _text(status: int, message: str) -> Outcome:
    return Outcome(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, pyoxigraph.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def json_results(variables: list[str], rows: list[pyoxigraph.QuerySolution]) -> bytes:
    """SPARQL 1.1 Query Results JSON for ``rows`` (W3C REC section 3)."""
    bindings = []
    for row in rows:
        binding = {}
        for name, value in zip(variables, row, strict=True):
            if value is not None:
                binding[name] = _json_term(value)
        bindings.append(binding)
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cap_headers(cap: int, count: int, truncated: bool, unit: str) -> dict[str, str]:
    headers = {"X-PeaceKG-Row-Cap": str(cap)}
    if truncated:
        headers["X-PeaceKG-Truncated"] = "true"
        headers["X-PeaceKG-Message"] = (
            f"result truncated to the first {count} {unit} (the server's max_rows cap); "
            "use LIMIT/OFFSET to page through the rest"
        )
    return headers


def serialize(result: Any, job: Job) -> Outcome:
    """Serialise a pyoxigraph result in the job's format, reading at most ``max_rows``."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        fmt = mediatypes.by_name(job.results_format) if job.results_format else None
        if fmt is None:
            return _text(406, "no acceptable format for an ASK result (try JSON or XML)")
        body = result.serialize(format=fmt.results_format())
        return Outcome(200, fmt.content_type, body or b"")
    if isinstance(result, pyoxigraph.QuerySolutions):
        fmt = mediatypes.by_name(job.results_format) if job.results_format else None
        if fmt is None:
            return _text(406, "no acceptable format for SELECT results (JSON, XML, CSV, TSV)")
        variables = [v.value for v in result.variables]
        rows = list(itertools.islice(result, job.max_rows + 1))
        truncated = len(rows) > job.max_rows
        rows = rows[: job.max_rows]
        body = json_results(variables, rows)
        if fmt.name != "json":
            parsed = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)
            body = parsed.serialize(format=fmt.results_format()) or b""
        headers = _cap_headers(job.max_rows, len(rows), truncated, "rows")
        return Outcome(200, fmt.content_type, body, truncated, len(rows), headers)
    fmt = mediatypes.by_name(job.graph_format) if job.graph_format else None
    if fmt is None:
        return _text(406, "no acceptable RDF format for a CONSTRUCT/DESCRIBE result")
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    if fmt.kind is mediatypes.Kind.DATASET and fmt.name != "jsonld":
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples]
        body = pyoxigraph.serialize(quads, format=fmt.rdf_format()) or b""
    else:
        body = pyoxigraph.serialize(triples, format=fmt.rdf_format()) or b""
    headers = _cap_headers(job.max_rows, len(triples), truncated, "triples")
    return Outcome(200, fmt.content_type, body, truncated, len(triples), headers)


def execute(store: pyoxigraph.Store, job: Job) -> Outcome:
    """Evaluate ``job`` on ``store``: 200 with the body, 400 for a syntax error."""
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    try:
        # pyoxigraph raises ValueError for an invalid IRI given as a dataset graph; any
        # other ValueError is a server bug and must surface as a 500 (see worker_main).
        if job.default_graphs is not None:
            kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
        elif job.union:
            kwargs["use_default_graph_as_union"] = True
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    except ValueError as error:
        return _text(400, f"bad request: {error}")
    try:
        result = store.query(job.query, **kwargs)
        return serialize(result, job)
    except SyntaxError as error:
        return _text(400, f"query syntax error: {error}")
    except (ConnectionError, TimeoutError) as error:
        # A SERVICE call to an allowed endpoint failed.
        return _text(502, f"a SERVICE endpoint failed: {error}")


class _StoreCache:
    """The worker's open store: reopened when the endpoint names a new directory."""

    def __init__(self) -> None:
        self.directory: str | None = None
        self.store: pyoxigraph.Store | None = None

    def get(self, directory: str) -> pyoxigraph.Store:
        if directory != self.directory or self.store is None:
            self.store = None
            self.store = pyoxigraph.Store.read_only(directory)
            self.directory = directory
        return self.store


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the endpoint process dies (PR_SET_PDEATHSIG).

    Without it a worker busy with a runaway query would outlive a killed server, since it
    only notices the closed pipe after the query. Elsewhere, the closed pipe is all there is.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def worker_main() -> None:
    """The worker process: read pickled jobs from stdin, write pickled outcomes to stdout."""
    parent = os.getppid()
    _die_with_parent()
    if os.getppid() != parent:  # the endpoint died before the request above took effect
        return
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print in a library must not corrupt the answer channel
    inp = sys.stdin.buffer
    out.write(_READY)
    out.flush()
    cache = _StoreCache()
    while True:
        header = _read_exact(inp, _HEADER)
        if header is None:
            return
        payload = _read_exact(inp, int.from_bytes(header, "big"))
        if payload is None:
            return
        try:
            job = pickle.loads(payload)  # noqa: S301 - the endpoint process is the only writer
            outcome = execute(cache.get(job.store_dir), job)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            outcome = _text(500, "internal error while evaluating the query (logged)")
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(_HEADER, "big") + data)
        out.flush()


class _Worker:
    """One worker process and its pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "peacekg.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout_fd = self.process.stdout.fileno()

    def _read(self, size: int, deadline: float | None) -> bytes:
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise QueryTimeout
            ready, _, _ = select.select([self.stdout_fd], [], [], wait)
            if not ready:
                raise QueryTimeout
            chunk = os.read(self.stdout_fd, min(remaining, 1 << 20))
            if not chunk:
                raise WorkerFailed("query worker exited")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def wait_ready(self, timeout: float) -> None:
        if self._read(1, time.monotonic() + timeout) != _READY:
            raise WorkerFailed("query worker did not start")

    def run(self, job: Job, deadline: float) -> Outcome:
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.stdin.write(len(data).to_bytes(_HEADER, "big") + data)
            self.stdin.flush()
        except OSError as error:
            raise WorkerFailed(f"query worker gone: {error}") from error
        size = int.from_bytes(self._read(_HEADER, deadline), "big")
        try:
            outcome = pickle.loads(self._read(size, None))  # noqa: S301 - our own worker wrote it
        except (pickle.UnpicklingError, AttributeError, EOFError, ImportError) as error:
            raise WorkerFailed(f"query worker answered garbage: {error}") from error
        if not isinstance(outcome, Outcome):
            raise WorkerFailed(f"query worker answered {type(outcome).__name__}")
        return outcome

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(OSError):
            self.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class WorkerPool:
    """Warm query workers; a query that times out costs its worker, never the server."""

    def __init__(self, size: int, *, start_timeout: float = 60.0) -> None:
        self.size = max(1, size)
        self.start_timeout = start_timeout
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Kill the workers when the pool is collected or the interpreter exits, even if
        # nobody called close(): no orphaned process, no "subprocess still running" warning.
        self._finalizer = weakref.finalize(self, _kill_all, self._all, self._lock)
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        worker = _Worker()
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)

        def ready() -> None:
            try:
                worker.wait_ready(self.start_timeout)
            except (QueryTimeout, WorkerFailed, OSError, ValueError):
                # ValueError/OSError: the pool was closed while this worker was starting.
                self._discard(worker)
                return
            with self._lock:
                if self._closed:
                    return
            self._idle.put(worker)

        threading.Thread(target=ready, name="peacekg-worker-start", daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run ``job`` on an idle worker within ``timeout`` s in all, waiting included.

        The wait for an idle worker and the query share one deadline; a worker still busy
        with the job at the deadline is killed and replaced.

        Raises:
            QueryTimeout: the query ran too long (its worker is gone, a new one starting).
            WorkersBusy: no worker became idle within ``timeout`` seconds.
            WorkerFailed: the worker crashed (replaced as well).
        """
        if self._closed:
            raise WorkerFailed("the worker pool is closed")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty as error:
            raise WorkersBusy from error
        if time.monotonic() >= deadline:
            self._idle.put(worker)  # not used: no time left to run the job
            raise WorkersBusy
        try:
            outcome = worker.run(job, deadline)
        except BaseException:
            # Whatever went wrong (timeout, crash, an OSError on the pipe, an interrupt),
            # the worker's state is unknown: replace it so the pool keeps its size.
            self._discard(worker)
            self._spawn()
            raise
        self._idle.put(worker)
        return outcome

    def pids(self) -> set[int]:
        """Process ids of the current workers (for tests and monitoring)."""
        with self._lock:
            return {worker.process.pid for worker in self._all}

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
        self._finalizer()


def _kill_all(workers: set[_Worker], lock: threading.Lock) -> None:
    with lock:
        doomed = list(workers)
        workers.clear()
    for worker in doomed:
        worker.kill()


if __name__ == "__main__":
    # Run the imported module's copy, so pickled classes are ``peacekg.workers.*``, not
    # ``__main__.*`` (which the endpoint process could not unpickle).
    from peacekg.workers import worker_main as _main

    _main()
