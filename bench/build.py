"""Build benchmark: ``peacekg build`` stage by stage on growing inputs (issue 17).

Inputs: the real graph; LUBM(1) and LUBM(10) (``../shared/benchmarks/lubm/``) as one
assertion graph with its provenance, beside PeaceKG's ontology and univ-bench; and the
domain-shaped synthetic graph of :mod:`bench.generate` at each ``--sizes``. Each build runs in
its own process (so peak RSS is that build's), through :func:`peacekg.pipeline.build` into a
scratch build directory, and is stopped after ``--timeout`` seconds. A stage's seconds are the
wall time (and, in brackets, the CPU time) between two progress reports; its RSS is the
process's peak at the end of the stage. On a machine shared with other jobs the CPU time is the
measure to compare: wall time then also counts the other jobs.

The table gives seconds and peak RSS per stage and input, and per stage the growth exponent
``k`` of ``cpu seconds ~ n^k`` between consecutive synthetic sizes (n log n shows as about 1.1).

Run from the repository root: ``python -m bench.build [--sizes 10000,100000,1000000]
[--lubm 1,10] [--timeout 600]``. Other jobs on the machine share its cores.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peacekg.config import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import pyoxigraph  # noqa: E402

from bench import lubm  # noqa: E402 - after the path fix-up
from bench.generate import generate  # noqa: E402

# ../shared beside the clone, or where PEACEKG_SHARED_DIR points (as for the tests).
SHARED = Path(os.environ.get("PEACEKG_SHARED_DIR", ROOT.parent / "shared"))
LUBM = SHARED / "benchmarks" / "lubm"
SEEDS = SHARED / "seeds"
LUBM_ASSERTION = "https://w3id.org/peacekg/assertion/lubm"
#: The LUBM data as one assertion, with the provenance PeaceKG's shapes and checks ask for.
_LUBM_PROVENANCE = """\
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix pkg: <https://w3id.org/peacekg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/peacekg/id/source-lubm> a pkg:SourceDocument ;
    rdfs:label "LUBM({size}) benchmark data"@en ; pkg:documentKind pkg:doc-compilation .
<{assertion}> a pkg:StatedAssertion ;
    prov:wasDerivedFrom <https://w3id.org/peacekg/id/source-lubm> ;
    pkg:passage [ oa:hasSource <https://w3id.org/peacekg/id/source-lubm> ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "LUBM" ; oa:prefix "" ; oa:suffix "" ],
            [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 4 ] ] .
