"""Load stage: parse every Turtle/TriG source into ontology, assertion and provenance graphs.

Oxigraph parses each file once, into one in-memory Oxigraph store (:attr:`LoadedSources.dataset`)
that validation, reasoning and the checks read without converting a term (issue 17: rdflib's
parser took 15 s on LUBM(1), Oxigraph's under one). Its parser reports the exact line and
column of an error. The rdflib graphs that the other stages still use (the Wikidata view,
the CLI's reports) are made from the store when first asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg import mediatypes

# The source formats humans edit; their parsers come from the shared media-type table.
RDF_SUFFIXES = (".ttl", ".trig")
#: The folder of ``data_dir`` whose Turtle files are the Wikidata alignment.
ALIGNMENT_DIR = "alignment"
#: Where :attr:`LoadedSources.dataset` keeps each kind of source (assertions keep their own
#: IRIs). Build-internal names: the store stage writes them under the configured graph IRIs.
INTERNAL = "urn:peacekg:build:"
ONTOLOGY_GRAPH = pyoxigraph.NamedNode(INTERNAL + "ontology")
SHAPES_GRAPH = pyoxigraph.NamedNode(INTERNAL + "shapes")
PROVENANCE_GRAPH = pyoxigraph.NamedNode(INTERNAL + "provenance")
ALIGNMENT_GRAPH = pyoxigraph.NamedNode(INTERNAL + "alignment")
#: The union of the assertion graphs, made in the dataset by :meth:`LoadedSources.asserted_graph`.
ASSERTED_GRAPH = pyoxigraph.NamedNode(INTERNAL + "asserted")

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class LoadError(Exception):
    """A source file could not be parsed; ``str()`` is ``file:line:column: message``."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = f"{path}:{line}:{column}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class TermConverter:
    """pyoxigraph terms to rdflib terms, each distinct term converted once.

    Terms repeat (classes, properties, the documents): building an rdflib IRI validates it,
    the largest single cost of a conversion. Plain literals become rdflib's plain literals
    (no datatype), as rdflib's own parser makes them.
    """

    def __init__(self) -> None:
        self._memo: dict[object, Node] = {}

    def __call__(self, term: object) -> Node:
        """The rdflib term for ``term``."""
        found = self._memo.get(term)
        if found is None:
            found = self._memo[term] = rdflib_term(term)
        return found


