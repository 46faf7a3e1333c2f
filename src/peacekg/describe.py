"""Entity descriptions for linked data: what the pages and the RDF documents of ``/id/...`` show.

Every query goes through the :class:`~peacekg.store.GraphStore` (Oxigraph under it), never
rdflib's SPARQL engine. The functions return plain dataclasses of strings so that templates
and serialisers need no RDF library.

Asserted and inferred statements are told apart by the named graph they come from
(:class:`~peacekg.namespaces.GraphNames`): a statement found in a curated graph (asserted,
ontology, provenance, alignment) counts as asserted even when reasoning derived it again.
Each asserted statement also carries its sources (issue 10): the assertions whose graphs hold
the triple, with their kind (stated or a curator's inference and its reason), document and
passage, found by one bounded query per entity (:func:`statement_sources`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pyoxigraph

from peacekg.namespaces import GraphNames
from peacekg.store import GraphStore

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_DEF = "http://www.w3.org/2004/02/skos/core#definition"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
WIKIDATA = "http://www.wikidata.org/entity/"
SAME = {
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
    "http://www.w3.org/2002/07/owl#sameAs",
}

PREFIXES = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

#: At most this many (triple, assertion) rows are read for one entity's sources: an entity
#: stated in more assertions than that shows the first ones (the page says how many are shown).
SOURCE_ROWS = 2000

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


# Characters an IRI may not hold (RFC 3987: controls, space, and <>"{}|^`\\).
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI that a query may name (RFC 3987, as Oxigraph
    parses it): a URL path with a space, a control character or a stray ``%`` is not."""
    if not value or _NOT_IRI.search(value):
        return False
    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return False
    return True


def _iri(value: str) -> str:
    """``value`` as a SPARQL IRI reference, refusing characters that would break out of it."""
    if _NOT_IRI.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _rows(store: GraphStore, sparql: str) -> list[dict[str, Term | None]]:
    result = store.query(PREFIXES + sparql)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    rows: list[dict[str, Term | None]] = []
    for solution in result:
        row: dict[str, Term | None] = {}
        for name in names:
            term = solution[name]
            row[name] = term if isinstance(term, Term) else None
        rows.append(row)
    return rows


def _value(term: Term | None) -> str:
    return "" if term is None else term.value


def local_name(iri: str) -> str:
    """A readable fallback label: the IRI's last segment, hyphens as spaces."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    return tail.replace("-", " ").replace("_", " ")


def exists(store: GraphStore, iri: str) -> bool:
    """Whether ``iri`` occurs as a subject or object in any graph (False for a string that
    is not an IRI, such as a URL path with a space or a control character in it)."""
    if not is_iri(iri):
        return False
    result = store.query(f"ASK {{ {{ {_iri(iri)} ?p ?o }} UNION {{ ?s ?p {_iri(iri)} }} }}")
    return bool(result)


def labels(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """The best label of each IRI: English rdfs:label, skos:prefLabel, pkg:title, any label.

    IRIs without one are left out; callers fall back to :func:`local_name`.
    """
    wanted = sorted({i for i in iris if is_iri(i)})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 400):
        values = " ".join(_iri(i) for i in wanted[start : start + 400])
        rows = _rows(
            store,
            f"""SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }}
                VALUES ?p {{ rdfs:label skos:prefLabel pkg:title }} ?x ?p ?l }}""",
        )
        for row in rows:
            x, p, lit = _value(row["x"]), _value(row["p"]), row["l"]
            if not isinstance(lit, pyoxigraph.Literal):
                continue
            rank = {RDFS_LABEL: 0, SKOS_PREF: 2}.get(p, 4)
            if lit.language not in (None, "en"):
                rank += 1
            if x not in found or (rank, lit.value) < found[x]:
                found[x] = (rank, lit.value)
    return {iri: text for iri, (_rank, text) in found.items()}


#: Prefixes of the prefixed names shown beside labels (pkg: first, the echo vocabularies next).
QNAMES: tuple[tuple[str, str], ...] = (
    ("pkg", "https://w3id.org/peacekg/ontology#"),
    ("schema", "http://schema.org/"),
    ("schema", "https://schema.org/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("time", "http://www.w3.org/2006/time#"),
)
PKG_NS = "https://w3id.org/peacekg/ontology#"
#: Vocabularies whose super-properties of pkg: terms only echo the pkg: statement.
ECHO_NAMESPACES = (
    "http://schema.org/",
    "https://schema.org/",
    "http://www.w3.org/ns/prov#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/oa#",
)


def prefixed(iri: str) -> str:
    """``pkg:memberOf`` for a known namespace, else the IRI itself."""
    for prefix, namespace in QNAMES:
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def label_key(text: str) -> str:
    """Labels that read the same ("member of", "memberOf") share a key."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class Node:
    """One term as a page shows it: an IRI with its label, a blank node, or a literal."""

    value: str
    kind: str  # "iri", "bnode" or "literal"
    label: str = ""
    datatype: str = ""
    language: str = ""

    @property
    def is_iri(self) -> bool:
        """True for IRIs."""
        return self.kind == "iri"

    @property
    def text(self) -> str:
        """What a reader sees: the label, or the literal's lexical form."""
        return self.label or self.value

    @property
    def prefixed(self) -> str:
        """The prefixed name of an IRI (``schema:memberOf``), shown where labels collide."""
        return prefixed(self.value) if self.is_iri else self.value


