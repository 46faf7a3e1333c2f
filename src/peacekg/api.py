"""The graph from Python, for notebooks and scripts: ``peacekg.open()`` and a few methods.

The CLI and the server are the same stages behind commands; a notebook user wants rows and
DataFrames, an entity's statements with the passages they come from, and rdflib Graphs, with
no HTTP and no subprocess. Everything here reads the built store the server would serve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
from rdflib import Graph as RdfGraph

from peacekg.config import Settings, load_settings
from peacekg.pipeline import build, needs_build
from peacekg.store import EmbeddedStore, StoreError, stored_graph

if TYPE_CHECKING:
    import pandas

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS: dict[str, type] = {
    _XSD + "integer": int,
    _XSD + "int": int,
    _XSD + "long": int,
    _XSD + "nonNegativeInteger": int,
    _XSD + "positiveInteger": int,
    _XSD + "decimal": Decimal,
    _XSD + "double": float,
    _XSD + "float": float,
}


def python_value(term: object) -> Any:
    """A result term as a plain value: IRIs and strings as ``str``, numbers as numbers.

    Dates stay ISO strings (partial dates such as ``2022-03`` have no ``datetime``), blank
    nodes are ``_:label``; ``None`` is an unbound variable.
    """
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    assert isinstance(term, pyoxigraph.Literal)
    datatype = term.datatype.value if term.datatype else ""
    if datatype == _XSD + "boolean":
        return term.value in {"true", "1"}
    number = _NUMBERS.get(datatype)
    if number is not None:
        try:
            return number(term.value)
        except (ValueError, ArithmeticError):
            return term.value
    return term.value


@dataclass(frozen=True)
class Source:
    """An assertion that states a statement: its document and the passage it quotes."""

    assertion: str
    kind: str  # "stated" or "curator inference"
    document: str
    quote: str


@dataclass(frozen=True)
class Statement:
    """One outgoing statement of an entity; ``inferred`` when only the reasoner states it."""

    predicate: str
    value: Any
    inferred: bool
    sources: tuple[Source, ...] = ()


@dataclass
class Entity:
    """An entity's IRI, label and outgoing statements, each with its sources."""

    iri: str
    label: str
    statements: list[Statement] = field(default_factory=list)

    def values(self, predicate: str) -> list[Any]:
        """The values of ``predicate`` (a full IRI), in statement order."""
        return [s.value for s in self.statements if s.predicate == predicate]


_STATEMENTS = """SELECT ?p ?o (EXISTS { GRAPH <INFERRED> { <IRI> ?p ?o } } AS ?inferred)
    (EXISTS { GRAPH ?g { <IRI> ?p ?o } VALUES ?g { CURATED } } AS ?curated)
WHERE { <IRI> ?p ?o } ORDER BY ?p ?o"""

_SOURCES = """PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?p ?o ?a ?kind ?doc ?exact WHERE {
    GRAPH ?a { <IRI> ?p ?o }
    GRAPH <PROV> { ?a a ?kind ; pkg:passage ?passage .
        VALUES ?kind { pkg:StatedAssertion pkg:CuratorInference }
        OPTIONAL { ?passage oa:hasSource ?doc }
        OPTIONAL { ?passage oa:hasSelector ?selector .
                   ?selector a oa:TextQuoteSelector ; oa:exact ?exact } }
} ORDER BY ?a"""

