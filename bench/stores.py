"""Store benchmark: LUBM(10) in the embedded store, Oxigraph server and Virtuoso (issue 16).

For each store: the time to load LUBM(10) (``../shared/benchmarks/lubm/``: 1,272,953 triples
plus the univ-bench ontology, no reasoning) into PeaceKG's asserted graph, and the 14 LUBM
queries' sum of times sent one after another through PeaceKG's endpoint (``/sparql`` of a
real waitress server on 127.0.0.1) served from that store. The embedded store is loaded the
way a build writes it (``write_store``: one bulk load into a new store directory); the remote
stores the way ``peacekg push`` loads them (Graph Store Protocol into a staging graph, then one
MOVE). Each query is run once to warm up and then timed; the rows are counted, and the counts
must agree between stores (they are the no-reasoning counts: LUBM's official counts need an
OWL RL closure, which is not what is measured here).

Run from the repository root: ``python -m bench.stores [--lubm 10]``. Needs ``oxigraph`` (test
extras) and Virtuoso (``scripts/install-virtuoso.sh``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import http.client
import json
import platform
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph
from tests.conftest import ROOT, SHARED, settings_for
from tests.live import start_server
from tests.oxigraph_server import oxigraph_server
from tests.virtuoso_server import PASSWORD, USER, virtuoso_server

from peacekg.config import Settings
from peacekg.remote import RemoteStore
from peacekg.store import write_store
from peacekg.web import create_app

LUBM = SHARED / "benchmarks" / "lubm"


def _triples(scale: int) -> Iterator[pyoxigraph.Triple]:
    with gzip.open(LUBM / f"lubm{scale}.nt.gz") as data:
        for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES):
            yield quad.triple
    for quad in pyoxigraph.parse(
        path=str(LUBM / "univ-bench.ttl"), format=pyoxigraph.RdfFormat.TURTLE
    ):
        yield quad.triple


def _queries() -> list[tuple[str, str]]:
    files = sorted((LUBM / "queries").glob("q*.rq"), key=lambda p: int(p.stem[1:]))
    return [(p.stem, p.read_text(encoding="utf-8")) for p in files]


def _ask(port: int, query: str) -> int:
    """POST ``query`` to PeaceKG's endpoint; the number of result rows."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    body = urllib.parse.urlencode({"query": query})
    connection.request(
        "POST",
        "/sparql",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
    return len(json.loads(data)["results"]["bindings"])


def _run_queries(settings: Settings) -> tuple[float, dict[str, int]]:
    """Sum of the 14 queries' times through PeaceKG's endpoint, and the rows of each."""
    server, stop = start_server(create_app(settings), threads=4)
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    try:
        total, rows = 0.0, {}
        for name, query in _queries():
            _ask(port, query)  # warm-up
            started = time.perf_counter()
            rows[name] = _ask(port, query)
            total += time.perf_counter() - started
        return total, rows
    finally:
        stop()


def _timed(load: Callable[[], object]) -> float:
    started = time.perf_counter()
    load()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lubm", type=int, default=10, help="LUBM scale: 1 or 10")
    parser.add_argument(
        "--stores",
        default="oxigraph,virtuoso",
        help="remote stores to measure beside the embedded one (comma-separated)",
    )
    args = parser.parse_args()
    wanted = set(args.stores.split(","))
    results: list[tuple[str, float, float, dict[str, int]]] = []
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        work = Path(scratch)
        base = settings_for(
            ROOT, build_dir=work / "build", max_rows=10_000_000, query_timeout=900.0
        )
        asserted = base.graphs.asserted
        name = pyoxigraph.NamedNode(asserted)

        def embedded_load() -> None:
            write_store(
                base.store_path,
                (
                    pyoxigraph.Quad(t.subject, t.predicate, t.object, name)
                    for t in _triples(args.lubm)
                ),
            )

        load = _timed(embedded_load)
        results.append(("embedded (pyoxigraph)", load, *_run_queries(base)))
        print(f"embedded: load {load:.1f} s, queries {results[-1][2]:.2f} s", file=sys.stderr)

        remotes: list[tuple[str, Settings]] = []
        if "oxigraph" in wanted:
            oxigraph = servers.enter_context(oxigraph_server(work / "oxigraph"))
            remotes.append(
                (
                    "Oxigraph server",
                    dataclasses.replace(
                        base,
                        store_url=oxigraph + "/query",
                        store_update_url=oxigraph + "/update",
                        store_gsp_url=oxigraph + "/store",
                        store_kind="oxigraph",
                    ),
                )
            )
        if "virtuoso" in wanted:
            virtuoso = servers.enter_context(virtuoso_server(work / "virtuoso"))
            remotes.append(
                (
                    "Virtuoso 7",
                    dataclasses.replace(
                        base,
                        store_url=virtuoso.query_url,
                        store_update_url=virtuoso.update_url,
                        store_gsp_url=virtuoso.gsp_url,
                        store_kind="virtuoso",
                        store_user=USER,
                        store_password=PASSWORD,
                    ),
                )
            )
        for label, settings in remotes:
            store = RemoteStore.from_settings(settings)
            load = _timed(lambda store=store: store.replace({asserted: _triples(args.lubm)}))
            results.append((label, load, *_run_queries(settings)))
            # Each store's figures as soon as they are known: a slow store cannot hide them.
            print(f"{label}: load {load:.1f} s, queries {results[-1][2]:.2f} s", file=sys.stderr)

    reference_rows = results[0][3]
    embedded_load, embedded_queries = results[0][1], results[0][2]
    print(
        f"LUBM({args.lubm}), {platform.machine()} {platform.system()}, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| store | load | x embedded | 14 queries (sum) | x embedded | rows as embedded |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, load, queries, rows in results:
        same = "yes" if rows == reference_rows else f"no: {rows}"
        print(
            f"| {label} | {load:.1f} s | {load / embedded_load:.2f} | {queries:.2f} s | "
            f"{queries / embedded_queries:.2f} | {same} |"
        )
    print()
    print("rows per query (embedded):", ", ".join(f"{k} {v}" for k, v in reference_rows.items()))


if __name__ == "__main__":
    main()
