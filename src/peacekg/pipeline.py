"""The build: load -> validate -> reason -> check -> store, composed from the stage modules.

The CLI and the web app call these two functions only; each stage stays a plain function in
its own module. Any failure raises before the store is touched, so the served graph stays.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph
from rdflib import Graph
from rdflib.util import guess_format

from peacekg import __version__
from peacekg.checks import CheckViolation, run_checks_in
from peacekg.closure import Triple
from peacekg.config import Settings
from peacekg.export import DatasetGraphs, export_with_context
from peacekg.load import (
    ALIGNMENT_GRAPH,
    ASSERTED_GRAPH,
    INTERNAL,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    SHAPES_GRAPH,
    LoadedSources,
    graph_quads,
    load,
    source_files,
)
from peacekg.passages import verify_quotes
from peacekg.quotes import QuoteProblem
from peacekg.reason import ReasoningResult, reason_triples
from peacekg.remote import RemoteStore
from peacekg.store import DUMPS_SUBDIR, PARTIAL_DUMPS_PREFIX, write_store
from peacekg.validate import ValidationOutcome, validate
from peacekg.wikidata import unlinked_in_store
from peacekg.wikidata.view import inferred_scope, view_scope, wikidata_view

Progress = Callable[[str, str], None]
MANIFEST = "manifest.json"


def _silent(stage: str, message: str) -> None:
    """The default progress sink: say nothing."""


def _took(started: float) -> str:
    """``(seconds, peak RSS)`` of a stage, for its progress line: where a build spends."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"({time.perf_counter() - started:.2f} s, peak {peak:.0f} MiB)"


_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector off while a build runs (reference counting
    still frees everything that is not in a cycle).

    A build allocates millions of tuples and terms, and each allocation burst set off full
    collections that walked them all: half the reasoning stage's time on LUBM(1), measured
    (``bench/build.py``). Nested and concurrent pauses (an update while a build runs) count,
    so the collector comes back, with one collection, when the last one ends.
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            resume = _gc_pauses == 0 and _gc_was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect()


class BuildFailed(Exception):
    """A stage rejected the sources; the message says which and why."""

    def __init__(self, stage: str, message: str) -> None:
        self.stage = stage
        super().__init__(message)


class ValidationFailed(BuildFailed):
    """SHACL found violations."""

    def __init__(self, outcome: ValidationOutcome) -> None:
        self.outcome = outcome
        count = len(outcome.violations)
        super().__init__("validate", f"{count} SHACL violation(s):\n{outcome.text()}")


class ChecksFailed(BuildFailed):
    """A ``*-violation.rq`` check returned rows."""

    def __init__(self, failures: list[CheckViolation]) -> None:
        self.failures = failures
        lines = [f"{f.check}: {len(f.rows)} row(s): {f.rows[:5]}" for f in failures]
        super().__init__("check", "quality checks failed:\n" + "\n".join(lines))


class QuotesFailed(BuildFailed):
    """A quote is not found verbatim in its source text."""

    def __init__(self, problems: list[QuoteProblem]) -> None:
        self.problems = problems
        lines = [f"{p.claim}: {p.reason}: {p.quote!r}" for p in problems]
        super().__init__("quotes", "quote check failed:\n" + "\n".join(lines))