_LABEL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { { <IRI> skos:prefLabel ?label } UNION { <IRI> rdfs:label ?label } }
ORDER BY DESC(lang(?label) = "en") ?label LIMIT 1"""


class Graph:
    """The built PeaceKG store, read-only: SPARQL rows, DataFrames, entities, named graphs."""

    def __init__(self, settings: Settings) -> None:
        if not settings.store_path.is_symlink():
            raise StoreError(
                f"no store at {settings.store_path}: run `peacekg build` "
                "(or peacekg.open(build=True))"
            )
        self.settings = settings
        self.graphs = settings.graphs
        self.store = EmbeddedStore.for_graphs(settings.store_path, settings.graphs)

    def _run(self, sparql: str, **graphs: Any) -> object:
        """Evaluate ``sparql`` with the endpoint's undeclared prefixes (``pkg:``, ``rdfs:``…)."""
        from peacekg.web.prefixes import missing_prologue

        return self.store.query(missing_prologue(sparql) + sparql, **graphs)

    def query(self, sparql: str) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of plain values (see :func:`python_value`); an ASK gives
        ``[{"ask": bool}]``. The default graph is the endpoint's: every fact once; the
        endpoint's prefixes need no ``PREFIX`` line."""
        result = self._run(sparql)
        if isinstance(result, pyoxigraph.QueryBoolean):
            return [{"ask": bool(result)}]
        if not isinstance(result, pyoxigraph.QuerySolutions):
            raise ValueError("query() takes SELECT or ASK; use construct() for graphs")
        names = [v.value for v in result.variables]
        return [{name: python_value(row[name]) for name in names} for row in result]

    def dataframe(self, sparql: str) -> pandas.DataFrame:
        """A SELECT's rows as a pandas DataFrame (``pip install 'peacekg[notebook]'``)."""
        try:
            import pandas
        except ImportError as error:
            raise ImportError(
                "dataframe() needs pandas: pip install 'peacekg[notebook]'"
            ) from error
        result = self._run(sparql)
        if not isinstance(result, pyoxigraph.QuerySolutions):
            raise ValueError("dataframe() takes a SELECT query")
        names = [v.value for v in result.variables]
        rows = [[python_value(row[name]) for name in names] for row in result]
        return pandas.DataFrame(rows, columns=names)

    def construct(self, sparql: str) -> RdfGraph:
        """A CONSTRUCT or DESCRIBE's triples as an rdflib Graph."""
        result = self._run(sparql)
        if not isinstance(result, pyoxigraph.QueryTriples):
            raise ValueError("construct() takes a CONSTRUCT or DESCRIBE query")
        data = result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        return RdfGraph().parse(data=data.decode("utf-8"), format="nt")

    def named_graph(self, name: str) -> RdfGraph:
        """One stored graph as an rdflib Graph: a full IRI, or a short name such as
        ``"ontology"``, ``"asserted"``, ``"inferred"``, ``"provenance"``, ``"alignment"``."""
        short = name.replace("-", "_")
        iri = (
            getattr(self.graphs, short)
            if isinstance(getattr(self.graphs, short, None), str)
            else name
        )
        return stored_graph(self.store, iri)

    def iri(self, name: str) -> str:
        """``name`` as an IRI: kept when absolute, ``pkg:Term`` in the ontology, else an entity
        local name under ``<base>id/`` (``"russian-delegation"``)."""
        if name.startswith(("http://", "https://")):
            return name
        if name.startswith("pkg:"):
            return self.settings.base_iri + "ontology#" + name[4:]
        return self.settings.base_iri + "id/" + name

    def entity(self, name: str) -> Entity:
        """An entity's outgoing statements with the assertions, documents and quotes stating
        them; a statement only the reasoner makes is marked ``inferred`` and has no source."""
        iri = self.iri(name)
        if any(c in iri for c in '<>"{}|\\^` '):
            raise ValueError(f"not an IRI: {iri!r}")
        curated = " ".join(f"<{g}>" for g in self.graphs.curated())

        def fill(template: str) -> str:
            return (
                template.replace("IRI", iri)
                .replace("INFERRED", self.graphs.inferred)
                .replace("PROV", self.graphs.provenance)
                .replace("CURATED", curated)
            )

        sources: dict[tuple[str, str], list[Source]] = {}
        result = self.store.query(fill(_SOURCES))
        assert isinstance(result, pyoxigraph.QuerySolutions)
        for row in result:
            kind = row["kind"]
            assert isinstance(kind, pyoxigraph.NamedNode)
            sources.setdefault((str(row["p"]), str(row["o"])), []).append(
                Source(
                    assertion=python_value(row["a"]),
                    kind="stated"
                    if kind.value.endswith("#StatedAssertion")
                    else "curator inference",
                    document=python_value(row["doc"]) or "",
                    quote=python_value(row["exact"]) or "",
                )
            )
        statements: list[Statement] = []
        result = self.store.query(fill(_STATEMENTS), default_graphs=self.graphs.all())
        assert isinstance(result, pyoxigraph.QuerySolutions)
        for row in result:
            key = (str(row["p"]), str(row["o"]))
            inferred = python_value(row["inferred"]) and not python_value(row["curated"])
            statements.append(
                Statement(
                    predicate=python_value(row["p"]),
                    value=python_value(row["o"]),
                    inferred=bool(inferred),
                    sources=tuple(sources.get(key, ())),
                )
            )
        if not statements:
            raise KeyError(f"no statements about {iri}")
        labels = self.query(fill(_LABEL))
        return Entity(iri, str(labels[0]["label"]) if labels else iri, statements)


def open(
    build_dir: str | Path | None = None, *, build_first: bool = False, **settings: Any
) -> Graph:
    """Open the built graph: ``peacekg.open()`` in a clone, or ``peacekg.open("path/build")``.

    Settings come from ``peacekg.toml`` and ``PEACEKG_*`` as for the CLI, then ``settings``
    (``data_dir=...``). ``build_first=True`` builds when the sources changed or there is no
    store yet, as ``peacekg serve`` does.
    """
    overrides = {"build_dir": build_dir, **settings}
    loaded = load_settings(overrides=overrides)
    if build_first and needs_build(loaded):
        build(loaded)
    return Graph(loaded)
