"""Export stage: dumps of the served graphs and a VoID description of them.

The dataset dumps (TriG, N-Quads, JSON-LD) hold every stored named graph: the union graphs,
provenance, alignment, the derived graphs and one graph per assertion, so each statement keeps
its assertion and so its source (issue 10). Turtle holds the union default graph of the
endpoint (``GraphNames.union()``), each triple once.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from peacekg import __version__, mediatypes
from peacekg.config import Settings
from peacekg.namespaces import SD, VOID
from peacekg.store import GraphStore, stored_graph

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMP_FORMATS = ("trig", "nquads", "turtle", "jsonld")
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_ALL_QUADS = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


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


def _dump(store: GraphStore, fmt: mediatypes.MediaFormat) -> bytes:
    query = _UNION if fmt.kind is mediatypes.Kind.GRAPH else _ALL_QUADS
    if fmt.kind is mediatypes.Kind.GRAPH:
        result = store.query(query)
        assert isinstance(result, pyoxigraph.QueryTriples)
        return result.serialize(format=fmt.rdf_format())  # type: ignore[return-value]
    # Quads keep their graph: rebuild them from a SELECT so any GraphStore can be dumped.
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    quads = [pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]
    return pyoxigraph.serialize(quads, format=fmt.rdf_format())  # type: ignore[return-value]


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, so a download never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def export(store: GraphStore, settings: Settings) -> list[Path]:
    """Write each dump (plain and gzip), a SHA-256 list and ``void.ttl``; return the paths."""
    out = settings.dumps_dir
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    checksums: list[str] = []
    dump_urls: dict[str, str] = {}
    for name in DUMP_FORMATS:
        fmt = mediatypes.by_name(name)
        assert fmt is not None
        data = _dump(store, fmt)
        path = out / dump_name(fmt)
        gz_path = path.with_name(path.name + ".gz")
        for target, content in ((path, data), (gz_path, gzip.compress(data, mtime=0))):
            write_atomically(target, content)
            checksums.append(f"{hashlib.sha256(content).hexdigest()}  {target.name}")
            written.append(target)
        dump_urls[name] = f"{settings.base_url}/dumps/{path.name}"
    void = void_graph(settings, store.graph_counts(), dump_urls)
    void_path = out / "void.ttl"
    write_atomically(void_path, void.serialize(format="turtle").encode("utf-8"))
    written.append(void_path)
    sums = out / "SHA256SUMS"
    write_atomically(sums, ("\n".join(checksums) + "\n").encode("utf-8"))
    written.append(sums)
    return written


def export_reference(store: GraphStore, settings: Settings) -> Path:
    """Write the ontology reference (pyLODE HTML, issue 3) beside the dumps; return its path.

    The server answers ``/ontology`` with the same HTML, made on first request.
    """
    from peacekg.reference import reference_html

    path = settings.dumps_dir / f"peacekg-ontology-{__version__}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    html = reference_html(stored_graph(store, settings.graphs.ontology), settings.base_iri)
    write_atomically(path, html.encode("utf-8"))
    return path