def _node(term: Term, names: dict[str, str]) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return Node(term.value, "iri", names.get(term.value) or local_name(term.value))
    if isinstance(term, pyoxigraph.BlankNode):
        return Node(term.value, "bnode")
    datatype = term.datatype.value if term.datatype else ""
    return Node(term.value, "literal", datatype=datatype, language=term.language or "")


@dataclass(frozen=True)
class Source:
    """One assertion whose graph holds a statement: its document and passage, and whether
    the document states it or a curator inferred it (then ``reason`` says how)."""

    assertion: str
    stated: bool
    reason: str
    document: str
    document_label: str
    exact: str
    url: str = ""
    #: Footnote number on the page (1, 2, ... in the order the statements are shown).
    number: int = 0

    @property
    def kind(self) -> str:
        """``stated`` or ``curator inference``."""
        return "stated" if self.stated else "curator inference"


@dataclass(frozen=True)
class Statement:
    """A predicate and the node at its other end, whether it was asserted or inferred, and
    the assertions (sources) that hold it."""

    predicate: Node
    node: Node
    inferred: bool
    origin: str = "asserted"  # "asserted", "inferred" (OWL 2 RL) or "derived" (other views)
    sources: tuple[Source, ...] = ()
    #: The curated graph it was found in when no assertion holds it: "ontology",
    #: "provenance" (document descriptions) or "alignment" (Wikidata links); else "".
    curated_in: str = ""
    #: Reasoner-inferred super-properties from other vocabularies (schema:, prov:, dcterms:,
    #: oa:) that state the same fact again: one row shows them all (:func:`collapse_echoes`).
    equivalents: tuple[Node, ...] = ()

    @property
    def provenance(self) -> str:
        """How the statement is known: ``stated`` (a source says so), ``curator inference``
        (only curators' inferences hold it), ``inferred`` (OWL 2 RL, in the inferred graph
        only), ``derived`` (another view), or the curated graph it is in."""
        if self.sources:
            return "stated" if any(s.stated for s in self.sources) else "curator inference"
        if self.origin != "asserted":
            return self.origin
        return self.curated_in


@dataclass
class Description:
    """What the graph says about one entity: types, outgoing and incoming statements, quads."""

    iri: str
    label: str
    types: list[Node]
    definition: str
    outgoing: list[Statement]
    incoming: list[Statement]
    quads: list[pyoxigraph.Quad] = field(default_factory=list)
    #: Every source of the statements shown, numbered in order, once each (the footnotes).
    sources: list[Source] = field(default_factory=list)
    #: True when the entity has more source rows than :data:`SOURCE_ROWS` (not all shown).
    sources_truncated: bool = False
    #: Predicates whose label reads like another shown predicate's (shown with their
    #: prefixed name, so ``pkg:memberOf`` and ``schema:memberOf`` are told apart).
    ambiguous: set[str] = field(default_factory=set)
    #: How many statements the entity has, when a ``limit`` left some unread (else None).
    total: int | None = None

    def show_prefixed(self, statement: Statement) -> bool:
        """Whether the row of ``statement`` names its property by prefixed name too."""
        return bool(statement.equivalents) or statement.predicate.value in self.ambiguous

    @property
    def type_iris(self) -> set[str]:
        """IRIs of every type (asserted and inferred)."""
        return {t.value for t in self.types}

    @property
    def asserted_types(self) -> list[Node]:
        """The types stated in the data (not those added by reasoning)."""
        return _unique(
            st.node for st in self.outgoing if st.predicate.value == RDF_TYPE and not st.inferred
        )

    def values(self, predicate: str) -> list[Node]:
        """Objects of outgoing statements with ``predicate`` (asserted first, no duplicates)."""
        seen: dict[str, Node] = {}
        for st in sorted(self.outgoing, key=lambda s: s.inferred):
            if st.predicate.value == predicate and st.node.value not in seen:
                seen[st.node.value] = st.node
        return list(seen.values())

    def first(self, predicate: str) -> str:
        """The first value of ``predicate`` as text, or ''."""
        found = self.values(predicate)
        return found[0].value if found else ""

    def wikidata(self) -> list[str]:
        """Wikidata entity IRIs this entity is mapped to."""
        return sorted({st.node.value for st in self.outgoing if st.node.value.startswith(WIKIDATA)})


