"""What the local WDQS label service costs (issue 15), against a hand-written label query.

Not a test: it measures. It builds the real data into a scratch directory and runs, on the
built store (in process, no HTTP), three forms of one question, "every participant of every
event, with its English label":

- ``plain``: no labels at all;
- ``hand-written``: the label joined by hand, ``OPTIONAL { ?x rdfs:label ?l FILTER(LANG(?l) =
  "en") }``, what a user without the label service writes (the baseline);
- ``label service``: the WDQS form, ``SERVICE wikibase:label { bd:serviceParam
  wikibase:language "en,uk" . }``, rewritten by :func:`peacekg.web.wdqs.rewrite` (timed too).

It prints the median of ``--runs`` runs of each and its ratio to the baseline.

Run from the repository root: ``python -m bench.labels [--runs 50]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from peacekg.config import load_settings
from peacekg.pipeline import build
from peacekg.store import EmbeddedStore
from peacekg.web.wdqs import rewrite

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PEACEKG_SHARED_DIR", ROOT.parent / "shared"))

PLAIN = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?event ?who WHERE { ?event wdt:P710 ?who }"""
HAND = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?event ?who ?whoLabel WHERE {
  ?event wdt:P710 ?who .
  OPTIONAL { ?who rdfs:label ?whoLabel FILTER(LANG(?whoLabel) = "en") }
}"""
SERVICE = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?event ?who ?whoLabel WHERE {
  ?event wdt:P710 ?who .
  SERVICE <http://wikiba.se/ontology#label> {
    <http://www.bigdata.com/rdf#serviceParam> <http://wikiba.se/ontology#language> "en,uk" .
  }
}"""


def _median(store: EmbeddedStore, text: str, runs: int) -> tuple[float, int]:
    times = []
    rows = 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(list(store.query(text)))
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def main() -> None:
    """Build, run each form ``--runs`` times, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(
            environ={},
            overrides={
                "ontology_dir": ROOT / "ontology",
                "data_dir": ROOT / "data",
                "shapes_file": ROOT / "ontology" / "shapes.ttl",
                "queries_dir": ROOT / "queries",
                "build_dir": Path(scratch) / "build",
                "sources_dir": SHARED / "seeds",
            },
            read_config_file=False,
        )
        build(settings)
        store = EmbeddedStore.for_graphs(settings.store_path, settings.graphs)
        started = time.perf_counter()
        for _ in range(runs):
            rewritten = rewrite(SERVICE)
        rewrite_time = (time.perf_counter() - started) / runs
        forms = [("plain", PLAIN), ("hand-written (baseline)", HAND), ("label service", rewritten)]
        results = [(name, *_median(store, text, runs)) for name, text in forms]
    baseline = results[1][1]
    print(
        f"real data, {runs} runs each; rewrite of the label-service query: "
        f"{rewrite_time * 1000:.2f} ms"
    )
    print("| form | rows | median ms | ratio to hand-written |")
    print("|---|---|---|---|")
    for name, seconds, rows in results:
        print(f"| {name} | {rows} | {seconds * 1000:.2f} | {seconds / baseline:.2f} |")


if __name__ == "__main__":
    main()