def rdflib_term(term: object, *, typed_strings: bool = False) -> Node:
    """The rdflib term for a pyoxigraph term; ``xsd:string`` literals plain, as rdflib's own
    parser makes them, unless ``typed_strings``."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    assert isinstance(term, pyoxigraph.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING and not typed_strings:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def oxigraph_term(node: Node) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(node, URIRef):
        return pyoxigraph.NamedNode(str(node))
    if isinstance(node, BNode):
        return pyoxigraph.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return pyoxigraph.Literal(str(node), language=node.language)
        if node.datatype:
            return pyoxigraph.Literal(str(node), datatype=pyoxigraph.NamedNode(str(node.datatype)))
        return pyoxigraph.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def graph_quads(
    graph: Iterable[tuple[Node, Node, Node]],
    graph_name: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph,
) -> Iterator[pyoxigraph.Quad]:
    """rdflib triples as quads of ``graph_name``; generalised RDF (literal subjects) left out."""
    for s, p, o in graph:
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        subject = oxigraph_term(s)
        assert not isinstance(subject, pyoxigraph.Literal)
        yield pyoxigraph.Quad(subject, pyoxigraph.NamedNode(str(p)), oxigraph_term(o), graph_name)


def rdflib_graph(
    store: pyoxigraph.Store,
    graph_name: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph,
    prefixes: Mapping[str, str] | None = None,
    convert: TermConverter | None = None,
) -> Graph:
    """One graph of ``store`` as an rdflib Graph, with ``prefixes`` bound."""
    convert = convert or TermConverter()
    graph = Graph()
    for prefix, namespace in (prefixes or {}).items():
        graph.bind(prefix, namespace, override=False)
    add = graph.add
    for quad in store.quads_for_pattern(None, None, None, graph_name):
        add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    return graph


class LoadedSources:
    """The parsed sources, each kind of triple in its own graph.

    ``assertions`` maps each assertion's IRI to the triples one passage states (issue 10);
    ``provenance`` says where each assertion comes from and describes the source documents;
    ``alignment`` holds the curator's Wikidata links. ``asserted`` is the union of the
    assertions: the facts, which reasoning and the Wikidata view start from.

    Made either by :func:`load` (from an Oxigraph ``dataset``, the rdflib graphs made on first
    use) or from rdflib graphs (the endpoint's update path, a store read back; the dataset is
    then made on first use). ``dataset`` holds the ontology, shapes, provenance and alignment
    under the :data:`INTERNAL` graph names and each assertion under its own IRI.
    """

    def __init__(
        self,
        ontology: Graph | None = None,
        shapes: Graph | None = None,
        assertions: Mapping[str, Graph] | None = None,
        provenance: Graph | None = None,
        alignment: Graph | None = None,
        files: list[Path] | None = None,
        *,
        dataset: pyoxigraph.Store | None = None,
        assertion_names: Iterable[str] = (),
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self.files = files if files is not None else []
        self.prefixes = dict(prefixes or {})
        self._dataset = dataset
        self._graphs: dict[str, Graph] = {}
        if dataset is None:
            given = {
                ONTOLOGY_GRAPH.value: ontology,
                SHAPES_GRAPH.value: shapes,
                PROVENANCE_GRAPH.value: provenance,
                ALIGNMENT_GRAPH.value: alignment,
            }
            self._graphs = {k: g if g is not None else Graph() for k, g in given.items()}
            self._assertions = dict(assertions or {})
            self._assertion_names = list(self._assertions)
        else:
            self._assertion_names = list(assertion_names)
        self._convert = TermConverter()
        self._asserted_made = False

    def _graph(self, name: pyoxigraph.NamedNode) -> Graph:
        found = self._graphs.get(name.value)
        if found is None:
            assert self._dataset is not None
            found = rdflib_graph(self._dataset, name, self.prefixes, self._convert)
            self._graphs[name.value] = found
        return found

    @property
    def ontology(self) -> Graph:
        """The ontology graph."""
        return self._graph(ONTOLOGY_GRAPH)

    @property
    def shapes(self) -> Graph:
        """The SHACL shapes."""
        return self._graph(SHAPES_GRAPH)

    @property
    def provenance(self) -> Graph:
        """Where each assertion comes from, and the source documents."""
        return self._graph(PROVENANCE_GRAPH)

    @property
    def alignment(self) -> Graph:
        """The curator's Wikidata links."""
        return self._graph(ALIGNMENT_GRAPH)

    @property
    def assertion_names(self) -> list[str]:
        """The assertion IRIs, in load order."""
        return self._assertion_names

    @cached_property
    def assertions(self) -> dict[str, Graph]:
        """Assertion IRI -> the triples it states."""
        if self._dataset is None:
            return self._assertions
        dataset = self._dataset
        return {
            name: rdflib_graph(dataset, pyoxigraph.NamedNode(name), None, self._convert)
            for name in self._assertion_names
        }

    @cached_property
    def asserted(self) -> Graph:
        """Every asserted fact: the union of the assertion graphs.

        Made from the dataset unless the rdflib assertion graphs were already made (then
        from those, so that a change made to them shows here, as tests make changes).
        """
        if self._dataset is not None and "assertions" not in self.__dict__:
            return rdflib_graph(self.asserted_graph(), ASSERTED_GRAPH, None, self._convert)
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

    @property
    def dataset(self) -> pyoxigraph.Store:
        """Every source in one in-memory Oxigraph store (see the class docstring)."""
        if self._dataset is None:
            store = pyoxigraph.Store()
            for name, graph in self._graphs.items():
                store.extend(graph_quads(graph, pyoxigraph.NamedNode(name)))
            for name, graph in self._assertions.items():
                store.extend(graph_quads(graph, pyoxigraph.NamedNode(name)))
            self._dataset = store
        return self._dataset

    def asserted_graph(self) -> pyoxigraph.Store:
        """The dataset, with the union of the assertions in :data:`ASSERTED_GRAPH` (made once)."""
        dataset = self.dataset
        if not self._asserted_made:
            internal = _quoted(INTERNAL)
            dataset.update(
                f"INSERT {{ GRAPH {ASSERTED_GRAPH} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), {internal})) }}"
            )
            self._asserted_made = True
        return dataset

    def curated_store(self) -> pyoxigraph.Store:
        """Facts, provenance and alignment in the default graph of a new in-memory store:
        what SHACL validates (each triple once)."""
        self.asserted_graph()
        store = pyoxigraph.Store()
        graphs = (ASSERTED_GRAPH, PROVENANCE_GRAPH, ALIGNMENT_GRAPH)
        store.extend(
            pyoxigraph.Quad(q.subject, q.predicate, q.object)
            for graph in graphs
            for q in self.dataset.quads_for_pattern(None, None, None, graph)
        )
        return store

    def count(self, graph: pyoxigraph.NamedNode) -> int:
        """Triples in one graph of the dataset (the asserted union made first if need be)."""
        result = self.asserted_graph().query(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        )
        assert isinstance(result, pyoxigraph.QuerySolutions)
        for row in result:
            value = row["n"]
            assert isinstance(value, pyoxigraph.Literal)
            return int(value.value)
        return 0


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def source_files(directory: Path) -> list[Path]:
    """Every Turtle/TriG file under ``directory``, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())


class BlankLabels:
    """Blank-node labels in the order the parser meets the nodes, unique across files.

    Not Oxigraph's random renaming: the dumps number blank nodes that hash alike in label
    order (``export.canonical_labels``), so random labels would make two builds of the same
    sources write different dumps.
    """

    def __init__(self) -> None:
        self.count = 0

    def relabel(self, quads: Iterable[pyoxigraph.Quad]) -> Iterator[pyoxigraph.Quad]:
        """``quads`` (one file's) with each blank subject and object relabelled."""
        seen: dict[str, pyoxigraph.BlankNode] = {}
        blank, quad = pyoxigraph.BlankNode, pyoxigraph.Quad

        def label(node: pyoxigraph.BlankNode) -> pyoxigraph.BlankNode:
            found = seen.get(node.value)
            if found is None:
                self.count += 1
                found = seen[node.value] = blank(f"b{self.count:012d}")
            return found

        for q in quads:
            subject, obj = q.subject, q.object
            if isinstance(subject, blank) or isinstance(obj, blank):
                yield quad(
                    label(subject) if isinstance(subject, blank) else subject,
                    q.predicate,
                    label(obj) if isinstance(obj, blank) else obj,
                    q.graph_name,
                )
            else:
                yield q


def parse_file(
    path: Path, prefixes: dict[str, str] | None = None, labels: BlankLabels | None = None
) -> Iterator[pyoxigraph.Quad]:
    """The quads of one file (blank nodes labelled apart from other files' by ``labels``),
    raising LoadError with its location on bad syntax; the file's prefixes join
    ``prefixes``."""
    fmt = mediatypes.by_extension(path.suffix)
    if fmt is None or path.suffix not in RDF_SUFFIXES:
        raise LoadError(path, None, None, f"not a Turtle or TriG file: {path.suffix!r}")
    try:
        parser = pyoxigraph.parse(
            path=str(path),
            format=fmt.rdf_format(),
            base_iri=path.resolve().as_uri(),
        )
        yield from (labels or BlankLabels()).relabel(parser)
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1] if error.msg else str(error)
        raise LoadError(path, error.lineno, error.offset, message) from error
    except OSError as error:
        raise LoadError(path, None, None, str(error)) from error
    if prefixes is not None:
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)