@dataclass(frozen=True)
class BuildResult:
    """Every graph the build made and what each stage found."""

    sources: LoadedSources
    validation: ValidationOutcome
    reasoning: ReasoningResult
    unlinked: list[tuple[str, str]] = field(default_factory=list)
    store_dir: Path | None = None
    #: Asserted + inferred in Wikidata's RDF model (issue 7), without the labels that the
    #: asserted graph already holds: the union default graph would return them twice.
    wikidata_view: Graph = field(default_factory=Graph)
    #: What ``peacekg wikidata enrich`` fetched from Wikidata, never mixed into asserted data.
    wikidata_enrichment: Graph = field(default_factory=Graph)

    @property
    def ontology(self) -> Graph:
        """The ontology graph."""
        return self.sources.ontology

    @property
    def asserted(self) -> Graph:
        """The asserted data graph."""
        return self.sources.asserted

    @property
    def inferred(self) -> Graph:
        """What OWL 2 RL reasoning added."""
        return self.reasoning.inferred

    def named_graphs(self, settings: Settings) -> dict[str, Graph]:
        """Graph IRI -> graph, as stored and served: the union graphs, then one graph per
        assertion; provenance, alignment and the derived Wikidata graphs when not empty."""
        names = settings.graphs
        graphs = {
            names.ontology: self.ontology,
            names.asserted: self.asserted,
            names.inferred: self.inferred,
        }
        if len(self.sources.provenance):
            graphs[names.provenance] = self.sources.provenance
        if len(self.sources.alignment):
            graphs[names.alignment] = self.sources.alignment
        if len(self.wikidata_view):
            graphs[names.wikidata_view] = self.wikidata_view
        if len(self.wikidata_enrichment):
            graphs[names.wikidata] = self.wikidata_enrichment
        graphs.update(self.sources.assertions)
        return graphs

    def union(self) -> Graph:
        """Ontology, asserted facts, provenance, alignment and inferred triples in one graph."""
        union = Graph()
        for graph in (self.ontology, self.sources.curated, self.inferred):
            for triple in graph:
                union.add(triple)
        return union

    def counts(self, settings: Settings) -> dict[str, int]:
        """Triples per graph of :meth:`named_graphs`, in its order, counted in the dataset."""
        names = settings.graphs
        dataset = self.sources.asserted_graph()
        result = dataset.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(result, pyoxigraph.QuerySolutions)
        stored = {row[0].value: int(row[1].value) for row in result}
        counts = {
            names.ontology: stored.get(ONTOLOGY_GRAPH.value, 0),
            names.asserted: stored.get(ASSERTED_GRAPH.value, 0),
            names.inferred: len(self.reasoning.triples),
        }
        for iri, internal in (
            (names.provenance, PROVENANCE_GRAPH),
            (names.alignment, ALIGNMENT_GRAPH),
        ):
            if stored.get(internal.value):
                counts[iri] = stored[internal.value]
        if len(self.wikidata_view):
            counts[names.wikidata_view] = len(self.wikidata_view)
        if len(self.wikidata_enrichment):
            counts[names.wikidata] = len(self.wikidata_enrichment)
        for name in self.sources.assertion_names:
            counts[name] = stored.get(name, 0)
        return counts


def build_dataset(settings: Settings, progress: Progress = _silent) -> BuildResult:
    """Load, validate, reason and check, without touching the store.

    Raises:
        LoadError: a file does not parse.
        BuildFailed: validation, reasoning, the quote check or a quality check failed.
    """
    started = time.perf_counter()
    sources = load(settings.ontology_dir, settings.data_dir, settings.shapes_path)
    progress(
        "load",
        # Counted in the dataset: len() of the rdflib views would build them (most of the
        # load stage's time on LUBM, and memory held for the rest of the build).
        f"{len(sources.files)} files: ontology {sources.count(ONTOLOGY_GRAPH)}, "
        f"shapes {sources.count(SHAPES_GRAPH)}, asserted {sources.count(ASSERTED_GRAPH)} triples "
        f"{_took(started)}",
    )

    return check_sources(settings, sources, progress)


@cyclic_gc_paused()
def check_sources(
    settings: Settings, sources: LoadedSources, progress: Progress = _silent
) -> BuildResult:
    """Validate, check quotes, reason and run the quality checks on already-loaded graphs.

    The build and the endpoint's update path (``peacekg.update``) both go through here, so
    an update is held to exactly the rules a build is.

    Raises:
        BuildFailed: validation, reasoning, the quote check or a quality check failed.
        InconsistencyError: reasoning derived a contradiction.
    """
    started = time.perf_counter()
    outcome = validate(sources.curated_store(), sources.ontology, sources.shapes)
    progress(
        "validate",
        f"{len(outcome.violations)} violations, {len(outcome.warnings)} warnings {_took(started)}",
    )
    for warning in outcome.warnings:
        progress("validate", f"warning {warning.focus_node}: {warning.message}")
    if not outcome.conforms:
        raise ValidationFailed(outcome)

    if settings.sources_dir is not None:
        started = time.perf_counter()
        problems = verify_quotes(sources, settings.sources_dir)
        progress(
            "quotes",
            f"{len(sources.assertion_names)} assertions, {len(problems)} problems {_took(started)}",
        )
        if problems:
            raise QuotesFailed(problems)

    started = time.perf_counter()
    dataset = sources.asserted_graph()
    reasoning = reason_triples(
        _triples(dataset, ONTOLOGY_GRAPH) | _triples(dataset, ASSERTED_GRAPH),
        _triples(dataset, PROVENANCE_GRAPH) | _triples(dataset, ALIGNMENT_GRAPH),
        prefixes=tuple((p, str(n)) for p, n in sources.ontology.namespaces()),
    )
    progress(
        "reason",
        f"{len(reasoning.triples)} inferred triples from {reasoning.input_triples} "
        f"{_took(started)}",
    )

    result = BuildResult(sources=sources, validation=outcome, reasoning=reasoning)
    started = time.perf_counter()
    _union_default_graph(dataset, reasoning, settings.graphs.provenance)
    named = [settings.graphs.provenance, *sources.assertion_names]
    failures = run_checks_in(dataset, settings.queries_dir / "checks", named)
    progress("check", f"{len(failures)} failing checks {_took(started)}")
    if failures:
        raise ChecksFailed(failures)

    started = time.perf_counter()
    unlinked = unlinked_in_store(dataset)
    # The view reads only part of the graph: only that part is made into rdflib graphs.
    view = wikidata_view(
        view_scope(sources),
        inferred_scope(reasoning.triples),
        settings.base_iri,
        with_labels=False,
    )
    enrichment = Graph()
    if settings.wikidata_enrichment_path.is_file():
        path = settings.wikidata_enrichment_path
        enrichment.parse(path, format=guess_format(str(path)) or "turtle")
    progress(
        "wikidata",
        f"{len(unlinked)} entities without a Wikidata link; Wikidata-shaped view "
        f"{len(view)} triples, enrichment {len(enrichment)} "
        f"{_took(started)}",
    )
    return replace(result, unlinked=unlinked, wikidata_view=view, wikidata_enrichment=enrichment)


