"""Store benchmark: LUBM in the embedded store, Oxigraph server and Virtuoso (issue 16).

For each store: the time to load LUBM (``../shared/benchmarks/lubm/``) the way a build of it
would hold it (univ-bench in the ontology graph, the data in the asserted graph, the OWL 2 RL
closure by PeaceKG's reasoner in the inferred graph; ``--no-closure`` leaves the closure out),
and the 14 LUBM queries' sum of times sent one after another through PeaceKG's endpoint
(``/sparql`` of a real waitress server on 127.0.0.1) served from that store. The embedded
store is loaded the way a build writes it (``write_store``: one bulk load into a new store
directory); the remote stores the way ``peacekg push`` loads them (Graph Store Protocol into
staging graphs, then the one switching update, timed apart). Each query is sent once to warm
up and once timed, each time as a text not sent before (PeaceKG's result cache answers
neither). The rows are counted: with the closure they must be LUBM's official counts
(``expected-counts.tsv``; at LUBM(10) its reference counts), without it the embedded store's.
The closure is computed once and kept in ``build/bench-cache/`` (minutes at LUBM(1)).

Run from the repository root: ``python -m bench.stores [--lubm 1|10] [--no-closure]``. Needs
``oxigraph`` (test extras) and Virtuoso (``scripts/install-virtuoso.sh``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import http.client
import json
import os
import platform
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph
from rdflib import Graph
from tests.conftest import ROOT, SHARED, settings_for
from tests.live import start_server
from tests.oxigraph_server import oxigraph_server
from tests.virtuoso_server import PASSWORD, USER, virtuoso_server

from bench import lubm
from peacekg.config import Settings
from peacekg.namespaces import GraphNames
from peacekg.reason import reason
from peacekg.remote import RemoteStore
from peacekg.store import graph_quads, write_store
from peacekg.web import create_app

LUBM = SHARED / "benchmarks" / "lubm"
#: The OWL 2 RL closure of each LUBM scale, computed once (minutes at LUBM(10)) and kept here.
CACHE = ROOT / "build" / "bench-cache"


def _inferred(scale: int) -> Path:
    """The closure's informative triples of LUBM(scale) + univ-bench, as N-Triples (cached).

    Computed by PeaceKG's reasoner (``peacekg.reason``, as a build does), so the queries
    answer LUBM's official counts, and written once to :data:`CACHE`.
    """
    path = CACHE / f"lubm{scale}-inferred.nt"
    if path.is_file():
        return path
    ontology = Graph().parse(LUBM / "univ-bench.ttl", format="turtle")
    data = Graph()
    with gzip.open(LUBM / f"lubm{scale}.nt.gz") as source:
        data.parse(source, format="nt")
    inferred = reason(ontology, data).inferred
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(
        pyoxigraph.serialize(
            (q.triple for q in graph_quads(inferred, None)), format=pyoxigraph.RdfFormat.N_TRIPLES
        )
        or b""
    )
    partial.replace(path)
    return path


def _graphs(scale: int, names: GraphNames) -> dict[str, Callable[[], Iterator[pyoxigraph.Triple]]]:
    """The graphs a build of LUBM(scale) would have: univ-bench, the data, the closure."""

    def parse(path: Path, format: pyoxigraph.RdfFormat) -> Iterator[pyoxigraph.Triple]:
        if path.suffix == ".gz":
            with gzip.open(path) as data:
                yield from (q.triple for q in pyoxigraph.parse(data, format=format))
        else:
            yield from (q.triple for q in pyoxigraph.parse(path=str(path), format=format))

    return {
        names.ontology: lambda: parse(LUBM / "univ-bench.ttl", pyoxigraph.RdfFormat.TURTLE),
        names.asserted: lambda: parse(LUBM / f"lubm{scale}.nt.gz", pyoxigraph.RdfFormat.N_TRIPLES),
        names.inferred: lambda: parse(_inferred(scale), pyoxigraph.RdfFormat.N_TRIPLES),
    }


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
        for name, query in lubm.queries(LUBM):
            # Texts never sent before, so PeaceKG's result cache answers neither run.
            _ask(port, query + "\n# warm-up")
            started = time.perf_counter()
            rows[name] = _ask(port, query + "\n# timed")
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
    parser.add_argument("--lubm", type=int, default=10, choices=(1, 10), help="LUBM scale")
    parser.add_argument(
        "--stores",
        default="oxigraph,virtuoso",
        help="remote stores to measure beside the embedded one (comma-separated)",
    )
    parser.add_argument(
        "--no-closure",
        action="store_true",
        help="load the data and univ-bench only (no OWL 2 RL closure: the counts are then "
        "compared with the embedded store's, not with LUBM's)",
    )
    args = parser.parse_args()
    wanted = set(args.stores.split(","))
    official = None if args.no_closure else lubm.expected_counts(LUBM, args.lubm)
    loads = [os.getloadavg()[0]]
    # (store, load s, of which the switch s, queries s, rows per query)
    results: list[tuple[str, float, float | None, float, dict[str, int]]] = []
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        work = Path(scratch)
        base = settings_for(
            ROOT, build_dir=work / "build", max_rows=10_000_000, query_timeout=900.0
        )
        graphs = _graphs(args.lubm, base.graphs)
        if args.no_closure:
            del graphs[base.graphs.inferred]
        else:
            _inferred(args.lubm)  # the closure once, before anything is timed

        def embedded_load() -> None:
            write_store(
                base.store_path,
                (
                    pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(iri))
                    for iri, triples in graphs.items()
                    for t in triples()
                ),
            )

        load = _timed(embedded_load)
        results.append(("embedded (pyoxigraph)", load, None, *_run_queries(base)))
        print(f"embedded: load {load:.1f} s, queries {results[-1][3]:.2f} s", file=sys.stderr)

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
            loaded: list[float] = []

            def push(store: RemoteStore = store, loaded: list[float] = loaded) -> None:
                store.replace(
                    {iri: triples() for iri, triples in graphs.items()},
                    lambda *_: loaded.append(time.perf_counter()),
                )

            started = time.perf_counter()
            push()
            ended = time.perf_counter()
            results.append((label, ended - started, ended - loaded[-1], *_run_queries(settings)))
            # Each store's figures as soon as they are known: a slow store cannot hide them.
            print(
                f"{label}: load {ended - started:.1f} s (switch {ended - loaded[-1]:.1f} s), "
                f"queries {results[-1][3]:.2f} s",
                file=sys.stderr,
            )
            loads.append(os.getloadavg()[0])

    embedded_load, embedded_queries = results[0][1], results[0][3]
    triples = sum(1 for triples in graphs.values() for _ in triples())
    print(
        f"LUBM({args.lubm}) {'without' if args.no_closure else 'with'} its OWL 2 RL closure, "
        f"{triples:,} triples in {len(graphs)} graphs, "
        f"{platform.machine()} {platform.system()}, Python {platform.python_version()}, "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )
    print()
    print("| store | load (switch) | x embedded | 14 queries (sum) | x embedded | counts |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    expected = official or results[0][4]
    for label, load, switch, queries, rows in results:
        wrong = {k: v for k, v in rows.items() if v != expected[k]}
        counts = ("all 14" if official else "as embedded") if not wrong else f"no: {wrong}"
        switched = "" if switch is None else f" ({switch:.1f} s)"
        print(
            f"| {label} | {load:.1f} s{switched} | {load / embedded_load:.2f} | "
            f"{queries:.2f} s | {queries / embedded_queries:.2f} | {counts} |"
        )


if __name__ == "__main__":
    main()
