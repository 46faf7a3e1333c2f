"""Endpoint benchmark: PeaceKG's ``peacekg serve`` against ``oxigraph serve`` (issue 5).

Builds the graph (``peacekg build`` into a scratch build directory), loads the built store's
union graphs (``GraphNames.union()``, PeaceKG's default graph) as N-Quads into ``oxigraph
serve --union-default-graph``, as a user serving the same graph would run it, then sends every
query of ``queries/examples/`` to both servers with 1, 4 and 16 concurrent keep-alive clients
on 127.0.0.1 and prints Markdown tables of requests/s and p50/p99 latency, with PeaceKG's
throughput as a ratio of Oxigraph's: once warm (the catalogue repeated, which PeaceKG's result
cache answers) and once cold (each request a text neither server has seen: the query with a
distinct comment line, which PeaceKG's cache keys on; issue 18). Queries that read the
per-assertion graphs (``GRAPH ?assertion``) find nothing on Oxigraph and are marked "rows
differ"; ``--same-dataset`` loads every graph into Oxigraph instead and sends it PeaceKG's
default graph as ``default-graph-uri`` (the comparison of issue 5). Queries with SERVICE are
skipped: they would measure the network.

Run from the repository root: ``python -m bench.endpoint [--seconds 3] [--clients 1,4,16]``.
The load generator runs on the same machine, so both servers share the cores with it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from peacekg.config import load_settings  # noqa: E402 - after the src/ path fix-up
from peacekg.queries import CatalogueQuery, load_catalogue  # noqa: E402
from peacekg.web.guard import check_query  # noqa: E402

ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


@dataclass
class Measure:
    """Latencies (seconds) of the successful requests of one run, and its wall time."""

    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, path: str, process: subprocess.Popen[bytes], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not come up")


SAME_DATASET = False  # set by --same-dataset


def _target(path: str, query: str) -> str:
    params = [("query", query)]
    if SAME_DATASET and path == "/query" and not check_query(query, ()).has_dataset_clause:
        # Oxigraph: the same default graph as PeaceKG's (FROM queries bring their own).
        params += [("default-graph-uri", g) for g in load_settings(environ={}).graphs.union()]
    return f"{path}?" + urllib.parse.urlencode(params)


def _load(
    port: int, path: str, query: str, clients: int, seconds: float, cold: bool = False
) -> Measure:
    """``clients`` keep-alive clients sending ``query`` for ``seconds``; ``cold``: each request
    a text no server has seen (a distinct comment line), so PeaceKG's result cache misses."""
    target = _target(path, query)
    counter = iter(range(1 << 62))
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        # Each client from its own loopback address, as separate users are: PeaceKG limits
        # concurrent queries per client address (client_concurrency), Oxigraph does not.
        source = (f"127.0.0.{2 + index}", 0)

        def connect() -> http.client.HTTPConnection:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=source)

        connection = connect()
        barrier.wait()
        while time.monotonic() < stop:
            sent = _target(path, f"{query}\n# cold {next(counter)}") if cold else target
            started = time.perf_counter()
            try:
                connection.request("GET", sent, headers={"Accept": ACCEPT})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection.close()
                connection = connect()
                ok = False
            if ok:
                latencies[index].append(time.perf_counter() - started)
            else:
                errors[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Measure([x for per in latencies for x in per], time.monotonic() - started, sum(errors))


def _load_average() -> str:
    """The 1, 5 and 15 minute load averages: the machine is shared, so a figure needs it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rows(body: bytes) -> int:
    try:
        document = json.loads(body)
    except ValueError:
        return -1
    return len(document.get("results", {}).get("bindings", []))


def main() -> None:
    """Build, start both servers, measure, print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per query and level")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--baseline-src",
        help="a second PeaceKG server from this source tree (its src/ directory), measured "
        "in the same run beside the first: a change's before and after on the same load",
    )
    parser.add_argument(
        "--tables",
        default="warm,cold",
        help="which tables to measure: warm, cold or both (a cold-only run takes half the time)",
    )
    parser.add_argument(
        "--same-dataset",
        action="store_true",
        help="Oxigraph gets every graph and PeaceKG's default graph as default-graph-uri",
    )
    args = parser.parse_args()
    global SAME_DATASET  # read by _target in every client thread
    SAME_DATASET = args.same_dataset
    levels = [int(x) for x in args.clients.split(",")]

    settings = load_settings(environ={}, read_config_file=False)
    catalogue: list[CatalogueQuery] = [
        q
        for q in load_catalogue(ROOT / settings.queries_dir / "examples")
        if "SERVICE" not in q.text.upper()
    ]
    if not catalogue:
        raise SystemExit("no queries in queries/examples/")
    scratch = Path(tempfile.mkdtemp(prefix="peacekg-bench-"))
    build_dir = scratch / "build"
    peacekg = [sys.executable, "-m", "peacekg"]
    print(f"building into {build_dir} ...", file=sys.stderr)
    subprocess.run([*peacekg, "build", "--build-dir", str(build_dir)], cwd=ROOT, check=True)

    # The same three graphs, as N-Quads, for Oxigraph.
    store_link = build_dir / "store"
    store = pyoxigraph.Store.read_only(str(store_link.parent / os.readlink(store_link)))
    union = {pyoxigraph.NamedNode(g) for g in settings.graphs.union()}
    quads = [q for q in store if args.same_dataset or q.graph_name in union]
    del store
    nquads = scratch / "peacekg.nq"
    nquads.write_bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b"")
    oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    oxi_dir = scratch / "oxigraph"
    subprocess.run([oxi, "load", "--location", str(oxi_dir), "--file", str(nquads)], check=True)
    # As its loader advises for a read-heavy workload (PeaceKG's build optimises its store too).
    subprocess.run([oxi, "optimize", "--location", str(oxi_dir)], check=True)

    pk_port, ox_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    base_port = _free_port() if args.baseline_src else None
    servers = [
        subprocess.Popen(
            [*peacekg, "serve", "--build-dir", str(build_dir), "--port", str(pk_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                oxi,
                "serve",
                "--location",
                str(oxi_dir),
                "--bind",
                f"127.0.0.1:{ox_port}",
                *([] if args.same_dataset else ["--union-default-graph"]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    if base_port is not None:
        servers.append(
            subprocess.Popen(
                [*peacekg, "serve", "--build-dir", str(build_dir), "--port", str(base_port)],
                cwd=ROOT,
                env={**env, "PYTHONPATH": str(Path(args.baseline_src).resolve())},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        _wait(pk_port, "/sparql?query=ASK%7B%7D", servers[0])
        _wait(ox_port, "/query?query=ASK%7B%7D", servers[1])
        if base_port is not None:
            _wait(base_port, "/sparql?query=ASK%7B%7D", servers[2])
        time.sleep(1.0)  # let PeaceKG's query workers finish starting
        baseline = (
            "every graph, PeaceKG's default graph as default-graph-uri"
            if args.same_dataset
            else "the union graphs, --union-default-graph"
        )
        print(
            f"Oxigraph: {baseline}; {len(quads)} quads in it; "
            f"{len(catalogue)} queries (without SERVICE); "
            f"{os.cpu_count()} cores; {platform.platform()}; Python "
            f"{platform.python_version()}; pyoxigraph/oxigraph {pyoxigraph.__version__}; "
            + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        )
        print()
        tables = {name.strip() for name in args.tables.split(",")}
        for title, cold in (
            ("Warm: the catalogue repeated (PeaceKG answers from its result cache)", False),
            ("Cold: every request a query text not seen before (result cache misses)", True),
        ):
            if ("cold" if cold else "warm") not in tables:
                continue
            print(f"### {title}")
            print()
            print(f"load average at its start: {_load_average()}")
            print()
            _table(catalogue, levels, pk_port, ox_port, args.seconds, cold, base_port)
            print(f"load average at its end: {_load_average()}")
            print()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def _table(
    catalogue: list[CatalogueQuery],
    levels: list[int],
    pk_port: int,
    ox_port: int,
    seconds: float,
    cold: bool,
    base_port: int | None = None,
) -> None:
    """Measure every query at every level on both servers; print both Markdown tables.

    With ``base_port``, the baseline PeaceKG server is measured right after the first, and
    the summary gets a row for it (its ratio to the same Oxigraph measurements).
    """
    print(
        "| query | clients | PeaceKG req/s | p50 ms | p99 ms "
        "| Oxigraph req/s | p50 ms | p99 ms | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals: dict[int, list[float]] = {n: [0.0, 0.0, 0.0] for n in levels}
    all_latencies: dict[int, list[list[float]]] = {n: [[], [], []] for n in levels}
    turn = 0
    for query in catalogue:
        warm_ups = [(pk_port, "/sparql"), (ox_port, "/query")]
        if base_port is not None:
            warm_ups.append((base_port, "/sparql"))
        for port, path in warm_ups:
            # Warm-up, and a check that both servers answer with the same row count.
            _load(port, path, query.text, 1, 0.3, cold)
        pk_rows = _rows(_fetch(pk_port, "/sparql", query.text))
        ox_rows = _rows(_fetch(ox_port, "/query", query.text))
        note = "" if pk_rows == ox_rows else f" (rows differ: {pk_rows} vs {ox_rows})"
        for clients in levels:
            # The baseline goes first every other round, so neither PeaceKG server always
            # runs right after Oxigraph (or first).
            turn += 1
            if base_port is not None and turn % 2:
                base = _load(base_port, "/sparql", query.text, clients, seconds, cold)
            pk = _load(pk_port, "/sparql", query.text, clients, seconds, cold)
            ox = _load(ox_port, "/query", query.text, clients, seconds, cold)
            if base_port is not None:
                if not turn % 2:
                    base = _load(base_port, "/sparql", query.text, clients, seconds, cold)
                totals[clients][2] += base.rps
                all_latencies[clients][2] += base.latencies
            ratio = pk.rps / ox.rps if ox.rps else float("nan")
            totals[clients][0] += pk.rps
            totals[clients][1] += ox.rps
            all_latencies[clients][0] += pk.latencies
            all_latencies[clients][1] += ox.latencies
            errors = f" ({pk.errors}/{ox.errors} errors)" if pk.errors or ox.errors else ""
            print(
                f"| {query.slug}{note}{errors} | {clients} | {pk.rps:.0f} | "
                f"{pk.percentile(0.5):.1f} | {pk.percentile(0.99):.1f} | {ox.rps:.0f} | "
                f"{ox.percentile(0.5):.1f} | {ox.percentile(0.99):.1f} | {ratio:.2f}× |",
                flush=True,
            )
    print()
    print(
        "| all queries | clients | PeaceKG req/s (mean) | p99 ms | Oxigraph req/s (mean) "
        "| p99 ms | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for clients in levels:
        pk_rps, ox_rps, base_rps = (t / len(catalogue) for t in totals[clients])
        pk_all = Measure(all_latencies[clients][0], 1, 0)
        ox_all = Measure(all_latencies[clients][1], 1, 0)
        print(
            f"| mean | {clients} | {pk_rps:.0f} | {pk_all.percentile(0.99):.1f} | "
            f"{ox_rps:.0f} | {ox_all.percentile(0.99):.1f} | {pk_rps / ox_rps:.2f}× |"
        )
        if base_port is not None:
            base_all = Measure(all_latencies[clients][2], 1, 0)
            print(
                f"| baseline | {clients} | {base_rps:.0f} | {base_all.percentile(0.99):.1f} | "
                f"{ox_rps:.0f} | {ox_all.percentile(0.99):.1f} | {base_rps / ox_rps:.2f}× |"
            )
    print()


def _fetch(port: int, path: str, query: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(
        "GET",
        _target(path, query),
        headers={"Accept": "application/sparql-results+json"},
    )
    body = connection.getresponse().read()
    connection.close()
    return body


if __name__ == "__main__":
    main()