<{assertion}> {{
"""
STAGES = ("load", "validate", "quotes", "reason", "check", "wikidata", "dumps", "store")


@dataclass
class Run:
    """One build: its input, triples, per-stage (seconds, peak MiB), and how it ended."""

    name: str
    triples: int
    stages: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    total: float = 0.0
    cpu: float = 0.0
    peak_mib: float = 0.0
    error: str = ""
    #: LUBM query -> (rows on the built store, expected rows), for the LUBM inputs.
    lubm: dict[str, tuple[int, int]] = field(default_factory=dict)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(spec: dict[str, str]) -> int:
    """Run one build as the settings in ``spec`` say; print one JSON line per stage."""
    from peacekg.config import load_settings
    from peacekg.pipeline import BuildFailed, build

    spec = dict(spec)
    lubm_size = spec.pop("lubm", None)
    overrides = {k: Path(v) if k.endswith(("_dir", "_file")) else v for k, v in spec.items()}
    settings = load_settings(overrides=overrides, read_config_file=False)
    last, last_cpu = time.perf_counter(), time.process_time()
    started = last

    def progress(stage: str, message: str) -> None:
        nonlocal last, last_cpu
        now, cpu = time.perf_counter(), time.process_time()
        if message.startswith("warning"):
            return
        line = {
            "stage": stage,
            "seconds": now - last,
            "cpu": cpu - last_cpu,
            "peak_mib": _peak_mib(),
            "msg": message,
        }
        print(json.dumps(line), flush=True)
        last, last_cpu = now, cpu

    try:
        build(settings, progress)
    except BuildFailed as error:
        print(json.dumps({"error": f"{error.stage}: {str(error)[:300]}"}), flush=True)
        return 1
    now = time.perf_counter()
    total = {"total": now - started, "cpu": time.process_time(), "peak_mib": _peak_mib()}
    print(json.dumps(total), flush=True)
    if lubm_size:
        print(json.dumps({"lubm": lubm_counts(settings, int(lubm_size))}), flush=True)
    return 0


def lubm_counts(settings: Settings, size: int) -> dict[str, tuple[int, int]]:
    """Each LUBM query's rows on the built store (its union default graph, the one /sparql
    queries) and the expected count: LUBM(1)'s official one, LUBM(10)'s OWL RL reference."""
    from peacekg.store import EmbeddedStore

    expected = lubm.expected_counts(LUBM, size)
    store = EmbeddedStore.for_graphs(settings.store_path, settings.graphs)
    return {
        name: (sum(1 for _ in store.query(text)), expected[name])
        for name, text in lubm.queries(LUBM)
    }


def lubm_data(size: int, out: Path, lines: int | None = None) -> int:
    """LUBM(size) (its first ``lines`` only, when given) as one TriG assertion, its provenance
    beside it, in the data directory ``out``; returns its triples."""
    source = LUBM / f"lubm{size}.nt.gz"
    documents = out / "documents"
    documents.mkdir(parents=True)
    count = 0
    with (
        gzip.open(source, "rt", encoding="utf-8") as nt,
        (documents / "lubm.trig").open("w", encoding="utf-8") as trig,
    ):
        trig.write(_LUBM_PROVENANCE.format(assertion=LUBM_ASSERTION, size=size))
        for line in itertools.islice(nt, lines):
            if line.strip():
                trig.write(line)
                count += 1
        trig.write("}\n")
    return count


def lubm_ontology(out: Path) -> Path:
    """PeaceKG's ontology and shapes with univ-bench beside them, in the directory ``out``."""
    out.mkdir(parents=True)
    for path in (ROOT / "ontology").glob("*.ttl"):
        shutil.copyfile(path, out / path.name)
    shutil.copyfile(LUBM / "univ-bench.ttl", out / "univ-bench.ttl")
    return out


def prepare(name: str, scratch: Path, sizes: dict[str, int]) -> tuple[dict[str, str], int]:
    """Settings overrides (as strings) and asserted triple count for input ``name``."""
    base = scratch / name
    spec = {"build_dir": str(base / "build"), "queries_dir": str(ROOT / "queries")}
    if name == "real":
        spec |= {"ontology_dir": str(ROOT / "ontology"), "data_dir": str(ROOT / "data")}
        if SEEDS.is_dir():
            spec["sources_dir"] = str(SEEDS)
        files = [p for p in (ROOT / "data").rglob("*") if p.suffix in (".ttl", ".trig")]
        return spec, sum(1 for p in files for _ in pyoxigraph.parse(path=str(p)))
    if name.startswith("lubm"):
        ontology = lubm_ontology(base / "ontology")
        triples = lubm_data(int(name[4:]), base / "data")
        spec |= {"ontology_dir": str(ontology), "data_dir": str(base / "data"), "lubm": name[4:]}
        return spec, triples
    triples = generate(base / "data", sizes[name])
    spec |= {"ontology_dir": str(ROOT / "ontology"), "data_dir": str(base / "data")}
    if SEEDS.is_dir():
        spec["sources_dir"] = str(SEEDS)
    return spec, triples


def run_one(name: str, spec: dict[str, str], triples: int, timeout: float) -> Run:
    """Build ``name`` in a child process, stopping it after ``timeout`` seconds."""
    run = Run(name, triples)
    command = [sys.executable, "-m", "bench.build", "--child", json.dumps(spec)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        run.error = f"stopped after {timeout:.0f} s"
    for raw in out.splitlines():
        line = json.loads(raw)
        if "stage" in line:  # the peak RSS so far is the peak at the end of this stage
            run.stages[line["stage"]] = (line["seconds"], line["cpu"], line["peak_mib"])
            run.cpu += line["cpu"]
            run.peak_mib = max(run.peak_mib, line["peak_mib"])
        elif "total" in line:
            run.total, run.cpu, run.peak_mib = line["total"], line["cpu"], line["peak_mib"]
        elif "error" in line:
            run.error = line["error"].splitlines()[0]
        elif "lubm" in line:
            run.lubm = {query: (got, want) for query, (got, want) in line["lubm"].items()}
    if not run.total:
        run.total = time.perf_counter() - started
    return run


def _exponent(runs: list[Run], stage: str) -> str:
    """``k`` of CPU seconds ~ n^k between consecutive synthetic runs that finished the stage
    (CPU time: on a shared machine wall time measures the other jobs too)."""
    points = [(r.triples, r.stages[stage][1]) for r in runs if stage in r.stages]
    ks = [
        math.log(t2 / t1) / math.log(n2 / n1)
        for (n1, t1), (n2, t2) in itertools.pairwise(points)
        if t1 > 0.05 and t2 > 0 and n2 > n1
    ]
    return " / ".join(f"{k:.2f}" for k in ks) or "n/a"


def table(runs: list[Run]) -> str:
    """Markdown: one row per input, seconds (peak MiB) per stage; exponents last."""
    header = "| input | triples | " + " | ".join(STAGES) + " | whole build | peak RSS | note |"
    lines = [header, "|---" * (len(STAGES) + 5) + "|"]
    for run in runs:
        cells = [
            f"{run.stages[s][0]:.1f} ({run.stages[s][1]:.1f})" if s in run.stages else ""
            for s in STAGES
        ]
        lines.append(
            f"| {run.name} | {run.triples:,} | "
            + " | ".join(cells)
            + f" | {run.total:.1f} s ({run.cpu:.1f}) | {run.peak_mib:,.0f} MiB | {run.error} |"
        )
    synthetic = [r for r in runs if r.name.startswith("synthetic")]
    if len(synthetic) > 1:
        cells = [_exponent(synthetic, s) for s in STAGES]
        lines.append("| growth exponent k (synthetic) | | " + " | ".join(cells) + " | | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="synthetic sizes")
    parser.add_argument("--lubm", default="1,10", help="LUBM scales ('' for none)")
    parser.add_argument("--no-real", action="store_true", help="skip the real graph")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per build")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(json.loads(args.child))

    sizes = {f"synthetic-{int(s) // 1000}k": int(s) for s in args.sizes.split(",") if s}
    names = [] if args.no_real else ["real"]
    names += [f"lubm{s}" for s in args.lubm.split(",") if s and LUBM.is_dir()]
    names += list(sizes)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    runs = []
    with tempfile.TemporaryDirectory(prefix="peacekg-bench-build-") as scratch:
        for name in names:
            spec, triples = prepare(name, Path(scratch), sizes)
            run = run_one(name, spec, triples, args.timeout)
            print(
                f"{name}: {run.total:.1f} s, {run.peak_mib:,.0f} MiB {run.error}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(run)
            print(table(runs), file=sys.stderr, flush=True)  # so far, in case of a stop
            shutil.rmtree(Path(scratch) / name, ignore_errors=True)
    print(table(runs))
    print(lubm_table(runs))
    return 0


def lubm_table(runs: list[Run]) -> str:
    """Markdown: each LUBM query's rows on each built LUBM store against the expected count."""
    built = [run for run in runs if run.lubm]
    if not built:
        return ""
    queries = sorted({q for run in built for q in run.lubm}, key=lambda q: int(q[1:]))
    names = " | ".join(f"{run.name} rows (expected)" for run in built)
    lines = ["", f"| query | {names} |", "|---" * (len(built) + 1) + "|"]
    for query in queries:
        cells = []
        for run in built:
            got, want = run.lubm.get(query, (0, 0))
            cells.append(f"{got} ({want})" + ("" if got == want else " **differs**"))
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