def describe(
    store: GraphStore,
    iri: str,
    graphs: GraphNames,
    *,
    every_graph: bool = False,
    limit: int | None = None,
) -> Description:
    """Outgoing and incoming statements of ``iri``, the blank nodes it points to (quote
    selectors), and the labels of every neighbour, as quads that keep their graph.

    The graphs are the ontology, asserted and inferred ones (``GraphNames.all()``); derived
    views such as the Wikidata-shaped graph repeat the same facts in another model and are
    left out unless ``every_graph`` (for IRIs that only those views mint).

    ``limit`` bounds the work for an entity with very many statements (a country that
    thousands of events point to, issue 18): the statements of at most that many neighbours
    are read each way (all of a neighbour's, so a statement keeps every graph that holds it
    and its echoes), and when a side has more, :attr:`Description.total` counts every one.
    """
    ref = _iri(iri)
    only = "" if every_graph else "FILTER(?g IN (" + ", ".join(_iri(g) for g in graphs.all()) + "))"
    bound = "" if limit is None else f"LIMIT {int(limit)}"
    rows = _rows(
        store,
        f"""SELECT ?s ?p ?o ?g ?side WHERE {{
            {{ {{ SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ {ref} ?p ?o }} {only} }} {bound} }}
               GRAPH ?g {{ {ref} ?p ?o }} BIND({ref} AS ?s) BIND("out" AS ?side) }}
            UNION {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p {ref} }} {only} }} {bound} }}
               GRAPH ?g {{ ?s ?p {ref} }} BIND({ref} AS ?o) BIND("in" AS ?side) }}
            UNION {{ GRAPH ?g {{ {ref} ?p0 ?s . ?s ?p ?o FILTER(isBlank(?s)) }} }}
            UNION {{ GRAPH ?g {{ {ref} ?p0 ?b . ?b ?p1 ?s . ?s ?p ?o
                     FILTER(isBlank(?b) && isBlank(?s)) }} }}
            {only}
        }}""",
    )
    total = None
    if limit is not None:
        outs = {_value(row["o"]) for row in rows if _value(row["side"]) == "out"}
        ins = {_value(row["s"]) for row in rows if _value(row["side"]) == "in"}
        if len(outs) >= limit or len(ins) >= limit:
            total = _count_statements(store, ref, only)
    quads: list[pyoxigraph.Quad] = []
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
        assert isinstance(p, pyoxigraph.NamedNode) and isinstance(g, pyoxigraph.NamedNode)
        assert o is not None
        key = (str(s), str(p), str(o), str(g))
        if key not in seen:
            seen.add(key)
            quads.append(pyoxigraph.Quad(s, p, o, g))
    neighbours = {iri}
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, pyoxigraph.NamedNode):
                neighbours.add(term.value)
    names = labels(store, neighbours)
    label_rows = _label_quads(store, neighbours - {iri}, None if every_graph else graphs.all())
    for quad in label_rows:
        key = (str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name))
        if key not in seen:
            seen.add(key)
            quads.append(quad)

    curated = {
        graphs.asserted: "",
        graphs.ontology: "ontology",
        graphs.provenance: "provenance",
        graphs.alignment: "alignment",
    }
    rank = {**dict.fromkeys(curated, 0), graphs.inferred: 1}
    origin_of: dict[tuple[str, str, str], int] = {}
    curated_of: dict[tuple[str, str, str], str] = {}
    me = str(pyoxigraph.NamedNode(iri))
    for q in quads:
        if str(q.subject) == me or str(q.object) == me:
            key3 = (str(q.subject), str(q.predicate), str(q.object))
            graph = str(q.graph_name)[1:-1]
            here = rank.get(graph, 2)
            origin_of[key3] = min(origin_of.get(key3, 2), here)
            if graph in curated and curated_of.get(key3) != "":
                curated_of[key3] = curated[graph]
    found = statement_sources(store, iri, graphs)
    sources_of = found.by_triple
    outgoing: list[Statement] = []
    incoming: list[Statement] = []
    done: set[tuple[str, str, str, str]] = set()
    for q in quads:
        key3 = (str(q.subject), str(q.predicate), str(q.object))
        subject, obj = q.subject, q.object
        if isinstance(subject, pyoxigraph.NamedNode) and subject.value == iri:
            direction = "out"
            other: Term = obj  # type: ignore[assignment]
        elif isinstance(obj, pyoxigraph.NamedNode) and obj.value == iri:
            direction = "in"
            other = subject  # type: ignore[assignment]
        else:
            continue
        if (direction, *key3) in done:
            continue
        done.add((direction, *key3))
        origin = ("asserted", "inferred", "derived")[origin_of[key3]]
        statement = Statement(
            _node(q.predicate, names),
            _node(other, names),
            origin != "asserted",
            origin,
            tuple(sources_of.get(key3, ())) if origin == "asserted" else (),
            curated_of.get(key3, "") if origin == "asserted" else "",
        )
        (outgoing if direction == "out" else incoming).append(statement)
    supers = super_properties(
        store, {st.predicate.value for st in outgoing + incoming}, graphs.ontology
    )
    outgoing, incoming = collapse_echoes(outgoing, supers), collapse_echoes(incoming, supers)
    outgoing.sort(key=lambda s: (s.predicate.text, s.predicate.value, s.node.text))
    incoming.sort(key=lambda s: (s.predicate.text, s.predicate.value, s.node.text))
    outgoing, incoming, footnotes = _number_sources(outgoing, incoming)
    for quad in found.quads:
        key = (str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name))
        if key not in seen:
            seen.add(key)
            quads.append(quad)
    types = _unique(st.node for st in outgoing if st.predicate.value == RDF_TYPE)
    definition = next(
        (
            st.node.value
            for pred in (SKOS_DEF, RDFS_COMMENT)
            for st in outgoing
            if st.predicate.value == pred
        ),
        "",
    )
    return Description(
        iri=iri,
        label=names.get(iri) or _fallback_label(iri, incoming),
        types=types,
        definition=definition,
        outgoing=outgoing,
        incoming=incoming,
        quads=quads,
        sources=footnotes,
        sources_truncated=found.truncated,
        ambiguous=ambiguous_predicates(outgoing + incoming),
        total=total,
    )


