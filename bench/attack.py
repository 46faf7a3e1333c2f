"""Attack suite (issue 13): replay each class of attack on a real ``peacekg serve`` and report.

Not a test: it measures. It copies the mini fixture project to a scratch directory, builds
it, starts ``peacekg serve`` on a free 127.0.0.1 port (with an update token and a short
``query_timeout`` so that runaway probes stay bounded) and runs each probe while a monitor
sends a cheap query every 50 ms. It prints a Markdown table: probe, requests tried, failed
(an answer the probe did not expect: any 5xx but a 503 timeout, a refused write accepted, a
crash, a lost update), and the cheap query's worst and p99 latency meanwhile. Every probe is
bounded in count and time; nothing leaves 127.0.0.1.

Run from the repository root: ``python -m bench.attack [--fuzz 5000] [--seed 13]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
HOST = "127.0.0.1"
TOKEN = "attack-token"  # noqa: S105 - a scratch server's token
EX = "http://example.org/mini#"
CHEAP = f"SELECT ?r WHERE {{ ?r a <{EX}Event> }}"
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }"
)
ASSERTION = "https://w3id.org/peacekg/assertion/"
PROVENANCE = "https://w3id.org/peacekg/graph/provenance"
PREFIXES = (
    f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX pkg: <https://w3id.org/peacekg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
    "PREFIX oa: <http://www.w3.org/ns/oa#> "
)


@dataclass
class Result:
    """One probe's counts and the cheap query's latencies (seconds) while it ran."""

    probe: str
    tried: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def fail(self, note: str) -> None:
        self.failed += 1
        if len(self.notes) < 3:
            self.notes.append(note)


class Server:
    """``peacekg serve`` on 127.0.0.1, restarted (and the crash counted) when it dies."""

    def __init__(self, project: Path, settings: dict[str, str]) -> None:
        self.project = project
        self.settings = settings
        self.port = _free_port()
        self.crashes = 0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
        env.update(PEACEKG_UPDATE_TOKEN=TOKEN, PEACEKG_QUERY_TIMEOUT="2")
        env.update({"PEACEKG_" + k.upper(): v for k, v in self.settings.items()})
        process = subprocess.Popen(
            [sys.executable, "-m", "peacekg", "serve", "--port", str(self.port)],
            cwd=self.project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"peacekg serve exited with {process.returncode}")
            try:
                if request(self.port, "GET", "/sparql?" + _q("ASK {}"), timeout=2)[0] == 200:
                    return process
            except OSError:
                time.sleep(0.2)
        raise SystemExit("peacekg serve did not come up within 120 s")

    def check(self, result: Result) -> None:
        if self.process.poll() is not None:
            self.crashes += 1
            result.fail(f"server crashed ({self.process.returncode})")
            self.process = self._start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _q(query: str, **extra: str) -> str:
    return urllib.parse.urlencode({"query": query, **extra})


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
    source: str = HOST,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection to 127.0.0.1 (from loopback address ``source``);
    the answer's header names are lower-cased."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        # Names lower-cased: waitress sends X-Peacekg-Truncated for X-PeaceKG-Truncated.
        headers_ = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers_, response.read()
    finally:
        connection.close()


def monitored(server: Server, result: Result, probe: Callable[[], None]) -> Result:
    """Run ``probe`` while a cheap query is timed every 50 ms from another client address."""
    stop = threading.Event()

    def monitor() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = request(server.port, "GET", "/sparql?" + _q(CHEAP), source="127.0.0.9")[0]
            except OSError:
                status = 0
            result.latencies.append(time.monotonic() - started)
            if status != 200:
                result.fail(f"cheap query answered {status}")
            stop.wait(0.05)

    thread = threading.Thread(target=monitor, daemon=True)
    thread.start()
    try:
        probe()
    finally:
        stop.set()
        thread.join(timeout=60)
        server.check(result)
    return result


def _expect(result: Result, answer: tuple[int, dict[str, str], bytes], allowed: set[int]) -> None:
    result.tried += 1
    if answer[0] not in allowed:
        result.fail(f"{answer[0]}: {answer[2][:80]!r}")


def _safe(result: Result, call: Callable[[], tuple[int, dict[str, str], bytes]]) -> None:
    """Count a request whose only failure is a 5xx other than 503 (or no answer)."""
    result.tried += 1
    try:
        status, _headers, body = call()
    except OSError as error:
        result.fail(f"no answer: {error}")
        return
    if status >= 500 and status != 503:
        result.fail(f"{status}: {body[:80]!r}")


# -- probes ----------------------------------------------------------------------------------


def fuzz(server: Server, count: int, rng: random.Random) -> Result:
    result = Result(f"fuzz ({count} requests)")
    pieces = [
        "SELECT",
        "*",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "?s",
        "?p",
        "?o",
        ".",
        ";",
        ",",
        "FILTER",
        "OPTIONAL",
        "UNION",
        "GRAPH",
        "SERVICE",
        "<http://[x>",
        "<http://a>",
        '"x"',
        "'''",
        "\\u0053",
        "1",
        "COUNT(*)",
        "AS",
        "LIMIT",
        "ORDER BY",
        "DESCRIBE",
        "CONSTRUCT",
        "ASK",
        "BIND",
        "VALUES",
        "#",
        "\x00",
        "\udcff",
        "é",
        "<>",
        "a",
    ]
    # Not /ontology: pyLODE refuses the mini fixture's ontology, which has no title (a 500
    # of the fixture, not of the server; the real ontology has one).
    paths = ["/sparql", "/update", "/store", "/void", "/ontology.ttl", "/dumps", "/", "/query"]
    accepts = ["*/*", "text/turtle", "application/n-quads", "text/csv", "x/y;q=2", "", ",,"]

    def one(index: int) -> None:
        query = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        params = {"query": query}
        if rng.random() < 0.3:
            params["format"] = rng.choice(["turtle", "json", "csv", "nquads", "bogus", "xml"])
        path = rng.choice(paths) + "?" + urllib.parse.urlencode(params, errors="surrogatepass")
        method = rng.choice(["GET", "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"])
        headers = {"Accept": rng.choice(accepts)}
        body = None
        if method in {"POST", "PUT"}:
            body = query.encode("utf-8", "surrogatepass")
            headers["Content-Type"] = rng.choice(
                [
                    "application/sparql-query",
                    "application/sparql-update",
                    "text/turtle",
                    "application/ld+json",
                    "application/x-www-form-urlencoded",
                    "x/y",
                ]
            )
            if rng.random() < 0.5:
                headers["Authorization"] = f"Bearer {TOKEN}"
        _safe(result, lambda: request(server.port, method, path, body, headers))

    def run() -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(count)))

    return monitored(server, result, run)


def runaway(server: Server, seconds: float = 10.0) -> Result:
    """One client looping runaway queries from 4 threads for ``seconds``: each is refused at
    the client's limit (429) or stopped at the timeout (503)."""
    result = Result(f"runaway queries (1 client, 4 loops, {seconds:g} s)")
    deadline = time.monotonic() + seconds

    def loop(_: int) -> None:
        while time.monotonic() < deadline:
            _expect(result, request(server.port, "GET", "/sparql?" + _q(RUNAWAY)), {503, 429})

    def run() -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(loop, range(4)))

    return monitored(server, result, run)


