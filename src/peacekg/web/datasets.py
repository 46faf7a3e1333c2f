"""Dumps, the ontology reference and the VoID/DCAT description, as the server offers them.

``peacekg build`` writes the dumps, VoID and SHA256SUMS inside the new store's directory
before switching to it, so the served store and its dumps change together and a request only
reads them (sizes from the file system, checksums from SHA256SUMS: nothing is re-hashed).
A store without dumps of its own (a remote store, one written by ``/update``) falls back to
:func:`peacekg.export.export` into the dumps directory on the first request, and again whenever
the store changed since; a lock kept on the app keeps two threads from writing at once and a
stamp file records which store those dumps were made from.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from peacekg import __version__, mediatypes
from peacekg.config import Settings
from peacekg.export import (
    CONTEXT,
    CONTEXT_FILE,
    DUMP_FORMATS,
    dataset_iri,
    dump_name,
    export,
    void_graph,
    write_atomically,
)
from peacekg.namespaces import DCAT, VOID
from peacekg.reference import REFERENCE_FILE, write_reference
from peacekg.store import GraphStore, served_dumps_dir, stored_graph

STAMP = ".made-from.json"
SPDX = "http://spdx.org/rdf/terms#"


@dataclass(frozen=True)
class DumpFile:
    """One downloadable file."""

    name: str
    size: int
    sha256: str
    format: str
    media_type: str
    compressed: bool
    #: Where the file is (the served store's own dumps or the fallback dumps directory).
    path: Path


def _fingerprint(store: GraphStore) -> str:
    """What the dumps depend on: the store's triples per graph and the version."""
    counts = store.graph_counts()
    directory = getattr(store, "directory", None)
    return json.dumps(
        {"version": __version__, "counts": counts, "store": str(getattr(directory, "name", ""))},
        sort_keys=True,
    )


def ensure_dumps(store: GraphStore, settings: Settings, lock: threading.Lock) -> list[DumpFile]:
    """The dump files, written first when missing or made from another store (``lock`` keeps
    two requests from writing them at once)."""
    built = served_dumps_dir(store)
    if built is not None:
        return list_dumps(built, _checksums(built / "SHA256SUMS"))
    out = settings.dumps_dir
    stamp = out / STAMP
    fingerprint = _fingerprint(store)
    with lock:
        expected = [out / dump_name(_fmt(n)) for n in DUMP_FORMATS]
        current = stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint
        context = json.dumps(CONTEXT, indent=2).encode("utf-8")
        try:
            if not current or not all(p.is_file() for p in expected):
                export(store, settings)
                write_atomically(out / CONTEXT_FILE, context)
                write_atomically(stamp, fingerprint.encode("utf-8"))
            elif not (out / CONTEXT_FILE).is_file():
                write_atomically(out / CONTEXT_FILE, context)
        except OSError:
            # A full or read-only disk: no half-written temporary file stays behind (the
            # app answers 507/503, see peacekg.web.disk_error).
            for leftover in out.glob(f".*.{os.getpid()}.tmp"):
                leftover.unlink(missing_ok=True)
            raise
        sums = out / "SHA256SUMS"
        return list_dumps(out, _checksums(sums) if sums.is_file() else None)


def _fmt(name: str) -> mediatypes.MediaFormat:
    fmt = mediatypes.by_name(name)
    assert fmt is not None
    return fmt


def _checksums(sums: Path) -> dict[str, str]:
    """File name -> SHA-256 from a ``sha256sum``-style list."""
    digests: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            digests[name] = digest
    return digests


def list_dumps(directory: Path, checksums: dict[str, str] | None = None) -> list[DumpFile]:
    """Every dump file in ``directory`` with size and SHA-256, in the order of DUMP_FORMATS;
    a file named in ``checksums`` is not read again."""
    files: list[DumpFile] = []
    known = checksums or {}
    for name in DUMP_FORMATS:
        fmt = _fmt(name)
        for path in (directory / dump_name(fmt), directory / (dump_name(fmt) + ".gz")):
            if path.is_file():
                compressed = path.suffix == ".gz"
                files.append(_file(path, fmt.label, fmt.media_type, compressed, known))
    context = directory / CONTEXT_FILE
    if context.is_file():
        files.append(_file(context, "JSON-LD context", "application/ld+json", False, known))
    return files