#: Where the build's dataset holds what reasoning added (for the checks).
INFERRED_GRAPH = pyoxigraph.NamedNode(INTERNAL + "inferred")


def _triples(dataset: pyoxigraph.Store, graph: pyoxigraph.NamedNode) -> set[Triple]:
    quads = dataset.quads_for_pattern(None, None, None, graph)
    # No RDF-star triple terms in a build: every subject and object is a plain term.
    return {(q.subject, q.predicate, q.object) for q in quads}  # type: ignore[misc]


def _union_default_graph(
    dataset: pyoxigraph.Store, reasoning: ReasoningResult, provenance: str
) -> None:
    """Ontology, asserted, provenance, alignment and inferred triples, each once, as the
    dataset's default graph: what the checks and the Wikidata stage query (in Oxigraph).

    The provenance graph is also copied under its served IRI, which checks name.
    """
    served = pyoxigraph.NamedNode(provenance)
    for graph in (INFERRED_GRAPH, served, pyoxigraph.DefaultGraph()):
        dataset.clear_graph(graph)
    dataset.update(
        f"INSERT {{ GRAPH {served} {{ ?s ?p ?o }} }} "
        f"WHERE {{ GRAPH {PROVENANCE_GRAPH} {{ ?s ?p ?o }} }}"
    )
    dataset.extend(pyoxigraph.Quad(s, p, o, INFERRED_GRAPH) for s, p, o in reasoning.triples)  # type: ignore[arg-type]
    graphs = " ".join(
        str(g)
        for g in (ONTOLOGY_GRAPH, ASSERTED_GRAPH, PROVENANCE_GRAPH, ALIGNMENT_GRAPH, INFERRED_GRAPH)
    )
    dataset.update(
        f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"  # noqa: S608 - constant IRIs
    )


def source_fingerprint(settings: Settings) -> dict[str, str]:
    """SHA-256 of every source file the build reads, so ``serve`` knows when to rebuild."""
    files = [*source_files(settings.ontology_dir), *source_files(settings.data_dir)]
    checks = settings.queries_dir / "checks"
    if checks.is_dir():
        files.extend(sorted(checks.glob("*.rq")))
    if settings.shapes_path.is_file():
        files.append(settings.shapes_path)
    if settings.wikidata_enrichment_path.is_file():
        files.append(settings.wikidata_enrichment_path)
    digests = {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(set(files))
    }
    digests[CODE_KEY] = code_digest(Path(__file__).parent)
    return digests


#: The fingerprint entry of the build's own code (issue 14): a change under src/ rebuilds too.
CODE_KEY = "peacekg code"


