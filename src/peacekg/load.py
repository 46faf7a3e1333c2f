"""Load stage: parse every Turtle/TriG source into ontology, assertion and provenance graphs.

Syntax is checked with Oxigraph's parser first because it reports the exact line and column
of an error; rdflib then builds the graphs that pySHACL and owlrl consume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from peacekg import mediatypes

# The source formats humans edit; their parsers come from the shared media-type table.
RDF_SUFFIXES = (".ttl", ".trig")
#: The folder of ``data_dir`` whose Turtle files are the Wikidata alignment.
ALIGNMENT_DIR = "alignment"


class LoadError(Exception):
    """A source file could not be parsed; ``str()`` is ``file:line:column: message``."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class LoadedSources:
    """The parsed sources, each kind of triple in its own graph.

    ``assertions`` maps each assertion's IRI to the triples one passage states (issue 10);
    ``provenance`` says where each assertion comes from and describes the source documents;
    ``alignment`` holds the curator's Wikidata links. ``asserted`` is the union of the
    assertions: the facts, which reasoning and the Wikidata view start from.
    """

    ontology: Graph
    shapes: Graph
    assertions: dict[str, Graph] = field(default_factory=dict)
    provenance: Graph = field(default_factory=Graph)
    alignment: Graph = field(default_factory=Graph)
    files: list[Path] = field(default_factory=list)

    @cached_property
    def asserted(self) -> Graph:
        """Every asserted fact: the union of the assertion graphs."""
        union = Graph()
        for graph in self.assertions.values():
            for triple in graph:
                union.add(triple)
        return union

    @cached_property
    def curated(self) -> Graph:
        """Facts, provenance and alignment in one graph: what SHACL and the checks see."""
        union = Graph()
        for graph in (self.asserted, self.provenance, self.alignment):
            for triple in graph:
                union.add(triple)
        for prefix, namespace in self.provenance.namespaces():
            union.bind(prefix, namespace, override=False)
        return union


def source_files(directory: Path) -> list[Path]:
    """Every Turtle/TriG file under ``directory``, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())


def parse_file(path: Path, into: Graph | Dataset) -> None:
    """Parse one file into ``into``, raising LoadError with its location on bad syntax."""
    fmt = mediatypes.by_extension(path.suffix)
    if fmt is None or path.suffix not in RDF_SUFFIXES:
        raise LoadError(path, None, None, f"not a Turtle or TriG file: {path.suffix!r}")
    try:
        for _ in pyoxigraph.parse(path=str(path), format=fmt.rdf_format()):
            pass
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1] if error.msg else str(error)
        raise LoadError(path, error.lineno, error.offset, message) from error
    except OSError as error:
        raise LoadError(path, None, None, str(error)) from error
    if isinstance(into, Dataset):
        into.parse(path, format=fmt.rdflib_format)
        return
    if fmt.kind is mediatypes.Kind.DATASET:
        scratch = Dataset()
        scratch.parse(path, format=fmt.rdflib_format)
        for s, p, o, _g in scratch.quads():
            into.add((s, p, o))
        for prefix, namespace in scratch.namespaces():
            into.bind(prefix, namespace, override=False)
        return
    into.parse(path, format=fmt.rdflib_format)


def _is_alignment(path: Path, data_dir: Path) -> bool:
    return ALIGNMENT_DIR in path.relative_to(data_dir).parts[:-1]


def _load_data(path: Path, data_dir: Path, sources: LoadedSources, origin: dict[str, Path]) -> None:
    """Route one data file's triples: named graphs are assertions, the rest provenance."""
    fmt = mediatypes.by_extension(path.suffix)
    if fmt is not None and fmt.kind is mediatypes.Kind.DATASET:
        dataset = Dataset()
        parse_file(path, dataset)
        for graph in dataset.graphs():
            name = graph.identifier
            if name == DATASET_DEFAULT_GRAPH_ID:
                for triple in graph:
                    sources.provenance.add(triple)
                continue
            if not isinstance(name, URIRef):
                raise LoadError(path, None, None, f"a graph name must be an IRI, not {name!r}")
            if str(name) in origin and origin[str(name)] != path:
                raise LoadError(
                    path, None, None, f"assertion <{name}> is also in {origin[str(name)]}"
                )
            origin[str(name)] = path
            target = sources.assertions.setdefault(str(name), Graph())
            for triple in graph:
                target.add(triple)
        for prefix, namespace in dataset.namespaces():
            sources.provenance.bind(prefix, namespace, override=False)
        return
    parse_file(path, sources.alignment if _is_alignment(path, data_dir) else sources.provenance)


def load(ontology_dir: Path, data_dir: Path | None, shapes_file: Path) -> LoadedSources:
    """Parse ``ontology_dir`` (minus the shapes file) and ``data_dir`` into separate graphs.

    In ``data_dir``, each named graph of a TriG file is one assertion and the file's default
    graph is provenance, as is every Turtle file there (``sources.ttl``), except the Turtle
    files under ``alignment/``, which are the Wikidata alignment. A fact written outside an
    assertion thus lands in provenance, where a check refuses it.

    ``data_dir=None`` reads the ontology and shapes only (an update brings its own data).
    """
    sources = LoadedSources(ontology=Graph(), shapes=Graph())
    shapes_resolved = shapes_file.resolve()
    for path in source_files(ontology_dir):
        target = sources.shapes if path.resolve() == shapes_resolved else sources.ontology
        parse_file(path, target)
        sources.files.append(path)
    if shapes_file.is_file() and shapes_resolved not in {f.resolve() for f in sources.files}:
        parse_file(shapes_file, sources.shapes)
        sources.files.append(shapes_file)
    origin: dict[str, Path] = {}
    for path in source_files(data_dir) if data_dir is not None else []:
        assert data_dir is not None
        _load_data(path, data_dir, sources, origin)
        sources.files.append(path)
    return sources
