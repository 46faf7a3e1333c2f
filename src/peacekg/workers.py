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
import io
import json
import os
import pickle
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyoxigraph

from peacekg import mediatypes
from peacekg.rowlimit import Limited, limit_rows

_READY = b"R"
_HEADER = 4
_UNKNOWN_FUNCTION = re.compile(r"The custom function <[^>]*> is not supported")


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
        max_bytes: the byte cap of the body; rows past it are cut, announced like max_rows.
        base_iri: base IRI for relative IRIs in the query (the endpoint URL).
        service: the query calls a SERVICE, so a network error is the remote's (502).
        requested_format: the request's ``format`` parameter, named by a 406.
        memory_quads: the largest store (in quads) the worker copies into memory to answer
            from (see :class:`_StoreCache`); 0 keeps every store on disk.
        announce: the worker writes ``peacekg worker <pid>: started`` and a newline to its
            stderr before it evaluates the query, so a test (or an operator) knows the
            query runs, with no guess at how long a start takes.
    """

    store_dir: str
    query: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = False
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 10000
    max_bytes: int = 50_000_000
    base_iri: str | None = None
    service: bool = False
    requested_format: str | None = None
    memory_quads: int = 0
    announce: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a worker answers: an HTTP status, a content type and the body."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    #: Rows or triples in the body; -1 for a SELECT result not counted (known to be uncut).
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


def _cap_headers(job: Job, count: int, cut: str | None, unit: str) -> dict[str, str]:
    """The caps, always announced, and why a result was cut (``cut``: which cap), if it was."""
    headers = {"X-PeaceKG-Row-Cap": str(job.max_rows), "X-PeaceKG-Byte-Cap": str(job.max_bytes)}
    if cut is not None:
        headers["X-PeaceKG-Truncated"] = "true"
        why = (
            "the server's max_rows cap"
            if cut == "rows"
            else f"the server's max_result_bytes cap of {job.max_bytes} bytes"
        )
        headers["X-PeaceKG-Message"] = (
            f"result truncated to the first {count} {unit} ({why}); "
            "use LIMIT/OFFSET to page through the rest"
        )
    return headers


def _term_size(term: Any) -> int:
    if term is None:
        return 0
    if isinstance(term, pyoxigraph.Triple):
        return _term_size(term.subject) + _term_size(term.predicate) + _term_size(term.object)
    return len(term.value)


def _read_capped(items: Any, job: Job, size: Callable[[Any], int]) -> tuple[list[Any], str | None]:
    """At most ``max_rows`` items, and fewer when their values alone pass ``max_bytes``.

    Reading stops at the first item over the budget, so a query returning huge strings
    never has them all in memory at once (issue 13). Returns the items and the cap hit.
    """
    kept: list[Any] = []
    total = 0
    for item in items:
        if len(kept) == job.max_rows:
            return kept, "rows"
        total += size(item)
        if total > job.max_bytes:
            return kept, "bytes"
        kept.append(item)
    return kept, None


def _fit(items: list[Any], render: Callable[[list[Any]], bytes], cap: int) -> tuple[bytes, int]:
    """``render`` of the longest prefix of ``items`` whose body is at most ``cap`` bytes."""
    body = render(items)
    if len(body) <= cap:
        return body, len(items)
    low, high = 0, len(items) - 1  # the answer's row count lies in [low, high]
    best = render([])
    while low <= high:
        middle = (low + high) // 2
        candidate = render(items[:middle])
        if len(candidate) <= cap:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best, max(high, 0)


def _not_acceptable(job: Job, what: str, names: str, message: str) -> Outcome:
    """406 naming what was asked for: the ``format`` parameter when given, else ``message``."""
    if job.requested_format is not None:
        return _text(406, f"format={job.requested_format} cannot carry {what}; use format={names}")
    return _text(406, message)


def serialize(result: Any, job: Job) -> Outcome:
    """Serialise a pyoxigraph result in the job's format, reading at most ``max_rows``."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        fmt = mediatypes.by_name(job.results_format) if job.results_format else None
        if fmt is None:
            return _not_acceptable(
                job,
                "an ASK result",
                "json, xml, csv, tsv",
                "no acceptable format for an ASK result (try JSON or XML)",
            )
        body = result.serialize(format=fmt.results_format())
        return Outcome(200, fmt.content_type, body or b"")
    if isinstance(result, pyoxigraph.QuerySolutions):
        fmt = mediatypes.by_name(job.results_format) if job.results_format else None
        if fmt is None:
            return _not_acceptable(
                job,
                "SELECT results",
                "json, xml, csv, tsv",
                "no acceptable format for SELECT results (JSON, XML, CSV, TSV)",
            )
        variables = [v.value for v in result.variables]
        rows, cut = _read_capped(result, job, lambda row: sum(_term_size(t) for t in row))

        def render_rows(chosen: list[Any]) -> bytes:
            body = json_results(variables, chosen)
            if fmt is not None and fmt.name != "json":
                parsed = pyoxigraph.parse_query_results(
                    body, format=pyoxigraph.QueryResultsFormat.JSON
                )
                body = parsed.serialize(format=fmt.results_format()) or b""
            return body

        body, count = _fit(rows, render_rows, job.max_bytes)
        if count < len(rows):
            cut = "bytes"
        headers = _cap_headers(job, count, cut, "rows")
        return Outcome(200, fmt.content_type, body, cut is not None, count, headers)
    fmt = mediatypes.by_name(job.graph_format) if job.graph_format else None
    if fmt is None:
        return _not_acceptable(
            job,
            "a CONSTRUCT/DESCRIBE result",
            "turtle, ntriples, rdfxml, jsonld, trig, nquads",
            "no acceptable RDF format for a CONSTRUCT/DESCRIBE result",
        )
    triples, cut = _read_capped(result, job, _term_size)
    rdf_format = fmt.rdf_format()
    as_quads = fmt.kind is mediatypes.Kind.DATASET and fmt.name != "jsonld"

    def render_triples(chosen: list[Any]) -> bytes:
        if as_quads:
            quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in chosen]
            return pyoxigraph.serialize(quads, format=rdf_format) or b""
        return pyoxigraph.serialize(chosen, format=rdf_format) or b""

    body, count = _fit(triples, render_triples, job.max_bytes)
    if count < len(triples):
        cut = "bytes"
    headers = _cap_headers(job, count, cut, "triples")
    return Outcome(200, fmt.content_type, body, cut is not None, count, headers)


