"""LUBM through the endpoint: PeaceKG's /sparql against ``oxigraph serve`` (issue 18).

Writes LUBM(1) (``../shared/benchmarks/lubm/``: the data in the asserted graph, univ-bench in
the ontology graph) into a PeaceKG store, serves it with ``peacekg serve``'s app under
waitress, once with the query workers on the on-disk store (``memory_store_quads=0``) and
once with their in-memory copy (the default), and loads the same triples into ``oxigraph
serve --union-default-graph``. After a warm-up (``--warmup`` s of queries to each PeaceKG
server, while its worker copies the store into memory), each of the 14 LUBM queries is sent
three times to each server (distinct comment lines, so PeaceKG's result cache never answers);
the best time per query is summed. With the OWL 2 RL closure (the default): PeaceKG's
reasoner closes LUBM(1) + univ-bench as a build does and the informative triples go in the
inferred graph, which both servers hold, so the counts are LUBM's entailed ones; with
``--no-closure`` the counts are the "no reasoning" ones. The table says which ran, and whether
the store fits under ``memory_store_quads`` (the in-memory copy the default serves).

Run from the repository root: ``python -m bench.lubm_endpoint [--runs 3] [--no-closure]``.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph
from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench import lubm  # noqa: E402
from bench.endpoint import _free_port, _rows, _wait  # noqa: E402
from peacekg.config import load_settings  # noqa: E402
from peacekg.reason import reason  # noqa: E402
from peacekg.serve import create_server  # noqa: E402
from peacekg.store import to_rdflib_term, triple_quads, write_store  # noqa: E402
from peacekg.web import create_app  # noqa: E402
from peacekg.web.sparql import shutdown  # noqa: E402

# ../shared beside the clone, or where PEACEKG_SHARED_DIR points (as for the tests).
LUBM = Path(os.environ.get("PEACEKG_SHARED_DIR", ROOT.parent / "shared")) / "benchmarks" / "lubm"


def _quads(closed: bool) -> list[pyoxigraph.Quad]:
    """LUBM(1) in the asserted graph, univ-bench in the ontology graph, and (``closed``)
    their OWL 2 RL closure in the inferred graph."""
    names = load_settings(environ={}, read_config_file=False).graphs
    data = gzip.decompress((LUBM / "lubm1.nt.gz").read_bytes())
    asserted = pyoxigraph.NamedNode(names.asserted)
    ontology = pyoxigraph.NamedNode(names.ontology)
    quads = [
        pyoxigraph.Quad(t.subject, t.predicate, t.object, asserted)
        for t in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    ]
    quads += [
        pyoxigraph.Quad(t.subject, t.predicate, t.object, ontology)
        for t in pyoxigraph.parse(
            path=str(LUBM / "univ-bench.ttl"), format=pyoxigraph.RdfFormat.TURTLE
        )
    ]
    if closed:
        graphs = {names.asserted: Graph(), names.ontology: Graph()}
        for quad in quads:
            graphs[quad.graph_name.value].add(
                (
                    to_rdflib_term(quad.subject),
                    URIRef(quad.predicate.value),
                    to_rdflib_term(quad.object),
                )
            )
        inferred = reason(graphs[names.ontology], graphs[names.asserted]).inferred
        # rdflib tells "x" from "x"^^xsd:string, RDF 1.1 and Oxigraph do not: a triple the
        # reasoner gives back normalised is no new triple (the union would hold it twice).
        known = {(q.subject, q.predicate, q.object) for q in quads}
        quads += [
            q
            for q in triple_quads(inferred, names.inferred)
            if (q.subject, q.predicate, q.object) not in known
        ]
    return quads


def _time(port: int, path: str, query: str, runs: int) -> tuple[float, int]:
    """Best of ``runs`` wall times (s) of ``query``, each a text not sent before, and its rows."""
    best, rows = float("inf"), -1
    for run in range(runs):
        target = f"{path}?" + urllib.parse.urlencode({"query": f"{query}\n# run {run}"})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}: {body[:200]!r}")
        best, rows = min(best, elapsed), _rows(body)
    return best, rows


def main() -> None:
    """Write the store, start the three servers, time the 14 queries, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="times each query is sent")
    parser.add_argument(
        "--warmup",
        type=float,
        default=40.0,
        help="seconds of queries to each PeaceKG server first (its worker copies the store "
        "into memory in the background meanwhile)",
    )
    parser.add_argument(
        "--no-closure",
        action="store_true",
        help="serve LUBM(1) and univ-bench only, without their OWL 2 RL closure",
    )
    args = parser.parse_args()
    closed = not args.no_closure
    if not LUBM.is_dir():
        raise SystemExit(f"no LUBM data at {LUBM}")
    scratch = Path(tempfile.mkdtemp(prefix="peacekg-lubm-"))
    try:
        quads = _quads(closed)
        settings = load_settings(
            environ={}, read_config_file=False, overrides={"build_dir": str(scratch / "build")}
        )
        write_store(settings.store_path, quads)
        nquads = scratch / "lubm.nq"
        nquads.write_bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b"")
        oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        oxi_dir = scratch / "oxigraph"
        subprocess.run([oxi, "load", "--location", str(oxi_dir), "--file", str(nquads)], check=True)
        subprocess.run([oxi, "optimize", "--location", str(oxi_dir)], check=True)
        ox_port = _free_port()
        serve = [oxi, "serve", "--location", str(oxi_dir), "--bind", f"127.0.0.1:{ox_port}"]
        oxigraph = subprocess.Popen(
            [*serve, "--union-default-graph"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers = []
        for memory in (0, settings.memory_store_quads):
            app = create_app(
                load_settings(
                    environ={},
                    read_config_file=False,
                    overrides={
                        "build_dir": str(scratch / "build"),
                        "memory_store_quads": memory,
                        "query_timeout": 300,
                    },
                )
            )
            server = create_server(app, app.extensions["peacekg"].settings, port=0, threads=4)
            threading.Thread(target=server.run, daemon=True).start()
            servers.append((app, server, int(server.effective_port)))
        try:
            _wait(ox_port, "/query?query=ASK%7B%7D", oxigraph)
            queries = lubm.queries(LUBM)
            texts = [text for _, text in queries]
            for _, _, port in servers:
                until = time.monotonic() + args.warmup
                while time.monotonic() < until:
                    for text in texts:
                        _time(port, "/sparql", f"{text}\n# warm-up {time.monotonic()}", 1)
            print(
                f"LUBM(1), {len(quads)} triples, "
                + ("with its OWL 2 RL closure" if closed else "no closure")
                + f" ({'under' if len(quads) <= settings.memory_store_quads else 'over'} "
                f"memory_store_quads = {settings.memory_store_quads}); "
                f"{args.warmup:g} s warm-up; "
                f"best of {args.runs} per query; "
                f"pyoxigraph/oxigraph {pyoxigraph.__version__}; "
                + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            )
            print()
            print("| query | rows | PeaceKG on disk ms | PeaceKG in memory ms | Oxigraph ms |")
            print("|---|---:|---:|---:|---:|")
            totals = [0.0, 0.0, 0.0]
            for name, text in queries:
                times = []
                counts = []
                for _, _, port in servers:
                    elapsed, rows = _time(port, "/sparql", text, args.runs)
                    times.append(elapsed)
                    counts.append(rows)
                elapsed, rows = _time(ox_port, "/query", text, args.runs)
                times.append(elapsed)
                counts.append(rows)
                note = "" if len(set(counts)) == 1 else f" (rows differ: {counts})"
                for i, value in enumerate(times):
                    totals[i] += value
                print(
                    f"| {name}{note} | {counts[-1]} | {times[0] * 1000:.1f} | "
                    f"{times[1] * 1000:.1f} | {times[2] * 1000:.1f} |",
                    flush=True,
                )
            print(
                f"| sum | | {totals[0] * 1000:.0f} | {totals[1] * 1000:.0f} | "
                f"{totals[2] * 1000:.0f} |"
            )
            print()
            print(
                f"PeaceKG / Oxigraph: on disk {totals[0] / totals[2]:.2f}×, "
                f"in memory {totals[1] / totals[2]:.2f}× (time; lower is faster)"
            )
        finally:
            for app, server, _ in servers:
                server.close()
                shutdown(app)
            oxigraph.terminate()
            oxigraph.wait(timeout=10)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