def code_digest(package_dir: Path) -> str:
    """One SHA-256 over the build's Python code (paths and contents, in a stable order)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def stages(settings: Settings) -> list[str]:
    """The stages :func:`build` reports to its progress sink, in order, for ``settings``."""
    checked = ["load", "validate", *(["quotes"] if settings.sources_dir is not None else [])]
    stored = ["store"] if settings.store_url else ["dumps", "store"]
    return [*checked, "reason", "check", "wikidata", *stored]


@cyclic_gc_paused()
def build(settings: Settings, progress: Progress = _silent) -> BuildResult:
    """Run the whole build and switch the served store to the new graphs atomically."""
    # Fingerprint what is read, before reading it: a file edited during the build must
    # still count as changed for the next `serve`.
    fingerprint = source_fingerprint(settings)
    result = build_dataset(settings, progress)
    started = time.perf_counter()
    counts = result.counts(settings)
    total = sum(counts.values())
    store_dir: Path | None = None
    if settings.store_url:
        graphs = result.named_graphs(settings)
        RemoteStore.from_settings(settings).replace_graphs(graphs)
        settings.build_dir.mkdir(parents=True, exist_ok=True)
        progress("store", f"{total} triples in {len(graphs)} graphs {_took(started)}")
    else:
        store_dir = _store_with_dumps(
            settings, result, counts, progress, f"{total} triples in {len(counts)} graphs"
        )
    manifest = {
        "version": __version__,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "store": store_dir.name if store_dir else settings.store_url,
        "counts": counts,
        "sources": fingerprint,
    }
    # Replaced in one rename: a build killed while writing leaves the old manifest, never
    # an empty one.
    path = settings.build_dir / MANIFEST
    temporary = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return replace(result, store_dir=store_dir)


#: Where the build's dataset holds the Wikidata view and enrichment for the dumps.
WIKIDATA_VIEW_GRAPH = pyoxigraph.NamedNode(INTERNAL + "wikidata-view")
WIKIDATA_GRAPH = pyoxigraph.NamedNode(INTERNAL + "wikidata")


def _served_graphs(
    settings: Settings, result: BuildResult, counts: Mapping[str, int]
) -> DatasetGraphs:
    """The graphs the embedded store gets (those of :meth:`BuildResult.named_graphs`), as the
    build's dataset holds them: the sources and reasoning's triples already there (the checks
    read them), the two Wikidata graphs (rdflib, small) added."""
    dataset = result.sources.asserted_graph()
    for internal, graph in (
        (WIKIDATA_VIEW_GRAPH, result.wikidata_view),
        (WIKIDATA_GRAPH, result.wikidata_enrichment),
    ):
        dataset.clear_graph(internal)
        dataset.extend(graph_quads(graph, internal))
    names = settings.graphs
    served = {
        names.ontology: ONTOLOGY_GRAPH,
        names.asserted: ASSERTED_GRAPH,
        names.inferred: INFERRED_GRAPH,
        names.provenance: PROVENANCE_GRAPH,
        names.alignment: ALIGNMENT_GRAPH,
        names.wikidata_view: WIKIDATA_VIEW_GRAPH,
        names.wikidata: WIKIDATA_GRAPH,
    }
    served.update((name, pyoxigraph.NamedNode(name)) for name in result.sources.assertion_names)
    return DatasetGraphs(dataset, served, counts)


def _store_with_dumps(
    settings: Settings,
    result: BuildResult,
    counts: Mapping[str, int],
    progress: Progress,
    stored: str,
) -> Path:
    """Write the dumps and, beside them, the embedded store from the N-Quads dump; then
    switch to it.

    The dumps are made from the build's in-memory dataset, each served graph read where the
    dataset holds it (no copy): reading them back from the on-disk store decodes every term
    from disk (12x slower, measured on LUBM(1)). As soon as the N-Quads dump is complete,
    Oxigraph bulk-loads the store from it in a thread (no Python object per quad, and the
    GIL released: the other dumps are written meanwhile, on the other core), and the dumps
    move into the store's directory before the link switches, so the served store never
    lacks its dumps and a failure anywhere leaves the served store as it was.
    """
    started = time.perf_counter()
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=f"{PARTIAL_DUMPS_PREFIX}{os.getpid()}-", dir=settings.build_dir)
    )
    dumps_written = threading.Event()
    dumps_complete = False

    def move_dumps(directory: Path) -> None:
        dumps_written.wait()
        if not dumps_complete:
            raise _DumpsNotWritten  # write_store removes its directory; export's error goes on
        os.rename(scratch, directory / DUMPS_SUBDIR)

    loading: list[Future[Path]] = []
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="peacekg-store") as loader:

            def load_store(nquads: Path) -> None:
                loading.append(loader.submit(write_store, settings.store_path, nquads, move_dumps))

            try:
                graphs = _served_graphs(settings, result, counts)
                written = export_with_context(graphs, settings, scratch, load_store)
                dumps_complete = True
                progress("dumps", f"{len(written)} files {_took(started)}")
                started = time.perf_counter()
            finally:
                dumps_written.set()
        (loaded,) = loading
        store_dir = loaded.result()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress("store", f"{stored} {_took(started)}")
    return store_dir


class _DumpsNotWritten(Exception):
    """The dumps failed while the store loaded: the store must not be switched in."""


def needs_build(settings: Settings) -> bool:
    """True when there is no store yet or a source changed since the last build."""
    manifest_path = settings.build_dir / MANIFEST
    if not manifest_path.is_file():
        return True
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return True  # emptied or damaged (an older, non-atomic write): rebuild
    if not isinstance(manifest, dict):
        return True
    if settings.store_url:
        if manifest.get("store") != settings.store_url:
            return True
    elif not settings.store_path.is_symlink():
        return True
    return bool(
        manifest.get("sources") != source_fingerprint(settings)
        or manifest.get("version") != __version__
    )