def _count_statements(store: GraphStore, ref: str, only: str) -> int:
    """How many distinct statements (triples) have ``ref`` as subject or object."""
    rows = _rows(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
            {{ GRAPH ?g {{ {ref} ?p ?o }} BIND({ref} AS ?s) }}
            UNION {{ GRAPH ?g {{ ?s ?p {ref} }} BIND({ref} AS ?o) }}
            {only} }} }}""",
    )
    return int(_value(rows[0]["n"]) or 0)


def super_properties(
    store: GraphStore, predicates: Iterable[str], ontology: str
) -> dict[str, set[str]]:
    """Each ``pkg:`` predicate's super-properties (``rdfs:subPropertyOf+``, in the ontology)."""
    wanted = sorted(p for p in predicates if p.startswith(PKG_NS) and is_iri(p))
    found: dict[str, set[str]] = {}
    for start in range(0, len(wanted), 400):
        values = " ".join(_iri(p) for p in wanted[start : start + 400])
        for row in _rows(
            store,
            # ``+`` as one step then ``*``: Virtuoso refuses a transitive path whose start
            # is bound only by VALUES ("transitive start not given"); the step binds it.
            f"""SELECT DISTINCT ?p ?q WHERE {{ VALUES ?p {{ {values} }}
                GRAPH {_iri(ontology)} {{ ?p rdfs:subPropertyOf ?x . ?x rdfs:subPropertyOf* ?q }}
                }}""",
        ):
            found.setdefault(_value(row["p"]), set()).add(_value(row["q"]))
    return found


def collapse_echoes(statements: list[Statement], supers: dict[str, set[str]]) -> list[Statement]:
    """Fold each reasoner-inferred statement whose predicate is a schema:/prov:/dcterms:/oa:
    super-property of a ``pkg:`` statement's predicate, with the same node at the other end,
    into that statement's row (which keeps its own sources): one fact, one row."""
    echoes: dict[int, list[Node]] = {}
    folded: set[int] = set()
    by_node: dict[str, list[int]] = {}
    for i, st in enumerate(statements):
        if st.predicate.value.startswith(PKG_NS):
            by_node.setdefault(st.node.value, []).append(i)
    for j, echo in enumerate(statements):
        if echo.origin != "inferred" or not echo.predicate.value.startswith(ECHO_NAMESPACES):
            continue
        bases = [
            i
            for i in by_node.get(echo.node.value, [])
            if echo.predicate.value in supers.get(statements[i].predicate.value, set())
            and statements[i].node.kind == echo.node.kind
        ]
        if bases:
            # The asserted statement when there is one, else the first (rows are sorted later).
            base = min(bases, key=lambda i: (statements[i].inferred, i))
            echoes.setdefault(base, []).append(echo.predicate)
            folded.add(j)
    out = []
    for i, st in enumerate(statements):
        if i in folded:
            continue
        if i in echoes:
            found = sorted(_unique(echoes[i]), key=lambda n: prefixed(n.value))
            st = replace(st, equivalents=tuple(found))
        out.append(st)
    return out


def ambiguous_predicates(statements: Iterable[Statement]) -> set[str]:
    """Predicates (of the rows and their equivalents) whose labels collide with another's."""
    keys: dict[str, set[str]] = {}
    for st in statements:
        for predicate in (st.predicate, *st.equivalents):
            keys.setdefault(label_key(predicate.text), set()).add(predicate.value)
    return {iri for iris in keys.values() if len(iris) > 1 for iri in iris}


def _number_sources(
    outgoing: list[Statement], incoming: list[Statement]
) -> tuple[list[Statement], list[Statement], list[Source]]:
    """Number each assertion once, in the order the page shows the statements."""
    numbers: dict[str, Source] = {}

    def numbered(statements: list[Statement]) -> list[Statement]:
        out = []
        for st in statements:
            sources = []
            for src in st.sources:
                if src.assertion not in numbers:
                    numbers[src.assertion] = replace(src, number=len(numbers) + 1)
                sources.append(numbers[src.assertion])
            out.append(replace(st, sources=tuple(sources)))
        return out

    return numbered(outgoing), numbered(incoming), list(numbers.values())


