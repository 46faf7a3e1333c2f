"""Export stage: dumps of the served graphs and a VoID description of them.

The dataset dumps (TriG, N-Quads, JSON-LD) hold every stored named graph: the union graphs,
provenance, alignment, the derived graphs and one graph per assertion, so each statement keeps
its assertion and so its source (issue 10). Turtle holds the union default graph of the
endpoint (``GraphNames.union()``), each triple once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

import pyoxigraph
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from peacekg import __version__, mediatypes
from peacekg.config import Settings
from peacekg.linesort import DumpWriter, read_chunks, sorted_chunks
from peacekg.namespaces import SD, VOID
from peacekg.store import (
    GraphStore,
    graph_counts,
    oxigraph_store,
    to_rdflib_term,
)

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMP_FORMATS = ("trig", "nquads", "turtle", "jsonld")
CONTEXT_FILE = "peacekg-context.jsonld"
#: The published JSON-LD context: the prefixes a reader of the JSON-LD documents needs.
CONTEXT = {
    "@context": {
        "pkg": "https://w3id.org/peacekg/ontology#",
        "pkgr": "https://w3id.org/peacekg/id/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "oa": "http://www.w3.org/ns/oa#",
        "prov": "http://www.w3.org/ns/prov#",
        "schema": "http://schema.org/",
        "dcterms": "http://purl.org/dc/terms/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "wd": "http://www.wikidata.org/entity/",
        "label": {"@id": "rdfs:label"},
    }
}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_BLANK_QUADS = (
    "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(isBLANK(?s) || isBLANK(?o)) } }"
)
_NT = pyoxigraph.RdfFormat.N_TRIPLES
_NQ = pyoxigraph.RdfFormat.N_QUADS
#: Triples of a graph read from the store at once when dumping it (more go through a file).
_IN_MEMORY = 50_000


def dump_name(fmt: mediatypes.MediaFormat) -> str:
    """File name of a dump, versioned so that a download says what it holds."""
    return f"peacekg-{__version__}.{fmt.extension}"


def dataset_iri(settings: Settings) -> URIRef:
    """The IRI of the dataset as a whole (VoID, DCAT, service description)."""
    return URIRef(settings.base_iri + "dataset")


def void_graph(
    settings: Settings, counts: Mapping[str, int], dumps: Mapping[str, str] | None = None
) -> Graph:
    """A VoID description: the dataset, one subset per named graph with its triple count."""
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    graph.bind("sd", SD)
    dataset = dataset_iri(settings)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("PeaceKG", lang="en")))
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(settings.base_url + "/sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri + "id/")))
    graph.add((dataset, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    for url in (dumps or {}).values():
        graph.add((dataset, VOID.dataDump, URIRef(url)))
    named, assertions = split_counts(settings, counts)
    for iri, count in sorted(named.items()):
        subset = URIRef(iri)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, RDF.type, SD.NamedGraph))
        graph.add((subset, SD.name, subset))
        graph.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
    if assertions:
        _assertion_subset(graph, settings, assertions)
    return graph


def split_counts(
    settings: Settings, counts: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """(the union, provenance and derived graphs, the per-assertion graphs) of ``counts``."""
    names = settings.graphs
    named = {iri: n for iri, n in counts.items() if not names.is_assertion(iri)}
    return named, {iri: n for iri, n in counts.items() if names.is_assertion(iri)}


def assertion_subset_iri(settings: Settings) -> URIRef:
    """The VoID subset that stands for all assertion graphs together."""
    return URIRef(settings.base_iri + "dataset#assertions")


def _assertion_subset(graph: Graph, settings: Settings, assertions: Mapping[str, int]) -> None:
    """One subset for every assertion graph, by count, rather than one per graph.

    There is one graph per passage (hundreds, each of a few triples); listing each as an
    sd:NamedGraph would make the description mostly boilerplate, and their union is already
    the ``asserted`` subset. A client lists them from the dumps or with
    ``SELECT DISTINCT ?g { GRAPH ?g {} }``; their provenance is in the provenance graph.
    """
    subset = assertion_subset_iri(settings)
    graph.add((dataset_iri(settings), VOID.subset, subset))
    graph.add((subset, RDF.type, VOID.Dataset))
    graph.add((subset, DCTERMS.title, Literal("Assertion graphs", lang="en")))
    description = (
        f"{len(assertions)} named graphs, one per assertion: the triples one passage of one "
        f"source document states, each named by an IRI under {settings.graphs.assertion_base}. "
        f"Their provenance (document, passage, stated or curator inference) is in "
        f"{settings.graphs.provenance}; their union is {settings.graphs.asserted}."
    )
    graph.add((subset, DCTERMS.description, Literal(description, lang="en")))
    graph.add((subset, VOID.triples, Literal(sum(assertions.values()), datatype=XSD.integer)))
    graph.add((subset, VOID.exampleResource, URIRef(min(assertions))))


class _Cycle(Exception):
    """A blank node reaches itself: content hashing cannot label it."""


def _key(term: object) -> str:
    return str(term)


def canonical_labels(quads: Iterable[pyoxigraph.Quad]) -> dict[str, str]:
    """A label for each blank node that depends only on what the dump states about it.

    The store keeps the random labels the parser gave, so two builds of the same sources
    would differ in every blank node (issue 14). Each node is named by a hash of its
    outgoing statements (recursively, through nested nodes: a passage and its selectors)
    and of its incoming ones, so a label changes only when that node's content changes and
    a release diff stays local. Nodes indistinguishable by both are numbered in hash order;
    a cycle of blank nodes (none in PeaceKG's data) falls back to Oxigraph's canonicaliser.
    """
    quads = list(quads)
    out: dict[str, list[tuple[str, str, object]]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, object, str]]] = defaultdict(list)
    for q in quads:
        g = _key(q.graph_name)
        if isinstance(q.subject, pyoxigraph.BlankNode):
            out[q.subject.value].append((g, _key(q.predicate), q.object))
        if isinstance(q.object, pyoxigraph.BlankNode):
            incoming[q.object.value].append((g, q.subject, _key(q.predicate)))
    nodes = sorted(set(out) | set(incoming))
    memo: dict[str, str] = {}
    visiting: set[str] = set()

    def content(node: str) -> str:
        if node in memo:
            return memo[node]
        if node in visiting:
            raise _Cycle(node)
        visiting.add(node)
        lines = sorted(
            f"{g} {p} " + (content(o.value) if isinstance(o, pyoxigraph.BlankNode) else _key(o))
            for g, p, o in out[node]
        )
        visiting.discard(node)
        memo[node] = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        return memo[node]

    full: dict[str, str] = {}
    for node in nodes:
        context = sorted(
            f"{g} {content(s.value) if isinstance(s, pyoxigraph.BlankNode) else _key(s)} {p}"
            for g, s, p in incoming[node]
        )
        text = content(node) + "\n" + "\n".join(context)
        full[node] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    labels: dict[str, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for node in sorted(nodes, key=lambda n: full[n]):
        seen[full[node]] += 1
        suffix = "" if seen[full[node]] == 1 else f"x{seen[full[node]]}"
        labels[node] = f"b{full[node]}{suffix}"
    return labels


def _oxigraph_canonical(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
    """Oxigraph's canonical form: deterministic, but a change may relabel many nodes."""
    dataset = pyoxigraph.Dataset(quads)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(dataset, key=_order)


def canonical_dumps(
    stored: list[pyoxigraph.Quad], union: list[pyoxigraph.Quad]
) -> tuple[list[pyoxigraph.Quad], list[pyoxigraph.Quad]]:
    """(all stored quads, the union's triples) canonically labelled and sorted.

    Both take their labels from the stored quads, so a blank node has one label in every dump.
    """
    try:
        labels = canonical_labels(stored)
    except _Cycle:
        return _oxigraph_canonical(stored), _oxigraph_canonical(union)
    return canonical_quads(stored, labels), canonical_quads(union, labels)


_Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple


def _relabel(term: _Term, labels: Mapping[str, str]) -> _Term:
    if isinstance(term, pyoxigraph.BlankNode):
        return pyoxigraph.BlankNode(labels[term.value])
    return term


def canonical_quads(
    quads: Iterable[pyoxigraph.Quad], labels: Mapping[str, str]
) -> list[pyoxigraph.Quad]:
    """``quads`` with canonical blank-node labels, sorted by graph, subject, predicate, object.

    Sorting makes the serialisers' output a function of the graph's content alone, whatever
    order the store returns its quads in.
    """
    blank = pyoxigraph.BlankNode
    relabelled = [
        pyoxigraph.Quad(
            _relabel(q.subject, labels),  # type: ignore[arg-type]  # subjects stay subjects
            q.predicate,
            _relabel(q.object, labels),
            q.graph_name,
        )
        if isinstance(q.subject, blank) or isinstance(q.object, blank)
        else q  # most quads name no blank node: kept as they are
        for q in quads
    ]
    return sorted(relabelled, key=_order)


def _order(quad: pyoxigraph.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


class DatasetGraphs:
    """Graphs of an in-memory Oxigraph store to dump under other names, without a copy.

    The build's dataset keeps its sources under build-internal graph names (the ontology, the
    asserted union, reasoning's triples...) beside the assertion graphs; ``names`` maps each
    served graph IRI to the graph holding it there. ``counts`` (served IRI -> triples) are
    the build's own, when it has them: counting again would scan the whole dataset.
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        names: Mapping[str, pyoxigraph.NamedNode],
        counts: Mapping[str, int] | None = None,
    ):
        self.store = store
        self.names = dict(names)
        self._counts = dict(counts) if counts is not None else None

    def graph_counts(self) -> dict[str, int]:
        """Triples per served graph (graphs left empty are left out, as a store has them)."""
        if self._counts is None:
            stored = graph_counts(self.store)
            self._counts = {iri: stored.get(g.value, 0) for iri, g in self.names.items()}
        return {iri: count for iri, count in self._counts.items() if count}

    def quads(self) -> Iterator[pyoxigraph.Quad]:
        """Every quad of the served graphs, under its served graph name."""
        for iri, graph in self.names.items():
            served = pyoxigraph.NamedNode(iri)
            for q in self.store.quads_for_pattern(None, None, None, graph):
                yield pyoxigraph.Quad(q.subject, q.predicate, q.object, served)


Source = GraphStore | DatasetGraphs


def _stored_quads(store: Source) -> list[pyoxigraph.Quad]:
    if isinstance(store, DatasetGraphs):
        return list(store.quads())
    local = oxigraph_store(store)
    if local is not None:  # read the quads as stored: no query, no rebuilt terms
        return [q for q in local if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)]
    # Quads keep their graph: rebuild them from a SELECT so any GraphStore can be dumped.
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    return [pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]


def _union_quads(store: Source, union_graphs: list[str]) -> list[pyoxigraph.Quad]:
    if isinstance(store, DatasetGraphs):
        triples = {
            q.triple
            for graph in union_graphs
            if graph in store.names
            for q in store.store.quads_for_pattern(None, None, None, store.names[graph])
        }
        return [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples]
    local = oxigraph_store(store)
    if local is not None:  # the union graphs' triples, each once (as the union query gives)
        triples = {
            q.triple
            for graph in union_graphs
            for q in local.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))
        }
        return [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples]
    result = store.query(_UNION, default_graphs=union_graphs)
    assert isinstance(result, pyoxigraph.QueryTriples)
    return [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in result]


def canonical_graph(store: GraphStore, graph_iri: str) -> Graph:
    """One stored graph as an rdflib Graph filled in canonical order with canonical labels.

    pyLODE lays the reference out in the order the graph yields its triples, which for
    :func:`stored_graph` follows the store's random blank-node labels.
    """
    result = store.query(_UNION, default_graphs=[graph_iri])
    assert isinstance(result, pyoxigraph.QueryTriples)
    triples = [pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in result]
    ordered, _ = canonical_dumps(triples, [])
    graph = Graph()
    for quad in ordered:
        graph.add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    return graph


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, so a download never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _blank_quads(store: Source) -> list[pyoxigraph.Quad]:
    """The stored quads that name a blank node: all that canonical labels depend on."""
    if isinstance(store, DatasetGraphs):  # the served graphs only, under their served names
        served = {graph.value: pyoxigraph.NamedNode(iri) for iri, graph in store.names.items()}
        rows = store.store.query(_BLANK_QUADS)
        assert isinstance(rows, pyoxigraph.QuerySolutions)
        return [
            pyoxigraph.Quad(s, p, o, served[g.value]) for g, s, p, o in rows if g.value in served
        ]
    rows = store.query(_BLANK_QUADS)
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    return [pyoxigraph.Quad(s, p, o, g) for g, s, p, o in rows]


def _graph_chunks(store: Source, graph: str, count: int, scratch: Path) -> Iterator[list[bytes]]:
    """One stored graph's N-Triples lines as the store writes them (no Python term per
    triple), in lists. A graph of more than :data:`_IN_MEMORY` triples goes through a file in
    ``scratch``, never all in memory; a smaller one (most: one per assertion) is read at once.
    """
    if isinstance(store, DatasetGraphs):
        local: pyoxigraph.Store | None = store.store
        stored = store.names[graph]
    else:
        local, stored = oxigraph_store(store), pyoxigraph.NamedNode(graph)
    if local is not None and count <= _IN_MEMORY:
        data = local.dump(format=_NT, from_graph=stored)
        assert data is not None
        yield data.splitlines(keepends=True)
        return
    descriptor, name = tempfile.mkstemp(prefix="graph-", suffix=".nt", dir=scratch)
    os.close(descriptor)
    path = Path(name)
    try:
        if local is not None:
            local.dump(name, format=_NT, from_graph=stored)
        else:
            assert not isinstance(store, DatasetGraphs)
            result = store.query(_UNION, default_graphs=[graph])
            assert isinstance(result, pyoxigraph.QueryTriples)
            pyoxigraph.serialize(result, name, format=_NT)
        yield from read_chunks(path)
    finally:
        path.unlink(missing_ok=True)


#: A blank node as an N-Triples line's subject, and as its object: the last term before
#: " .", which for a literal always holds its closing quote.
_BLANK_SUBJECT = re.compile(rb"_:(\S+) ")
_BLANK_OBJECT = re.compile(rb" _:([^\s\"]+) \.\n\Z")


def _relabel_lines(lines: list[bytes], labels: Mapping[bytes, bytes]) -> list[bytes]:
    """``lines`` with canonical blank-node labels, rewritten as bytes where a subject or an
    object is a blank node (a literal's ``_:`` text never matches: see the patterns)."""
    if not labels:
        return lines
    out = list(lines)
    for i, line in enumerate(lines):
        if b"_:" not in line:
            continue
        if subject := _BLANK_SUBJECT.match(line):
            line = b"_:" + labels[subject[1]] + line[subject.end(1) :]
        if obj := _BLANK_OBJECT.search(line):
            line = line[: obj.start(1)] + labels[obj[1]] + line[obj.end(1) :]
        out[i] = line
    return out


def _write_canonical(
    store: Source,
    settings: Settings,
    graphs: Mapping[str, int],
    scratch: Path,
    dataset: DumpWriter,
    union: BinaryIO,
) -> None:
    """Every stored quad to ``dataset`` and the union's triples, each once, to ``union``, as
    canonically labelled N-Quads lines in :func:`canonical_quads`' order (graph, subject,
    predicate, object): sorting lines gives that order, since no term's N-Triples form is a
    prefix of another's followed by a byte below a space."""
    try:
        labels = {
            node.encode(): label.encode()
            for node, label in canonical_labels(_blank_quads(store)).items()
        }
    except _Cycle:  # none in PeaceKG's data: Oxigraph's canonical form, in memory
        dataset.write(_serialized(_oxigraph_canonical(_stored_quads(store))))
        union.write(_serialized(_oxigraph_canonical(_union_quads(store, settings.graphs.union()))))
        return
    in_union = set(settings.graphs.union())
    unsorted_union = scratch / "union-unsorted.nt"
    with unsorted_union.open("wb") as pending:
        for graph in sorted(graphs, key=lambda graph: f"<{graph}>"):
            suffix = f" <{graph}> .\n".encode()
            chunks = _graph_chunks(store, graph, graphs[graph], scratch)
            parts = (_relabel_lines(part, labels) for part in chunks)
            for part in sorted_chunks(parts, scratch):
                # "<s> <p> <o> .\n" -> "<s> <p> <o> <g> .\n"
                dataset.write(b"".join([line[:-3] + suffix for line in part]))
                if graph in in_union:
                    pending.writelines(part)
    for part in sorted_chunks(read_chunks(unsorted_union), scratch, unique=True):
        union.writelines(part)


def _serialized(quads: list[pyoxigraph.Quad]) -> bytes:
    data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)
    assert data is not None
    return data


def export(
    store: Source,
    settings: Settings,
    out: Path | None = None,
    on_nquads: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write each dump (plain and gzip), a SHA-256 list and ``void.ttl`` into ``out``
    (default the dumps directory); return the paths.

    ``on_nquads`` gets the N-Quads dump's path as soon as it is complete, while the other
    dumps are still to come: the build bulk-loads its store from it meanwhile.

    Memory stays bounded at any size: each graph's lines are sorted on disk
    (:func:`peacekg.linesort.sorted_lines`), the N-Quads dump is written from them, and the
    TriG and JSON-LD dumps are re-serialised from it as it streams back (Turtle likewise from
    the union's sorted lines); each file and its gzip copy are hashed as they are written.
    """
    out = out or settings.dumps_dir
    out.mkdir(parents=True, exist_ok=True)
    counts = store.graph_counts()
    sums: dict[str, list[tuple[Path, str]]] = {}
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out) as temporary:
        scratch = Path(temporary)
        nquads = out / dump_name(_format("nquads"))
        union_path = scratch / "union.nt"
        with DumpWriter(nquads) as writer, union_path.open("wb") as union:
            _write_canonical(store, settings, counts, scratch, writer, union)
        sums["nquads"] = writer.sums
        if on_nquads is not None:
            on_nquads(nquads)
        for name, source in (("trig", nquads), ("turtle", union_path), ("jsonld", nquads)):
            fmt = _format(name)
            with DumpWriter(out / dump_name(fmt)) as writer:
                _serialize(pyoxigraph.parse(path=str(source), format=_NQ), writer, fmt)
            sums[name] = writer.sums
    written: list[Path] = []
    checksums: list[str] = []
    dump_urls: dict[str, str] = {}
    for name in DUMP_FORMATS:
        for path, digest in sums[name]:
            checksums.append(f"{digest}  {path.name}")
            written.append(path)
        dump_urls[name] = f"{settings.base_url}/dumps/{sums[name][0][0].name}"
    void = void_graph(settings, counts, dump_urls)
    void_path = out / "void.ttl"
    write_atomically(void_path, void.serialize(format="turtle").encode("utf-8"))
    written.append(void_path)
    sums_path = out / "SHA256SUMS"
    write_atomically(sums_path, ("\n".join(checksums) + "\n").encode("utf-8"))
    written.append(sums_path)
    return written


def _format(name: str) -> mediatypes.MediaFormat:
    fmt = mediatypes.by_name(name)
    assert fmt is not None
    return fmt


def _serialize(
    quads: Iterator[pyoxigraph.Quad], writer: DumpWriter, fmt: mediatypes.MediaFormat
) -> None:
    """Re-serialise sorted quads as they are parsed."""
    # pyoxigraph calls only write() and flush(); its graph formats take default-graph quads.
    pyoxigraph.serialize(quads, cast(IO[bytes], writer), format=fmt.rdf_format())


def write_context(out: Path) -> Path:
    """Write the JSON-LD context the dumps page offers; return its path."""
    path = out / CONTEXT_FILE
    write_atomically(path, json.dumps(CONTEXT, indent=2).encode("utf-8"))
    return path


def export_with_context(
    store: Source,
    settings: Settings,
    out: Path,
    on_nquads: Callable[[Path], None] | None = None,
) -> list[Path]:
    """:func:`export` and the JSON-LD context into ``out``: all a store's ``dumps/`` holds
    (the build writes it before the store it describes is switched in)."""
    return [*export(store, settings, out, on_nquads), write_context(out)]


def export_reference(store: GraphStore, settings: Settings) -> Path:
    """Write the ontology reference (pyLODE HTML, issue 3) beside the dumps; return its path.

    The server answers ``/ontology`` with the same HTML, made on first request.
    """
    from peacekg.reference import reference_html

    path = settings.dumps_dir / f"peacekg-ontology-{__version__}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    html = reference_html(canonical_graph(store, settings.graphs.ontology), settings.base_iri)
    write_atomically(path, html.encode("utf-8"))
    return path


# Releases (issue 14): versioned dumps and what changed since the previous release.

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: Triples a change report lists per graph in Markdown; changes.json has them all.
REPORT_LINES = 50
_Quad = tuple[str, str, str, str]


def _release_quads(release_dir: Path) -> set[_Quad]:
    """The (graph, subject, predicate, object) of a release's N-Quads dump, in N-Triples form."""
    dumps = sorted(release_dir.glob("peacekg-*.nq"))
    if not dumps:
        raise FileNotFoundError(f"no peacekg-*.nq dump in {release_dir}")
    quads = pyoxigraph.parse(path=str(dumps[-1]), format=pyoxigraph.RdfFormat.N_QUADS)
    return {(str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)) for q in quads}


@dataclass
class ChangeReport:
    """What changed between two releases' dumps; blank nodes compare by their canonical label,
    which follows their content, so a changed passage shows as that passage only."""

    previous: str
    current: str
    #: graph IRI -> the triples ("<s> <p> <o>") added to / removed from it.
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    entities_added: list[str] = field(default_factory=list)
    entities_removed: list[str] = field(default_factory=list)
    claims_changed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data (``changes.json``)."""
        return {
            "previous": self.previous,
            "current": self.current,
            "added": self.added,
            "removed": self.removed,
            "entities_added": self.entities_added,
            "entities_removed": self.entities_removed,
            "claims_changed": self.claims_changed,
        }

    def summary(self) -> str:
        """One line: triples added and removed, entities, claims."""
        added = sum(len(v) for v in self.added.values())
        removed = sum(len(v) for v in self.removed.values())
        graphs = len(set(self.added) | set(self.removed))
        return (
            f"{added} triples added, {removed} removed in {graphs} graphs; "
            f"{len(self.entities_added)} entities added, {len(self.entities_removed)} removed; "
            f"{len(self.claims_changed)} claims changed"
        )

    def markdown(self) -> str:
        """``CHANGES.md``: the summary and the lists (the release writes CHANGELOG.md's entry)."""
        lines = [f"# Changes from {self.previous} to {self.current}", "", self.summary(), ""]
        for title, items in (
            ("Entities added", self.entities_added),
            ("Entities removed", self.entities_removed),
            ("Claims changed", self.claims_changed),
        ):
            if items:
                lines += [f"## {title}", "", *(f"- {item}" for item in items), ""]
        for sign, per_graph in (("+", self.added), ("-", self.removed)):
            for graph in sorted(per_graph):
                triples = per_graph[graph]
                lines += [f"## {'Added to' if sign == '+' else 'Removed from'} {graph}", ""]
                lines += ["```", *(f"{sign} {t}" for t in triples[:REPORT_LINES]), "```"]
                if len(triples) > REPORT_LINES:
                    lines.append(f"... and {len(triples) - REPORT_LINES} more (changes.json)")
                lines.append("")
        return "\n".join(lines)


def _subjects(quads: set[_Quad], graph: str) -> dict[str, set[_Quad]]:
    found: dict[str, set[_Quad]] = defaultdict(set)
    for quad in quads:
        if quad[0] == graph:
            found[quad[1]].add(quad)
    return found


def change_report(
    previous_dir: Path, current_dir: Path, settings: Settings, previous: str = ""
) -> ChangeReport:
    """Compare two release directories' N-Quads dumps: triples per graph, entities, claims.

    Entities are the subjects minted under ``<base>id/`` in the asserted graph; a claim has
    changed when its triples in the asserted graph differ (typed ``pkg:Claim`` in either).
    """
    old, new = _release_quads(previous_dir), _release_quads(current_dir)
    report = ChangeReport(previous or previous_dir.name, __version__)
    for target, quads in ((report.added, new - old), (report.removed, old - new)):
        for g, s, p, o in sorted(quads):
            target.setdefault(g.strip("<>"), []).append(f"{s} {p} {o}")
    asserted = f"<{settings.graphs.asserted}>"
    before, after = _subjects(old, asserted), _subjects(new, asserted)
    minted = "<" + settings.base_iri + "id/"
    report.entities_added = sorted(
        s.strip("<>") for s in after.keys() - before.keys() if s.startswith(minted)
    )
    report.entities_removed = sorted(
        s.strip("<>") for s in before.keys() - after.keys() if s.startswith(minted)
    )
    claim = f"<{settings.base_iri}ontology#Claim>"
    claims = {
        s
        for statements in (before, after)
        for s, quads in statements.items()
        if any(q[2] == _RDF_TYPE and q[3] == claim for q in quads)
    }
    report.claims_changed = sorted(
        s.strip("<>") for s in claims if before.get(s, set()) != after.get(s, set())
    )
    return report


def write_release(
    store: GraphStore, settings: Settings, target: Path, previous_dir: Path | None = None
) -> tuple[list[Path], ChangeReport | None]:
    """The dumps of this version into ``target``, and with a previous release, its change
    report as ``CHANGES.md`` and ``changes.json``."""
    written = export(store, settings, target)
    if previous_dir is None:
        return written, None
    report = change_report(previous_dir, target, settings)
    markdown, data = target / "CHANGES.md", target / "changes.json"
    write_atomically(markdown, report.markdown().encode("utf-8"))
    payload = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    write_atomically(data, payload.encode("utf-8"))
    return [*written, markdown, data], report