def execute(store: pyoxigraph.Store, job: Job) -> Outcome:
    """Evaluate ``job`` on ``store``: 200 with the body, 400 for a syntax error.

    A SELECT asks the engine for at most one row over the cap (:mod:`peacekg.rowlimit`) and
    is written by Oxigraph's own serializer (:func:`_solutions`); a result the cap or the
    byte cap cuts is evaluated again and read row by row (:func:`serialize`), as are the
    other forms.
    """
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
    fmt = mediatypes.by_name(job.results_format) if job.results_format else None
    limited = limit_rows(job.query, job.max_rows) if fmt is not None else None
    text = job.query if limited is None else limited.text
    try:
        try:
            result = store.query(text, **kwargs)
        except SyntaxError:
            if limited is None:
                raise
            # Reported for the text as the client wrote it (its positions unshifted).
            limited, text = None, job.query
            result = store.query(text, **kwargs)
        if isinstance(result, pyoxigraph.QuerySolutions) and fmt is not None:
            outcome = _solutions(result, fmt, job, limited)
            if outcome is not None:
                return outcome
            result = store.query(text, **kwargs)
        return serialize(result, job)
    except SyntaxError as error:
        return _text(400, f"query syntax error: {error}")
    except (OSError, RuntimeError) as error:
        return _evaluation_error(error, job)


class _OverBudget(Exception):
    """The serialised result passed the byte cap (raised inside Oxigraph's writer)."""