def nesting(server: Server) -> Result:
    """Queries, updates and JSON-LD bodies nested thousands deep: 400 naming the limit."""
    result = Result("stack overflows (deep nesting)")
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def run() -> None:
        for depth in (300, 2300, 5000, 20000):
            query = "SELECT * WHERE " + "{" * depth + "}" * depth
            _expect(result, request(server.port, "GET", "/sparql?" + _q(query)), {400, 413})
            update = (
                "INSERT { <http://a> <http://b> <http://c> } WHERE " + "{" * depth + "}" * depth
            )
            headers = {**auth, "Content-Type": "application/sparql-update"}
            _expect(
                result, request(server.port, "POST", "/update", update.encode(), headers), {400}
            )
            body = (
                '{"@id": "http://a", "http://b": '
                + '{"http://b": ' * depth
                + '"x"'
                + "}" * (depth + 1)
            )
            headers = {**auth, "Content-Type": "application/ld+json"}
            graph = urllib.parse.quote(ASSERTION + "x", safe="")
            _expect(
                result,
                request(server.port, "PUT", f"/store?graph={graph}", body.encode(), headers),
                {400, 413},
            )

    return monitored(server, result, run)


def memory(server: Server) -> Result:
    """Queries building huge strings: cut at the byte cap and announced, never sent whole."""
    result = Result("memory bombs (huge results)")
    query = (
        'SELECT ?x WHERE { VALUES ?i { 1 2 3 4 } BIND("' + "y" * 1024 + '" AS ?k) '
        "BIND(CONCAT(?k,?k,?k,?k,?k,?k,?k,?k) AS ?a) BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) "
        "BIND(CONCAT(?b,?b,?b,?b,?b,?b,?b,?b) AS ?c) BIND(CONCAT(?c,?c,?c,?c,?c,?c,?c,?c) AS ?d) "
        "BIND(CONCAT(?d,?d,?d,?d,?d,?d,?d,?d) AS ?x) }"
    )  # four rows of 32 MiB

    def run() -> None:
        with ThreadPoolExecutor(2) as pool:
            for answer in pool.map(
                lambda _: request(server.port, "GET", "/sparql?" + _q(query), timeout=60), range(4)
            ):
                _expect(result, answer, {200, 503, 429})
                if answer[0] == 200 and answer[1].get("x-peacekg-truncated") != "true":
                    result.fail("a result over the byte cap was not announced")

    return monitored(server, result, run)