def _is_alignment(path: Path, data_dir: Path) -> bool:
    return ALIGNMENT_DIR in path.relative_to(data_dir).parts[:-1]


def _into(
    quads: Iterable[pyoxigraph.Quad], graph: pyoxigraph.NamedNode
) -> Iterator[pyoxigraph.Quad]:
    Quad = pyoxigraph.Quad
    for q in quads:
        yield Quad(q.subject, q.predicate, q.object, graph)


def _data_quads(
    path: Path, quads: Iterable[pyoxigraph.Quad], origin: dict[str, Path], names: list[str]
) -> Iterator[pyoxigraph.Quad]:
    """One TriG file's quads: named graphs are assertions, the default graph provenance."""
    seen: set[pyoxigraph.NamedNode] = set()
    Quad = pyoxigraph.Quad
    default = pyoxigraph.DefaultGraph
    for q in quads:
        graph = q.graph_name
        if isinstance(graph, default):
            yield Quad(q.subject, q.predicate, q.object, PROVENANCE_GRAPH)
            continue
        if graph not in seen:
            if not isinstance(graph, pyoxigraph.NamedNode):
                raise LoadError(
                    path, None, None, f"a graph name must be an IRI, not _:{graph.value}"
                )
            name = graph.value
            if name.startswith(INTERNAL):
                raise LoadError(
                    path, None, None, f"<{name}>: graph names under {INTERNAL} are the build's own"
                )
            if name in origin and origin[name] != path:
                raise LoadError(path, None, None, f"assertion <{name}> is also in {origin[name]}")
            if name not in origin:
                names.append(name)
            origin[name] = path
            seen.add(graph)
        yield q