def _file(
    path: Path, label: str, media_type: str, compressed: bool, checksums: dict[str, str]
) -> DumpFile:
    digest = checksums.get(path.name)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return DumpFile(
        name=path.name,
        size=path.stat().st_size,
        sha256=digest,
        format=label + (" (gzip)" if compressed else ""),
        media_type="application/gzip" if compressed else media_type,
        compressed=compressed,
        path=path,
    )


def reference_path(store: GraphStore, settings: Settings, lock: threading.Lock) -> Path:
    """The pyLODE reference, written on first use and again when the store changed."""
    directory = settings.build_dir / "reference"
    path = directory / REFERENCE_FILE
    stamp = directory / STAMP
    fingerprint = _fingerprint(store)
    with lock:
        current = stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint
        if not current or not path.is_file():
            write_reference(
                stored_graph(store, settings.graphs.ontology), directory, settings.base_iri
            )
            write_atomically(stamp, fingerprint.encode("utf-8"))
    return path


def void_dcat(
    store: GraphStore,
    settings: Settings,
    site: str,
    dumps: list[DumpFile],
    examples: list[str],
) -> Graph:
    """VoID (from :func:`peacekg.export.void_graph`) plus DCAT: the dataset, one distribution
    per dump with size and checksum, the SPARQL endpoint as a data service, examples.

    ``site`` is the URL the server answers on (``http://127.0.0.1:8000``) so that the endpoint
    and download links work where the description is read.
    """
    dumps = [d for d in dumps if d.name != CONTEXT_FILE]
    dump_urls = {d.name: f"{site}/dumps/{d.name}" for d in dumps}
    graph = void_graph(settings, store.graph_counts(), dump_urls)
    dataset = dataset_iri(settings)
    endpoint = URIRef(f"{site}/sparql")
    graph.remove((dataset, VOID.sparqlEndpoint, None))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    graph.bind("foaf", FOAF)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "An open, provenance-first knowledge graph of the Russia–Ukraine peace talks: "
                "events, "
                "actors, proposals and attributed claims with their sources and quotes.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, DCAT.version, Literal(__version__)))
    graph.add((dataset, DCAT.landingPage, URIRef(f"{site}/index")))
    graph.add((dataset, FOAF.homepage, URIRef(f"{site}/")))
    graph.add((dataset, VOID.vocabulary, URIRef(settings.base_iri + "ontology#")))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(settings.base_iri + "ontology")))
    graph.add((dataset, VOID.rootResource, URIRef(settings.base_iri + "ontology")))
    for example in examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))
    service = URIRef(f"{site}/sparql#service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCTERMS.title, Literal("PeaceKG SPARQL 1.1 endpoint", lang="en")))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((dataset, DCAT.accessService, service))
    for dump in dumps:
        url = URIRef(dump_urls[dump.name])
        distribution = URIRef(f"{site}/dumps/{dump.name}#distribution")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.format, lang="en")))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.accessURL, URIRef(f"{site}/dumps")))
        graph.add(
            (
                distribution,
                DCAT.mediaType,
                URIRef("https://www.iana.org/assignments/media-types/" + dump.media_type),
            )
        )
        graph.add(
            (distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger))
        )
        graph.add(
            (distribution, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/"))
        )
        checksum = BNode()
        graph.add((distribution, URIRef(SPDX + "checksum"), checksum))
        graph.add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
        graph.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        graph.add(
            (checksum, URIRef(SPDX + "checksumValue"), Literal(dump.sha256, datatype=XSD.hexBinary))
        )
    return graph