@dataclass
class FoundSources:
    """What :func:`statement_sources` found for one entity."""

    #: (subject, predicate, object) in N-Triples form -> the assertions holding it.
    by_triple: dict[tuple[str, str, str], list[Source]] = field(default_factory=dict)
    #: The triples in their assertion graphs and the assertions' provenance, for RDF documents.
    quads: list[pyoxigraph.Quad] = field(default_factory=list)
    truncated: bool = False


_SOURCES = """SELECT ?s ?p ?o ?a ?kind ?reason ?doc ?docLabel ?url ?exact WHERE {
    { GRAPH ?a { IRI ?p ?o } BIND(IRI AS ?s) } UNION { GRAPH ?a { ?s ?p IRI } BIND(IRI AS ?o) }
    GRAPH PROV { ?a pkg:passage ?passage ; a ?kind .
        VALUES ?kind { pkg:StatedAssertion pkg:CuratorInference }
        OPTIONAL { ?passage oa:hasSource ?doc }
        OPTIONAL { ?passage oa:hasSelector ?selector .
                   ?selector a oa:TextQuoteSelector ; oa:exact ?exact }
        OPTIONAL { ?a pkg:inferenceReason ?reason } }
    OPTIONAL { GRAPH PROV { ?doc rdfs:label ?docLabel } }
    OPTIONAL { GRAPH PROV { ?doc pkg:url ?url } }
} ORDER BY ?a ?s ?p ?o LIMIT """