def load(ontology_dir: Path, data_dir: Path | None, shapes_file: Path) -> LoadedSources:
    """Parse ``ontology_dir`` (minus the shapes file) and ``data_dir`` into separate graphs.

    In ``data_dir``, each named graph of a TriG file is one assertion and the file's default
    graph is provenance, as is every Turtle file there (``sources.ttl``), except the Turtle
    files under ``alignment/``, which are the Wikidata alignment. A fact written outside an
    assertion thus lands in provenance, where a check refuses it.

    ``data_dir=None`` reads the ontology and shapes only (an update brings its own data).
    """
    dataset = pyoxigraph.Store()
    files: list[Path] = []
    prefixes: dict[str, str] = {}
    labels = BlankLabels()
    shapes_resolved = shapes_file.resolve()
    for path in source_files(ontology_dir):
        target = SHAPES_GRAPH if path.resolve() == shapes_resolved else ONTOLOGY_GRAPH
        dataset.extend(_into(parse_file(path, prefixes, labels), target))
        files.append(path)
    if shapes_file.is_file() and shapes_resolved not in {f.resolve() for f in files}:
        dataset.extend(_into(parse_file(shapes_file, prefixes, labels), SHAPES_GRAPH))
        files.append(shapes_file)
    origin: dict[str, Path] = {}
    names: list[str] = []
    for path in source_files(data_dir) if data_dir is not None else []:
        assert data_dir is not None
        fmt = mediatypes.by_extension(path.suffix)
        if fmt is not None and fmt.kind is mediatypes.Kind.DATASET:
            dataset.extend(_data_quads(path, parse_file(path, prefixes, labels), origin, names))
        else:
            graph = ALIGNMENT_GRAPH if _is_alignment(path, data_dir) else PROVENANCE_GRAPH
            dataset.extend(_into(parse_file(path, prefixes, labels), graph))
        files.append(path)
    return LoadedSources(files=files, dataset=dataset, assertion_names=names, prefixes=prefixes)