def ssrf(server: Server) -> Result:
    """SERVICE and LOAD to local ports: refused before any connection is made."""
    result = Result("SSRF (SERVICE, LOAD)")
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(64)
    listener.settimeout(0.05)
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    variants = [
        f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{target[:-6]}> SELECT * {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{target[:-6]}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        "SELECT * { SERVICE ?x { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://[::1]:1/> { ?s ?p ?o } }",
    ]

    def run() -> None:
        for query in variants:
            _expect(result, request(server.port, "GET", "/sparql?" + _q(query)), {403})
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        _expect(
            result,
            request(server.port, "POST", "/update", f"LOAD <{target}>".encode(), headers),
            {403},
        )
        try:
            listener.accept()[0].close()
            result.fail("a connection reached the local listener")
        except TimeoutError:
            pass

    try:
        return monitored(server, result, run)
    finally:
        listener.close()


def unauthorised(server: Server) -> Result:
    """Writes without the token or with a wrong one: all refused, the store unchanged."""
    result = Result("unauthorised writes (200)")
    before = request(
        server.port, "GET", "/sparql?" + _q("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    )

    def run() -> None:
        for index in range(200):
            headers = {"Content-Type": "application/sparql-update"}
            if index % 2:
                headers["Authorization"] = "Bearer wrong-" + str(index)
            body = b"DROP ALL" if index % 4 < 2 else b"CLEAR NAMED"
            path = "/update" if index % 3 else "/store?default"
            method = "POST" if index % 3 else "DELETE"
            _expect(result, request(server.port, method, path, body, headers), {401, 403})

    monitored(server, result, run)
    after = request(
        server.port, "GET", "/sparql?" + _q("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    )
    if before[2] != after[2]:
        result.fail("the store changed")
    return result


def slow_loris(server: Server) -> Result:
    """150 connections that never finish their headers, held for 5 s (limit: 100)."""
    result = Result("slow-loris (150 half-open)")
    sockets: list[socket.socket] = []

    def run() -> None:
        for _ in range(150):
            result.tried += 1
            try:
                sock = socket.create_connection((HOST, server.port), timeout=5)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                sockets.append(sock)
            except OSError as error:
                result.fail(f"connect: {error}")
        time.sleep(5)

    try:
        return monitored(server, result, run)
    finally:
        for sock in sockets:
            sock.close()


def updates(server: Server) -> Result:
    """Ten valid curated updates at once, retried while refused: every one answered 204 lands
    (no lost update)."""
    result = Result("concurrent updates (10)")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    refusals: list[int] = []

    def update(index: int) -> tuple[int, dict[str, str], bytes]:
        graph = f"{ASSERTION}attack-{index}"
        text = PREFIXES + (
            f"INSERT DATA {{ GRAPH <{graph}> {{ ex:attack{index} a ex:Round ; "
            f'rdfs:label "A{index}" ; rdfs:comment "c" ; ex:partOf ex:istanbul . }} '
            f"GRAPH <{PROVENANCE}> {{ <{graph}> a pkg:StatedAssertion ; "
            "prov:wasDerivedFrom ex:minutes ; pkg:passage [ oa:hasSource ex:minutes ; "
            f'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "A{index}" ] ] . }} }}'
        )
        # A refused change (503, queue full) is retried after Retry-After, as a client would.
        for _ in range(60):
            answer = request(server.port, "POST", "/update", text.encode(), headers, timeout=300)
            if answer[0] != 503 or "retry-after" not in answer[1]:
                return answer
            refusals.append(index)
            time.sleep(float(answer[1]["retry-after"]))
        return answer

    def run() -> None:
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(update, range(10)))
        landed = request(
            server.port,
            "GET",
            "/sparql?"
            + _q(f"SELECT ?r {{ ?r a <{EX}Round> FILTER(STRSTARTS(STR(?r), '{EX}attack')) }}"),
        )
        rows = {b["r"]["value"] for b in json.loads(landed[2])["results"]["bindings"]}
        for index, answer in enumerate(answers):
            _expect(result, answer, {204})
            if answer[0] == 204 and f"{EX}attack{index}" not in rows:
                result.fail(f"update {index} answered 204 but is lost")
        if refusals:
            result.notes.append(f"{len(refusals)} refusals (503, queue full) retried")

    return monitored(server, result, run)


def errors(server: Server) -> Result:
    """Requests whose failure is not the server's: 4xx/502 with a message, never a 500."""
    result = Result("not our bug (formats, HEAD, functions)")
    calls = [
        ("GET", "/sparql?format=nquads"),
        ("GET", "/void?format=nquads"),
        ("HEAD", "/sparql?" + _q(CHEAP)),
        ("GET", "/sparql?" + _q("SELECT (<http://example.org/f>(1) AS ?x) {}")),
        ("GET", "/sparql?" + _q(CHEAP, format="turtle")),
        ("GET", "/sparql?" + _q("SELECT * { SERVICE <http://[x/sparql> { ?s ?p ?o } }")),
    ]

    def run() -> None:
        for method, path in calls:
            headers = {"Accept": "application/n-quads" if "nquads" in path else "*/*"}
            answer = request(server.port, method, path, headers=headers)
            _expect(result, answer, {200, 400, 403, 406})

    return monitored(server, result, run)


def _ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=5000, help="fuzz requests (default 5000)")
    parser.add_argument("--seed", type=int, default=13, help="random seed of the fuzz")
    parser.add_argument("--probes", help="comma-separated probes to run (default: all)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the server under attack (repeatable), e.g. client_concurrency=1",
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="peacekg-attack-"))
    project = scratch / "mini"
    shutil.copytree(MINI, project)
    subprocess.run(
        [sys.executable, "-m", "peacekg", "build"], cwd=project, check=True, capture_output=True
    )
    server = Server(project, dict(item.split("=", 1) for item in args.set))
    results: list[Result] = []
    try:
        probes: dict[str, Callable[[], Result]] = {
            "fuzz": lambda: fuzz(server, args.fuzz, random.Random(args.seed)),  # noqa: S311
            "runaway": lambda: runaway(server),
            "nesting": lambda: nesting(server),
            "memory": lambda: memory(server),
            "ssrf": lambda: ssrf(server),
            "unauthorised": lambda: unauthorised(server),
            "slow-loris": lambda: slow_loris(server),
            "updates": lambda: updates(server),
            "errors": lambda: errors(server),
        }
        chosen = args.probes.split(",") if args.probes else list(probes)
        for name in chosen:
            results.append(probes[name]())
            print(f"done: {results[-1].probe}", file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print("| probe | tried | failed | cheap queries | worst ms | p99 ms | notes |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        notes = "; ".join(r.notes).replace("|", "\\|")
        worst = max(r.latencies, default=float("nan"))
        print(
            f"| {r.probe} | {r.tried} | {r.failed} | {len(r.latencies)} | {_ms(worst)} "
            f"| {_ms(_p99(r.latencies))} "
            f"| {notes} |"
        )
    print(f"\nserver crashes: {server.crashes}")


if __name__ == "__main__":
    main()