def statement_sources(store: GraphStore, iri: str, graphs: GraphNames) -> FoundSources:
    """The assertions whose graphs hold a triple with ``iri`` as subject or object, with
    their passage and document, and (as quads) those triples and the assertions' provenance.

    One query joins ``GRAPH ?a { <iri> ?p ?o }`` with ``?a pkg:passage ...`` in the
    provenance graph, so only this entity's assertions are read (at most
    :data:`SOURCE_ROWS` rows); the union graph ``asserted`` has no passage and drops out.
    """
    ref = _iri(iri)
    provenance = _iri(graphs.provenance)
    sparql = (_SOURCES + str(SOURCE_ROWS + 1)).replace("IRI", ref).replace("PROV", provenance)
    rows = _rows(store, sparql)
    found = FoundSources(truncated=len(rows) > SOURCE_ROWS)
    seen: set[tuple[str, ...]] = set()
    assertions: dict[str, Source] = {}
    for row in rows[:SOURCE_ROWS]:
        s, p, o, a = row["s"], row["p"], row["o"], row["a"]
        assert isinstance(s, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
        assert isinstance(p, pyoxigraph.NamedNode) and isinstance(a, pyoxigraph.NamedNode)
        assert o is not None
        source = assertions.get(a.value)
        if source is None:
            stated = _value(row["kind"]) == PKG_STATED
            doc = _value(row["doc"])
            source = Source(
                assertion=a.value,
                stated=stated,
                reason="" if stated else _value(row["reason"]),
                document=doc,
                document_label=_value(row["docLabel"]) or (local_name(doc) if doc else ""),
                exact=_value(row["exact"]),
                url=_value(row["url"]),
            )
            assertions[a.value] = source
        key = (str(s), str(p), str(o), str(a))
        if key in seen:
            continue
        seen.add(key)
        found.by_triple.setdefault(key[:3], []).append(source)
        found.quads.append(pyoxigraph.Quad(s, p, o, a))
    found.quads.extend(_provenance_quads(store, sorted(assertions), graphs))
    return found


PKG_STATED = "https://w3id.org/peacekg/ontology#StatedAssertion"


def _provenance_quads(
    store: GraphStore, assertions: list[str], graphs: GraphNames
) -> list[pyoxigraph.Quad]:
    """The provenance of ``assertions``: their own triples, their passage and its selectors."""
    graph = pyoxigraph.NamedNode(graphs.provenance)
    quads: list[pyoxigraph.Quad] = []
    for start in range(0, len(assertions), 200):
        values = " ".join(_iri(a) for a in assertions[start : start + 200])
        rows = _rows(
            store,
            f"""SELECT ?s ?p ?o WHERE {{ VALUES ?a {{ {values} }}
                GRAPH {_iri(graphs.provenance)} {{
                    {{ ?a ?p ?o BIND(?a AS ?s) }}
                    UNION {{ ?a pkg:passage ?s . ?s ?p ?o }}
                    UNION {{ ?a pkg:passage/oa:hasSelector ?s . ?s ?p ?o }} }} }}""",
        )
        for row in rows:
            s, p, o = row["s"], row["p"], row["o"]
            assert isinstance(s, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
            assert isinstance(p, pyoxigraph.NamedNode) and o is not None
            quads.append(pyoxigraph.Quad(s, p, o, graph))
    return quads


def _fallback_label(iri: str, incoming: list[Statement]) -> str:
    """A label for an unlabelled node: what points to it (a statement node of the Wikidata
    view reads "Istanbul Communiqué — P527"), else its readable local name."""
    pointers = {(st.node.value, st.predicate.value) for st in incoming}
    if len(pointers) == 1:
        st = incoming[0]
        return f"{st.node.text} — {st.predicate.text}"
    return local_name(iri)


def _unique(nodes: Iterable[Node]) -> list[Node]:
    seen: dict[str, Node] = {}
    for node in nodes:
        seen.setdefault(node.value, node)
    return list(seen.values())


def _label_quads(
    store: GraphStore, iris: Iterable[str], only: list[str] | None
) -> list[pyoxigraph.Quad]:
    """rdfs:label / skos:prefLabel quads of ``iris`` (the neighbours' labels for RDF docs)."""
    wanted = sorted(i for i in iris if is_iri(i))
    where = "FILTER(?g IN (" + ", ".join(_iri(g) for g in only) + "))" if only else ""
    quads: list[pyoxigraph.Quad] = []
    for start in range(0, len(wanted), 400):
        values = " ".join(_iri(i) for i in wanted[start : start + 400])
        for row in _rows(
            store,
            f"""SELECT ?x ?p ?l ?g WHERE {{ VALUES ?x {{ {values} }}
                VALUES ?p {{ rdfs:label skos:prefLabel }} GRAPH ?g {{ ?x ?p ?l }} {where} }}""",
        ):
            x, p, lit, g = row["x"], row["p"], row["l"], row["g"]
            assert isinstance(x, pyoxigraph.NamedNode) and isinstance(p, pyoxigraph.NamedNode)
            assert isinstance(g, pyoxigraph.NamedNode) and lit is not None
            quads.append(pyoxigraph.Quad(x, p, lit, g))
    return quads


# --- dates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dating:
    """A date as the source states it, with its precision and bounds (ontology/README.md)."""

    as_stated: str
    precision: str
    precision_iri: str
    earliest: str
    latest: str

    @property
    def text(self) -> str:
        """E.g. ``late March 2022 (part of month: 2022-03-21 – 2022-03-31)``."""
        bounds = (
            self.earliest
            if self.earliest == self.latest or not self.latest
            else f"{self.earliest} – {self.latest}"
        )
        head = self.as_stated or bounds
        if not self.precision and not bounds:
            return head
        return f"{head} ({self.precision or 'precision not stated'}: {bounds})"

    def start(self) -> date | None:
        """The earliest bound as a date."""
        return _parse_date(self.earliest)

    def end(self) -> date | None:
        """The latest bound as a date (the earliest when no latest)."""
        return _parse_date(self.latest) or self.start()


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def dating(store: GraphStore, iri: str) -> Dating | None:
    """The dating of ``iri``, or None when it has no date properties."""
    rows = _rows(
        store,
        f"""SELECT ?stated ?precision ?plabel ?earliest ?latest WHERE {{
            OPTIONAL {{ {_iri(iri)} pkg:dateAsStated ?stated }}
            OPTIONAL {{ {_iri(iri)} pkg:datePrecision ?precision
                        OPTIONAL {{ ?precision rdfs:label ?plabel }} }}
            OPTIONAL {{ {_iri(iri)} pkg:earliestDate ?earliest }}
            OPTIONAL {{ {_iri(iri)} pkg:latestDate ?latest }}
        }} ORDER BY ?stated ?precision ?plabel ?earliest ?latest LIMIT 1""",
        # ORDER BY: with two values of one property, LIMIT 1 alone took whichever row the
        # store gave first (Virtuoso and Oxigraph differed: "May 2022" / "28 February 2022").
    )
    if not rows:
        return None
    row = rows[0]
    if all(row[k] is None for k in ("stated", "precision", "earliest", "latest")):
        return None
    precision_iri = _value(row["precision"])
    return Dating(
        as_stated=_value(row["stated"]),
        precision=_value(row["plabel"]) or (local_name(precision_iri) if precision_iri else ""),
        precision_iri=precision_iri,
        earliest=_value(row["earliest"]),
        latest=_value(row["latest"]),
    )


# --- lists for the timeline, the claims view and the index -----------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One event on the timeline."""

    iri: str
    label: str
    type_label: str
    dating: Dating
    place: str


def timeline(store: GraphStore, graphs: GraphNames) -> list[TimelineEntry]:
    """Every dated event (``pkg:Event`` after reasoning), earliest first."""
    rows = _rows(
        store,
        """SELECT ?e (SAMPLE(?l) AS ?label) (SAMPLE(?stated) AS ?st) (SAMPLE(?pl) AS ?plabel)
                  (SAMPLE(?p) AS ?prec) (MIN(?s) AS ?start) (MAX(?t) AS ?end)
                  (SAMPLE(?placeLabel) AS ?place) (SAMPLE(?typeLabel) AS ?tl) WHERE {
            ?e a pkg:Event ; pkg:earliestDate ?s .
            OPTIONAL { ?e pkg:latestDate ?t }
            OPTIONAL { ?e rdfs:label ?l }
            OPTIONAL { ?e pkg:dateAsStated ?stated }
            OPTIONAL { ?e pkg:datePrecision ?p OPTIONAL { ?p rdfs:label ?pl } }
            OPTIONAL { ?e pkg:location/rdfs:label ?placeLabel }
            OPTIONAL { GRAPH <ASSERTED> { ?e a ?type } ?type rdfs:label ?typeLabel }
        } GROUP BY ?e ORDER BY ?start ?end ?label""".replace("<ASSERTED>", _iri(graphs.asserted)),
    )
    entries = []
    for row in rows:
        iri = _value(row["e"])
        precision_iri = _value(row["prec"])
        entries.append(
            TimelineEntry(
                iri=iri,
                label=_value(row["label"]) or local_name(iri),
                type_label=_value(row["tl"]) or "event",
                dating=Dating(
                    as_stated=_value(row["st"]),
                    precision=_value(row["plabel"])
                    or (local_name(precision_iri) if precision_iri else ""),
                    precision_iri=precision_iri,
                    earliest=_value(row["start"]),
                    latest=_value(row["end"]),
                ),
                place=_value(row["place"]),
            )
        )
    return entries


@dataclass(frozen=True)
class ClaimEntry:
    """A claim with who made it and where."""

    iri: str
    label: str
    statement: str
    claimants: tuple[str, ...]
    relays: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Stance:
    """A stance link between two claims, as asserted (``disputes`` once, from the later claim)."""

    source: str
    relation: str  # "supports", "disputes" or "qualifies"
    target: str


def claims(store: GraphStore, graphs: GraphNames) -> tuple[list[ClaimEntry], list[Stance]]:
    """Every claim, and the asserted stance links between claims."""
    rows = _rows(
        store,
        """SELECT ?c (SAMPLE(?l) AS ?label) (SAMPLE(?st) AS ?statement)
                  (GROUP_CONCAT(DISTINCT ?cl; separator="\\u001f") AS ?claimants)
                  (GROUP_CONCAT(DISTINCT ?rl; separator="\\u001f") AS ?relays)
                  (SAMPLE(?srcl) AS ?source) WHERE {
            ?c a pkg:Claim .
            OPTIONAL { ?c rdfs:label ?l }
            OPTIONAL { ?c pkg:statement ?st }
            OPTIONAL { ?c pkg:claimant/rdfs:label ?cl }
            OPTIONAL { ?c pkg:relayedBy/rdfs:label ?rl }
            OPTIONAL { ?c pkg:statedIn/rdfs:label ?srcl }
        } GROUP BY ?c ORDER BY ?label""",
    )
    entries = [
        ClaimEntry(
            iri=_value(r["c"]),
            label=_value(r["label"]) or local_name(_value(r["c"])),
            statement=_value(r["statement"]),
            claimants=tuple(sorted(x for x in _value(r["claimants"]).split("\x1f") if x)),
            relays=tuple(sorted(x for x in _value(r["relays"]).split("\x1f") if x)),
            source=_value(r["source"]),
        )
        for r in rows
    ]
    stance_rows = _rows(
        store,
        f"""SELECT DISTINCT ?a ?rel ?b WHERE {{
            GRAPH {_iri(graphs.asserted)} {{
                VALUES ?rel {{ pkg:supports pkg:disputes pkg:qualifies }} ?a ?rel ?b }}
        }} ORDER BY ?a ?rel ?b""",
    )
    stances = [
        Stance(_value(r["a"]), local_name(_value(r["rel"])), _value(r["b"])) for r in stance_rows
    ]
    return entries, stances


@dataclass(frozen=True)
class IndexGroup:
    """Entities of one class."""

    type_iri: str
    type_label: str
    members: list[tuple[str, str]]  # (iri, label)


def index(store: GraphStore, graphs: GraphNames, base_iri: str) -> list[IndexGroup]:
    """Every entity under ``<base>id/`` grouped by its asserted type (most specific first)."""
    prefix = base_iri + "id/"
    rows = _rows(
        store,
        f"""SELECT ?x ?type (SAMPLE(?l) AS ?label) (SAMPLE(?tl) AS ?typeLabel) WHERE {{
            GRAPH {_iri(graphs.asserted)} {{ ?x a ?type }}
            FILTER(STRSTARTS(STR(?x), {_literal(prefix)}))
            OPTIONAL {{ ?x rdfs:label ?l }}
            OPTIONAL {{ ?type rdfs:label ?tl }}
        }} GROUP BY ?x ?type""",
    )
    groups: dict[str, IndexGroup] = {}
    for row in rows:
        type_iri = _value(row["type"])
        group = groups.setdefault(
            type_iri,
            IndexGroup(type_iri, _value(row["typeLabel"]) or local_name(type_iri), []),
        )
        iri = _value(row["x"])
        group.members.append((iri, _value(row["label"]) or local_name(iri)))
    for group in groups.values():
        group.members.sort(key=lambda m: m[1].lower())
    return sorted(groups.values(), key=lambda g: g.type_label.lower())


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search(
    store: GraphStore, words: Sequence[str], prefix: str = "", limit: int = 10
) -> list[tuple[str, str]]:
    """Entities (IRIs starting with ``prefix``) whose label or IRI contains the most of
    ``words``, best first (for the 404 page's suggestions)."""
    words = sorted({w.lower() for w in words if len(w) >= 3})[:8]
    if not words:
        return []
    score = " + ".join(
        f"IF(CONTAINS(LCASE(STR(?l)), {_literal(w)}) || CONTAINS(?local, {_literal(w)}), 1, 0)"
        for w in words
    )
    rows = _rows(
        store,
        f"""SELECT ?x (SAMPLE(?l) AS ?label) (MAX(?s) AS ?score) WHERE {{
            ?x rdfs:label ?l FILTER(isIRI(?x) && STRSTARTS(STR(?x), {_literal(prefix)}))
            BIND(LCASE(STRAFTER(STR(?x), {_literal(prefix)})) AS ?local)
            BIND(({score}) AS ?s) FILTER(?s > 0)
        }} GROUP BY ?x ORDER BY DESC(?score) STRLEN(STR(?label)) ?label LIMIT {int(limit)}""",
    )
    return [(_value(r["x"]), _value(r["label"])) for r in rows]


def select(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT (with the usual prefixes) and return rows of plain strings."""
    return [{k: _value(v) for k, v in row.items()} for row in _rows(store, sparql)]


def iri_ref(value: str) -> str:
    """``value`` as a SPARQL IRI reference (for callers composing queries)."""
    return _iri(value)


# --- assertions (issue 10) -------------------------------------------------------------------


@dataclass
class AssertionView:
    """One assertion: the triples of its graph and where they come from."""

    iri: str
    label: str
    stated: bool
    reason: str
    document: str
    document_label: str
    url: str
    exact: str
    prefix: str
    suffix: str
    start: str
    end: str
    #: (subject, predicate, object) of each triple of the assertion's graph, labelled.
    triples: list[tuple[Node, Node, Node]]
    #: The triples in the assertion's graph, its provenance and the labels of what it names.
    quads: list[pyoxigraph.Quad] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """``stated`` or ``curator inference``."""
        return "stated" if self.stated else "curator inference"


def is_assertion(store: GraphStore, iri: str, graphs: GraphNames) -> bool:
    """Whether ``iri`` names an assertion (an assertion graph with provenance)."""
    if not is_iri(iri) or not graphs.is_assertion(iri):
        return False
    ref = _iri(iri)
    return bool(store.query(f"ASK {{ GRAPH {_iri(graphs.provenance)} {{ {ref} ?p ?o }} }}"))


def describe_assertion(store: GraphStore, iri: str, graphs: GraphNames) -> AssertionView:
    """The triples of the assertion graph ``iri``, its kind, document and passage."""
    ref = _iri(iri)
    rows = _rows(
        store,
        f"""SELECT ?kind ?reason ?doc ?url ?exact ?prefix ?suffix ?start ?end WHERE {{
            GRAPH {_iri(graphs.provenance)} {{
                {ref} a ?kind . VALUES ?kind {{ pkg:StatedAssertion pkg:CuratorInference }}
                OPTIONAL {{ {ref} pkg:inferenceReason ?reason }}
                OPTIONAL {{ {ref} pkg:passage ?passage .
                    OPTIONAL {{ ?passage oa:hasSource ?doc OPTIONAL {{ ?doc pkg:url ?url }} }}
                    OPTIONAL {{ ?passage oa:hasSelector ?q . ?q a oa:TextQuoteSelector ;
                        oa:exact ?exact OPTIONAL {{ ?q oa:prefix ?prefix }}
                        OPTIONAL {{ ?q oa:suffix ?suffix }} }}
                    OPTIONAL {{ ?passage oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ;
                        oa:start ?start ; oa:end ?end }} }} }}
        }} LIMIT 1""",
    )
    row = rows[0] if rows else {}
    graph = pyoxigraph.NamedNode(iri)
    quads: list[pyoxigraph.Quad] = []
    for triple in _rows(
        store, f"SELECT ?s ?p ?o WHERE {{ GRAPH {ref} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
    ):
        s, p, o = triple["s"], triple["p"], triple["o"]
        assert isinstance(s, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
        assert isinstance(p, pyoxigraph.NamedNode) and o is not None
        quads.append(pyoxigraph.Quad(s, p, o, graph))
    quads.extend(_provenance_quads(store, [iri], graphs))
    named = {iri}
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, pyoxigraph.NamedNode):
                named.add(term.value)
    names = labels(store, named)
    quads.extend(_label_quads(store, named - {iri}, [graphs.ontology, graphs.asserted]))
    doc = _value(row.get("doc"))
    triples = [
        (_node(q.subject, names), _node(q.predicate, names), _node(q.object, names))  # type: ignore[arg-type]
        for q in quads
        if q.graph_name == graph
    ]
    return AssertionView(
        iri=iri,
        label=local_name(iri),
        stated=_value(row.get("kind")) == PKG_STATED,
        reason=_value(row.get("reason")),
        document=doc,
        document_label=names.get(doc) or (local_name(doc) if doc else ""),
        url=_value(row.get("url")),
        exact=_value(row.get("exact")),
        prefix=_value(row.get("prefix")),
        suffix=_value(row.get("suffix")),
        start=_value(row.get("start")),
        end=_value(row.get("end")),
        triples=triples,
        quads=quads,
    )