class _Budget(io.BytesIO):
    """A buffer for Oxigraph's serializer that stops it past ``limit`` bytes.

    Oxigraph writes through its own buffer (a call per 8 kB or so), so the check costs
    nothing per row, and a huge result is never held whole: writing stops at the first
    chunk over.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any, /) -> int:
        if self.tell() + len(data) > self.limit:
            raise _OverBudget
        return super().write(data)


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _row_count(body: bytes, name: str) -> int:
    """The rows of an Oxigraph-written SELECT result, counted without reading them.

    TSV: a line each (newlines in values are escaped). XML: a ``<result>`` element each
    (``<`` in text is escaped). JSON: with the strings taken out, ``},{`` only separates two
    rows (a binding's or a triple's next member starts with its key, now gone).
    """
    if name == "tsv":
        return body.count(b"\n") - 1
    if name == "xml":
        return body.count(b"<result>")
    shape = _JSON_STRING.sub(b"", body)
    return 0 if shape.endswith(b"[]}}") else shape.count(b"},{") + 1


def _solutions(
    result: pyoxigraph.QuerySolutions,
    fmt: mediatypes.MediaFormat,
    job: Job,
    limited: Limited | None,
) -> Outcome | None:
    """``result`` written by Oxigraph in ``fmt``, or None when a cap cuts it.

    No Python per row: the body is Oxigraph's, its rows counted in its bytes. CSV, which
    cannot be counted so (Oxigraph leaves some values with quotes unquoted), is written as
    TSV, counted, and converted (in Rust as well).
    """
    name = fmt.name
    counted = "tsv" if name == "csv" else name
    sink = _Budget(job.max_bytes)
    try:
        result.serialize(sink, format=_RESULTS_FORMATS[counted])
    except _OverBudget:
        return None
    body = sink.getvalue()
    # A JSON row takes 3 bytes at least (`{}` and a comma): a shorter body cannot pass the
    # cap, and its count (a scan of the bytes) is skipped.
    small = counted == "json" and len(body) < 3 * (job.max_rows + 1)
    uncut = small or (limited is not None and limited.within_cap)
    if not uncut and _row_count(body, counted) > job.max_rows:
        return None
    if name == "csv":
        tsv = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.TSV)
        assert isinstance(tsv, pyoxigraph.QuerySolutions)
        body = tsv.serialize(format=pyoxigraph.QueryResultsFormat.CSV) or b""
        if len(body) > job.max_bytes:
            return None
    headers = _cap_headers(job, -1, None, "rows")
    return Outcome(200, fmt.content_type, body, False, -1, headers)


_RESULTS_FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}


def _evaluation_error(error: OSError | RuntimeError, job: Job) -> Outcome:
    """A failure that is the query's or a remote's, not ours: 400 or 502 with its message.

    Oxigraph raises RuntimeError for a function it does not know, and OSError (a remote's
    HTTP status, DNS, redirects) or RuntimeError (an answer that does not parse) when a
    SERVICE call fails. Anything else is re-raised: a 500 for the worker to log.
    """
    message = str(error).strip()
    if isinstance(error, RuntimeError) and _UNKNOWN_FUNCTION.match(message):
        return _text(400, f"query error: {message}")
    if job.service:
        return _text(502, f"a SERVICE endpoint failed: {message}")
    raise error


class _StoreCache:
    """The worker's open store: reopened when the endpoint names a new directory.

    A store of at most ``memory_quads`` quads is also copied into an in-memory Oxigraph store,
    once per directory (a directory never changes after it is written: each build or update
    writes a new one), and queries use the copy once it is complete. Oxigraph evaluates a
    default graph made of several named graphs far faster in memory than on disk, where each
    graph of the list costs its own index seeks in every join (issue 18), with the same rows.
    The copy is made in a thread while queries are answered from disk, so a first query never
    waits for it (a long copy could otherwise outlast the query timeout in every new worker).
    """

    def __init__(self) -> None:
        self.directory: str | None = None
        self.store: pyoxigraph.Store | None = None
        self.memory: pyoxigraph.Store | None = None
        #: Set when the copy of the current directory is complete (or none is made).
        self.copied = threading.Event()
        self._lock = threading.Lock()

    def get(self, directory: str, memory_quads: int = 0) -> pyoxigraph.Store:
        with self._lock:
            if directory != self.directory or self.store is None:
                self.store, self.memory = None, None
                self.copied = threading.Event()
                self.store = pyoxigraph.Store.read_only(directory)
                self.directory = directory
                if 0 < len(self.store) <= memory_quads:
                    threading.Thread(
                        target=self._copy,
                        args=(directory, self.store, self.copied),
                        name="peacekg-memory-copy",
                        daemon=True,
                    ).start()
                else:
                    self.copied.set()
            return self.memory or self.store

    def _copy(self, directory: str, disk: pyoxigraph.Store, copied: threading.Event) -> None:
        try:
            memory = _in_memory(disk)
        except (OSError, RuntimeError, ValueError, MemoryError):
            traceback.print_exc(file=sys.stderr)  # answered from disk, as without the copy
            copied.set()
            return
        with self._lock:
            if self.directory == directory:
                self.memory = memory
        copied.set()


def _in_memory(disk: pyoxigraph.Store) -> pyoxigraph.Store:
    """A copy of ``disk`` in memory, blank-node labels kept (so results name them alike).

    Through N-Quads: ``dump`` runs in Rust without the GIL; parsing and inserting keep the
    labels, which ``load``/``bulk_load`` would replace.
    """
    nquads = pyoxigraph.RdfFormat.N_QUADS
    memory = pyoxigraph.Store()
    memory.bulk_extend(pyoxigraph.parse(disk.dump(format=nquads), format=nquads))
    return memory


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
            if job.announce:
                sys.stderr.write(f"peacekg worker {os.getpid()}: started\n")
                sys.stderr.flush()
            outcome = execute(cache.get(job.store_dir, job.memory_quads), job)
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
