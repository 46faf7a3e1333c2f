"""Our graph in Wikidata's own RDF model, and the QuickStatements a contributor could upload.

Researchers who know Wikidata query it with truthy ``wdt:`` triples and full ``p:``/``ps:``/
``pq:`` statements with ``prov:wasDerivedFrom`` references (issue 7). This module rewrites
PeaceKG's events, proposals, mandates and claims into that model so those queries run
unchanged on our endpoint, and renders the same statements as QuickStatements V1 for the ones
about entities that already have a Wikidata item.

The translation goes through one neutral list of :class:`Statement` objects; the RDF view and
the QuickStatements text are two renderings of it, so they cannot drift apart. Everything here
is pure (graphs in, graphs or text out): no network, no store.

Model reference: https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format and
https://www.wikidata.org/wiki/Help:QuickStatements. Property IDs come only from
``../shared/reference/wikidata-ids.tsv`` (``tests/wikidata`` checks every ID used here).

Deliberate departures from Wikidata, each because the needed ID is not in the reference list:

- time values carry no ``wikibase:timeCalendarModel`` (the Gregorian calendar item is not
  listed); every date we hold is Gregorian;
- quantities carry no unit item; roles, classes and sources without a QID keep our IRIs.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeAlias

import pyoxigraph
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from peacekg import __version__
from peacekg.config import Settings
from peacekg.load import ASSERTED_GRAPH, LoadedSources, TermConverter
from peacekg.namespaces import (
    OA,
    PKG,
    PQ,
    PQV,
    PR,
    PROV,
    PRV,
    PS,
    PSV,
    SCHEMA,
    WD,
    WDP,
    WDT,
    WIKIBASE,
)
from peacekg.wikidata import linked_ids
from peacekg.wikidata.constraints import reference_table

__all__ = [
    "ITEM_PROPERTIES",
    "ROLE_PROPERTIES",
    "ExportResult",
    "Reference",
    "SomeValue",
    "Statement",
    "TimeValue",
    "Upload",
    "WikidataModel",
    "clean_url",
    "date_snaks",
    "dated_snaks",
    "inferred_scope",
    "property_ids_used",
    "quickstatements_text",
    "statements",
    "upload",
    "view_graph",
    "view_scope",
    "wikidata_view",
    "write_exports",
]

# Wikidata time precisions (wikibase:timePrecision): 8 decade, 9 year, 10 month, 11 day.
DECADE, YEAR, MONTH, DAY = 8, 9, 10, 11


@dataclass(frozen=True, order=True)
class TimeValue:
    """A Wikidata time value: the first day of the unit and its precision."""

    day: date
    precision: int = DAY

    def literal(self) -> Literal:
        """As Wikidata's RDF writes it: an ``xsd:dateTime`` at midnight UTC."""
        # normalize=False keeps Wikidata's "Z" (rdflib would rewrite it as "+00:00").
        return Literal(f"{self.day.isoformat()}T00:00:00Z", datatype=XSD.dateTime, normalize=False)

    def quickstatements(self) -> str:
        """As QuickStatements V1 writes it: unused parts zeroed, ``/precision``."""
        month = f"{self.day.month:02d}" if self.precision >= MONTH else "00"
        day = f"{self.day.day:02d}" if self.precision >= DAY else "00"
        return f"+{self.day.year:04d}-{month}-{day}T00:00:00Z/{self.precision}"


@dataclass(frozen=True, order=True)
class SomeValue:
    """Wikidata's "unknown value": there is a date, the source does not say which.

    Written as a skolem IRI (``<base>.well-known/genid/…``, RDF 1.1 §3.5) in the RDF view,
    as Wikidata's own dumps do, and as ``somevalue`` in QuickStatements.
    """


#: A value of a statement, qualifier or reference: an item/IRI, a literal, a time, unknown.
Value: TypeAlias = URIRef | Literal | TimeValue | SomeValue
#: (property ID, value), Wikidata's "snak".
Snak: TypeAlias = tuple[str, Value]


@dataclass(frozen=True, order=True)
class Reference:
    """One reference block: the snaks that say where a statement comes from."""

    snaks: tuple[Snak, ...]

    def key(self) -> str:
        """A content hash, like Wikidata's ``wdref:`` IRIs: equal references share a node."""
        return _digest(repr(self.snaks))


@dataclass(frozen=True, order=True)
class Statement:
    """A Wikidata-style statement: subject, property, value, qualifiers, references."""

    subject: URIRef
    pid: str
    value: Value
    qualifiers: tuple[Snak, ...] = ()
    references: tuple[Reference, ...] = ()

    def key(self) -> str:
        """A content hash of what the statement says (not of its references)."""
        return _digest(repr((self.subject, self.pid, self.value, self.qualifiers)))


@dataclass
class WikidataModel:
    """The statements plus the labels and descriptions of their subjects."""

    statements: list[Statement] = field(default_factory=list)
    labels: dict[URIRef, set[Literal]] = field(default_factory=dict)
    descriptions: dict[URIRef, set[Literal]] = field(default_factory=dict)
    #: Our classes (after reasoning) of each subject and item value, by its IRI in the view:
    #: what the property constraints are checked against.
    types: dict[URIRef, set[URIRef]] = field(default_factory=dict)


def _digest(text: str) -> str:
    # Not for security: a stable short name for a node, as Wikidata's own hashes are.
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


#: Our property -> Wikidata property, for properties whose values map one to one.
#: Chosen from the ontology's exactMatch/closeMatch mappings where Wikidata uses the
#: property the same way on items (issue 3 lists them); IDs from wikidata-ids.tsv only.
ITEM_PROPERTIES: dict[URIRef, str] = {
    PKG.partOf: "P361",
    PKG.hasPart: "P527",
    PKG.hasProvision: "P527",
    PKG.follows: "P155",
    PKG.followedBy: "P156",
    PKG.location: "P276",
    PKG.containedInPlace: "P131",
    PKG.roundNumber: "P1545",
    PKG.participantCount: "P1132",
    PKG.hasCause: "P828",
    PKG.hasEffect: "P1542",
    PKG.endReason: "P1534",
    PKG.memberOf: "P463",
    PKG.signatory: "P1891",
    PKG.participant: "P710",
    PKG.participatesIn: "P1344",
    PKG.addressesIssue: "P921",
    PKG.about: "P921",
    PKG.proposedBy: "P50",
    PKG.issuedBy: "P4884",
    PKG.title: "P1476",
    PKG.author: "P50",
    PKG.publisher: "P123",
    PKG.publicationDate: "P577",
    PKG.url: "P953",
}

#: Role properties -> the role class given as "object of statement has role" (P3831) on a
#: participant (P710) statement. Wikidata defines P3831 for the role of the statement's
#: value (the participant) and P2868 for the role of the item the statement is on, so the
#: mediator of a round is ``round p:P710 [ps:P710 Turkey; pq:P3831 pkg:Mediator]``.
#: ``pkg:guarantor`` is not here: a proposal's guarantors are prospective (a draft that "would
#: have" listed them), so they are no participants (P710) of anything.
ROLE_PROPERTIES: dict[URIRef, URIRef] = {
    PKG.party: PKG.Party,
    PKG.mediator: PKG.Mediator,
    PKG.host: PKG.Host,
    PKG.facilitator: PKG.Facilitator,
    PKG.observer: PKG.Observer,
}

#: Mandate kinds that Wikidata states on the office-holding item, and with which property.
MANDATE_PROPERTIES: dict[URIRef, str] = {
    PKG["mandate-head-of-state"]: "P35",
    PKG["mandate-head-of-government"]: "P6",
}

_P31 = "P31"
_WIKIDATA_ONLY = (str(WD), str(WDT), str(WDP))


Triple: TypeAlias = tuple[Node, Node, Node]


#: What the view asks of asserted and inferred triples together (:attr:`_Source.union`).
_UNION_PREDICATES = (RDF.type, PKG.disputes, PKG.supports, PKG.statedIn)


class _Source:
    """Reads the asserted and inferred graphs and resolves linked IRIs to ``wd:`` items.

    References come from the assertions (issue 10): a statement cites the documents of the
    assertions whose graphs hold the triples it is made of, with their passages as
    quotations, and nothing else. A statement that only reasoning supports has none.
    """

    def __init__(self, sources: LoadedSources, inferred: Graph) -> None:
        self.asserted = sources.asserted
        self.documents = sources.provenance
        # Asserted and inferred, for the predicates asked of both (no more: every add costs).
        self.union = Graph(store="SimpleMemory")  # no contexts: adds, lookups 2-3x faster
        for graph in (self.asserted, inferred):
            for prop in _UNION_PREDICATES:
                for triple in graph.triples((None, prop, None)):
                    self.union.add(triple)
        # The curated links, read from each graph in the order the curated union adds them.
        links: dict[str, str] = {}
        for graph in (sources.asserted, sources.provenance, sources.alignment):
            links.update(linked_ids(graph))
        self.links = {URIRef(iri): WD[qid] for iri, qid in links.items()}
        self.class_items = {
            URIRef(cls): WD[qid]
            for cls, qid in linked_ids(sources.ontology).items()
            if qid.startswith("Q")
        }
        self.ontology = sources.ontology
        self.stating: dict[Triple, set[str]] = {}
        for name, graph in sources.assertions.items():
            for triple in graph:
                self.stating.setdefault(triple, set()).add(name)
        self.passages = _passages(sources.provenance)
        self._citations: dict[URIRef, tuple[tuple[Snak, ...], str | None]] = {}

    def item(self, node: URIRef | Literal) -> URIRef | Literal:
        """The Wikidata item for ``node`` when linked, else ``node`` itself."""
        if isinstance(node, URIRef):
            return self.links.get(node, node)
        return node

    def subject(self, node: URIRef) -> URIRef:
        """The Wikidata item for an entity when linked, else the entity's own IRI."""
        return self.links.get(node, node)

    def is_a(self, node: Node, cls: URIRef) -> bool:
        """Whether ``node`` is typed ``cls`` after reasoning."""
        return (node, RDF.type, cls) in self.union

    def dates(self, node: Node) -> tuple[date, date] | None:
        """The node's earliest and latest date, when it has both as ``xsd:date``."""
        earliest = self.asserted.value(node, PKG.earliestDate)
        latest = self.asserted.value(node, PKG.latestDate)
        if not (isinstance(earliest, Literal) and isinstance(latest, Literal)):
            return None
        start, end = earliest.toPython(), latest.toPython()
        if isinstance(start, date) and isinstance(end, date):
            return start, end
        return None

    def references(self, triples: Iterable[Triple]) -> tuple[Reference, ...]:
        """One reference per document whose assertions state any of ``triples``.

        Each carries the document's citation (stated in, URL, title, author, dates) and the
        passages of those assertions as quotations (P1683).
        """
        quotes: dict[URIRef, set[str]] = {}
        for triple in triples:
            for assertion in self.stating.get(triple, ()):
                document, exact = self.passages.get(assertion, (None, None))
                if document is not None and exact is not None:
                    quotes.setdefault(document, set()).add(exact)
        refs = []
        for document in sorted(quotes):
            citation, language = self.citation(document)
            quoted = tuple(
                ("P1683", _monolingual(Literal(q), language)) for q in sorted(quotes[document])
            )
            refs.append(Reference(citation + quoted))
        return tuple(refs)

    def citation(self, document: URIRef) -> tuple[tuple[Snak, ...], str | None]:
        """A document's citation snaks (stated in, URL, title, author, dates) and language,
        worked out once per document: thousands of statements cite the same one."""
        known = self._citations.get(document)
        if known is not None:
            return known
        language = self.language(document)
        snaks: list[Snak] = [("P248", self.subject(document))]
        for url in self.documents.objects(document, PKG.url):
            snaks.append(("P854", URIRef(clean_url(str(url)))))
        for title in self.documents.objects(document, PKG.title):
            snaks.append(("P1476", _monolingual(title, language)))
        # The document's author: for a relayed claim that is usually the relay (the post
        # by Glenn Diesen relaying Victoria Nuland); Wikidata has no "relayed by".
        for author in _terms(self.documents.objects(document, PKG.author)):
            snaks.append(("P50", self.item(author)))
        for published in self.documents.objects(document, PKG.publicationDate):
            snaks.extend(_day_snak("P577", published))
        for retrieved in self.documents.objects(document, PKG.retrievalDate):
            snaks.extend(_day_snak("P813", retrieved))
        known = self._citations[document] = (tuple(snaks), language)
        return known

    def node_triples(self, node: Node, *props: URIRef) -> list[Triple]:
        """The asserted triples of ``node`` with one of ``props``."""
        return [(node, p, o) for p in props for o in self.asserted.objects(node, p)]

    def language(self, document: Node) -> str | None:
        """The BCP 47 tag of a document (pkg:language), for monolingual text values."""
        language = self.documents.value(document, PKG.language)
        return None if language is None else str(language)


def _passages(provenance: Graph) -> dict[str, tuple[URIRef, str]]:
    """Assertion IRI -> (document, exact words of its passage's quote selector).

    Walked in the graph rather than asked in SPARQL: rdflib's SPARQL engine alone takes
    longer to import than this takes on the real graph (issue 17).
    """
    found: dict[str, tuple[URIRef, str]] = {}
    for assertion, passage in provenance.subject_objects(PKG.passage):
        for document in provenance.objects(passage, OA.hasSource):
            if not isinstance(document, URIRef):
                continue
            for selector in provenance.objects(passage, OA.hasSelector):
                if (selector, RDF.type, OA.TextQuoteSelector) not in provenance:
                    continue
                for exact in provenance.objects(selector, OA.exact):
                    found[str(assertion)] = (document, str(exact))
    return found


def _terms(nodes: Iterable[Node]) -> list[URIRef | Literal]:
    """IRIs and literals among ``nodes`` in a stable order (blank nodes cannot be pointed to)."""
    kept = [n for n in nodes if isinstance(n, URIRef | Literal)]
    return sorted(kept, key=lambda n: (isinstance(n, Literal), str(n), repr(n)))


def _quote_nodes(graph: Graph, node: Node) -> list[Node]:
    """The quote selectors of ``node`` (blank nodes), ordered by their exact text."""
    return sorted(graph.objects(node, PKG.quote), key=lambda q: str(graph.value(q, OA.exact)))


def _monolingual(text: Node, language: str | None) -> Literal:
    """Wikidata's monolingual text: the literal with the document's language tag."""
    assert isinstance(text, Literal)
    if text.language or not language:
        return text
    return Literal(str(text), lang=language)


def _day_snak(pid: str, value: Node) -> list[Snak]:
    python = value.toPython() if isinstance(value, Literal) else None
    return [(pid, TimeValue(python, DAY))] if isinstance(python, date) else []


def date_snaks(earliest: date, latest: date) -> list[tuple[str, TimeValue, tuple[Snak, ...]]]:
    """Wikidata's way of saying "between ``earliest`` and ``latest``".

    One day is a point in time (P585) at day precision. A span of known days is start time
    (P580) and end time (P582). A span we only know roughly ("late March 2022", "mid-2023")
    is a point in time at the finest precision that contains it, with earliest date (P1319)
    and latest date (P1326) qualifiers when the span is narrower than that unit, as
    Wikidata's help on dates recommends for uncertain dates.
    """
    if earliest == latest:
        return [("P585", TimeValue(earliest, DAY), ())]
    units = [
        (MONTH, date(earliest.year, earliest.month, 1), _month_end(earliest)),
        (YEAR, date(earliest.year, 1, 1), date(earliest.year, 12, 31)),
        (DECADE, date(earliest.year - earliest.year % 10, 1, 1), None),
    ]
    for precision, start, end in units:
        decade_end = date(start.year + 9, 12, 31)
        unit_end = end or decade_end
        if start <= earliest and latest <= unit_end:
            bounds: tuple[Snak, ...] = ()
            if (earliest, latest) != (start, unit_end):
                bounds = (("P1319", TimeValue(earliest, DAY)), ("P1326", TimeValue(latest, DAY)))
            return [("P585", TimeValue(start, precision), bounds)]
    return [("P580", TimeValue(earliest, DAY), ()), ("P582", TimeValue(latest, DAY), ())]


#: Our stated precisions that Wikidata has too; week and part of a month or year it has not.
_STATED_PRECISION: dict[Node | None, int] = {
    PKG["precision-day"]: DAY,
    PKG["precision-month"]: MONTH,
    PKG["precision-year"]: YEAR,
}


def _unit_start(day: date, precision: int) -> date:
    """The first day of the day, month or year that contains ``day``."""
    if precision >= DAY:
        return day
    return date(day.year, day.month, 1) if precision == MONTH else date(day.year, 1, 1)


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


_DATE_PROPERTIES = (PKG.dateAsStated, PKG.earliestDate, PKG.latestDate, PKG.datePrecision)


def _span_statements(source: _Source, subject: URIRef, node: Node) -> Iterator[Statement]:
    """Date statements of an event or proposal, see :func:`dated_snaks`; their references
    are the assertions of the date as stated and of its bounds."""
    span = source.dates(node)
    if span is None:
        return
    refs = source.references(source.node_triples(node, *_DATE_PROPERTIES))
    precision = source.asserted.value(node, PKG.datePrecision)
    ongoing = (node, PKG.outcome, PKG["outcome-ongoing"]) in source.asserted
    for pid, value, qualifiers in dated_snaks(*span, precision, ongoing=ongoing):
        yield Statement(subject, pid, value, qualifiers, refs)


def dated_snaks(
    earliest: date, latest: date, precision: Node | None, *, ongoing: bool = False
) -> list[tuple[str, Value, tuple[Snak, ...]]]:
    """Wikidata date statements for our bounds and stated precision (``pkg:precision-…``).

    - Several whole days, months or years as stated ("February–May 2022") and spans
      ("2014–present", ``precision-range``): start time (P580) and end time (P582) at that
      precision; an ongoing event (``pkg:outcome-ongoing``) has no end time, because our
      latest date is then only the day the source was retrieved.
    - Dates known only relative to another event, or not stated: point in time (P585) with
      unknown value, bounded by earliest (P1319) and latest date (P1326).
    - Everything else: :func:`date_snaks` (a point in time at the finest fitting precision).
    """
    bounds: tuple[Snak, ...] = (
        ("P1319", TimeValue(earliest, DAY)),
        ("P1326", TimeValue(latest, DAY)),
    )
    if precision in _UNKNOWN_WITHIN_BOUNDS:
        return [("P585", SomeValue(), bounds)]
    stated = _STATED_PRECISION.get(precision)
    if precision == PKG["precision-range"]:
        start = _guess_precision(earliest, start=True)
        end = _guess_precision(latest, start=False)
    elif stated is not None and _unit_start(earliest, stated) != _unit_start(latest, stated):
        start = end = stated
    else:
        return [(pid, value, quals) for pid, value, quals in date_snaks(earliest, latest)]
    snaks: list[tuple[str, Value, tuple[Snak, ...]]] = [
        ("P580", TimeValue(_unit_start(earliest, start), start), ())
    ]
    if not ongoing:
        snaks.append(("P582", TimeValue(_unit_start(latest, end), end), ()))
    return snaks


_UNKNOWN_WITHIN_BOUNDS = {PKG["precision-relative"], PKG["precision-not-stated"]}


def _guess_precision(day: date, *, start: bool) -> int:
    """The precision an end of a span was most likely stated at, from its bound.

    A span's bounds are "the start of its first unit, the end of its last" (the ontology's
    definition of ``precision-range``), so 1 January starts a year, the 1st a month.
    """
    if start:
        return YEAR if (day.month, day.day) == (1, 1) else MONTH if day.day == 1 else DAY
    if (day.month, day.day) == (12, 31):
        return YEAR
    return MONTH if day == _month_end(day) else DAY


def _value(source: _Source, prop: URIRef, obj: Node) -> Value | None:
    """The Wikidata value of one of our property values, or None when it has no place."""
    if isinstance(obj, URIRef):
        if prop == PKG.url:
            return URIRef(str(obj))
        return source.subject(obj)
    if not isinstance(obj, Literal):
        return None  # blank nodes have no identity to point to
    python = obj.toPython()
    if prop == PKG.url:
        return URIRef(str(obj))
    if isinstance(python, date):
        return TimeValue(python, DAY)
    if prop == PKG.participantCount:
        return Literal(str(obj), datatype=XSD.decimal)
    if prop == PKG.roundNumber:
        return Literal(str(obj))  # series ordinal (P1545) is a string property
    return obj


def _claim_statements(source: _Source, claim: URIRef) -> Iterator[Statement]:
    """A claim as an entity: its claimant (P50), subjects (P921) and quotation (P1683).

    The quotation statement carries the claim's stance links: "statement disputed by"
    (P1310) and "statement supported by" (P3680) point to the other claims (which keep our
    IRIs and lead to their own claimant, quote and source), "nature of statement" (P5102)
    to the hedging concept.
    """
    hedges: tuple[Snak, ...] = tuple(
        ("P5102", h) for h in _terms(source.asserted.objects(claim, PKG.hedging))
    )
    for claimant in _terms(source.asserted.objects(claim, PKG.claimant)):
        refs = source.references([(claim, PKG.claimant, claimant)])
        yield Statement(claim, "P50", source.item(claimant), hedges, refs)
    for subject in _terms(source.asserted.objects(claim, PKG.claimSubject)):
        refs = source.references([(claim, PKG.claimSubject, subject)])
        yield Statement(claim, "P921", source.item(subject), (), refs)
    disputed_by = _terms(source.union.objects(claim, PKG.disputes))
    supported_by = _terms(source.union.subjects(PKG.supports, claim))
    qualifiers: tuple[Snak, ...] = (
        *(("P1310", source.item(c)) for c in disputed_by),
        *(("P3680", source.item(c)) for c in supported_by),
        *hedges,
    )
    language = None
    for document in source.union.objects(claim, PKG.statedIn):
        language = source.language(document) or language
    for quote in _quote_nodes(source.asserted, claim):
        refs = source.references([(claim, PKG.quote, quote)])
        for exact in source.asserted.objects(quote, OA.exact):
            value = _monolingual(exact, language)
            yield Statement(claim, "P1683", value, qualifiers, refs)


def _mandate_statements(source: _Source, mandate: URIRef) -> Iterator[Statement]:
    """A head-of-state/government mandate as P35/P6 on the state, dated when the data is."""
    kind = source.asserted.value(mandate, PKG.mandateKind)
    pid = MANDATE_PROPERTIES.get(kind) if isinstance(kind, URIRef) else None
    office = source.asserted.value(mandate, PKG.mandateOf)
    if pid is None or not isinstance(office, URIRef):
        return
    qualifiers: tuple[Snak, ...] = ()
    span = source.dates(mandate)
    if span is not None:
        earliest, latest = span
        qualifiers = (
            (("P585", TimeValue(earliest, DAY)),)
            if earliest == latest
            else (("P580", TimeValue(earliest, DAY)), ("P582", TimeValue(latest, DAY)))
        )
    # The statement is made of the holder, the office and the kind (and its dates): each of
    # their assertions supports it.
    parts = source.node_triples(mandate, PKG.mandateOf, PKG.mandateKind, *_DATE_PROPERTIES)
    for holder in _terms(source.asserted.objects(mandate, PKG.holder)):
        refs = source.references([(mandate, PKG.holder, holder), *parts])
        yield Statement(source.subject(office), pid, source.item(holder), qualifiers, refs)


def statements(sources: LoadedSources, inferred: Graph) -> WikidataModel:
    """Every Wikidata-style statement our asserted data (with its closure) supports.

    Args:
        sources: the assertions (their union is the asserted data), their provenance (the
            documents a reference cites), the Wikidata alignment and the ontology (for the
            classes' own Wikidata mappings, ``pkg:Person`` = ``wd:Q5``).
        inferred: what reasoning added (types, symmetric ``disputes``).
    """
    source = _Source(sources, inferred)
    asserted = sources.asserted
    model = WikidataModel()
    found: set[Statement] = set()
    for node in _terms(set(asserted.subjects(RDF.type, None))):
        if not isinstance(node, URIRef) or str(node).startswith(_WIKIDATA_ONLY):
            continue
        if not any(str(cls).startswith(str(PKG)) for cls in asserted.objects(node, RDF.type)):
            continue  # only what our ontology models; other vocabularies have no mapping
        if source.is_a(node, PKG.Mandate):
            found.update(_mandate_statements(source, node))
            continue
        subject = source.subject(node)
        for cls in _terms(asserted.objects(node, RDF.type)):
            if isinstance(cls, URIRef) and cls != OWL.NamedIndividual:
                refs = source.references([(node, RDF.type, cls)])
                found.add(Statement(subject, _P31, source.class_items.get(cls, cls), (), refs))
        for prop, obj in asserted.predicate_objects(node):
            if not isinstance(prop, URIRef):
                continue
            refs = source.references([(node, prop, obj)])
            if prop in ROLE_PROPERTIES:
                role = (("P3831", ROLE_PROPERTIES[prop]),)
                if isinstance(obj, URIRef):
                    found.add(Statement(subject, "P710", source.subject(obj), role, refs))
            elif prop in ITEM_PROPERTIES:
                value = _value(source, prop, obj)
                if prop == PKG.title and isinstance(value, Literal):
                    value = _monolingual(value, source.language(node))
                if value is not None:
                    found.add(Statement(subject, ITEM_PROPERTIES[prop], value, (), refs))
        if source.is_a(node, PKG.Event) or source.is_a(node, PKG.Proposal):
            found.update(_span_statements(source, subject, node))
        if source.is_a(node, PKG.Claim):
            found.update(_claim_statements(source, node))
            for text in asserted.objects(node, PKG.statement):
                if isinstance(text, Literal):
                    model.descriptions.setdefault(subject, set()).add(text)
        for label in asserted.objects(node, RDFS.label):
            if isinstance(label, Literal):
                model.labels.setdefault(subject, set()).add(label)
    found.update(_class_statements(source))
    for entity in _terms(set(source.union.subjects(RDF.type, None))):
        if isinstance(entity, URIRef):
            classes = {
                c
                for c in source.union.objects(entity, RDF.type)
                if isinstance(c, URIRef) and _is_ours(c)
            }
            if classes:
                model.types.setdefault(source.subject(entity), set()).update(classes)
    model.statements = sorted(found, key=lambda s: (str(s.subject), _pid_order(s.pid), s.key()))
    return model


def _is_ours(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(PKG))


def _class_statements(source: _Source) -> Iterator[Statement]:
    """``wdt:P279`` for our classes, so ``wdt:P31/wdt:P279*`` reaches Wikidata's classes.

    Each of our classes is a subclass of its named superclasses in the ontology and of the
    Wikidata classes it is mapped to by ``skos:exactMatch`` or ``skos:closeMatch`` (never
    ``relatedMatch``); a class with an exact match is written as that item, as in ``P31``.
    The ontology is the only source, so the statements carry no reference and are not
    offered for upload.
    """
    for cls in _terms(set(source.ontology.subjects(RDF.type, OWL.Class))):
        if not _is_ours(cls):
            continue
        assert isinstance(cls, URIRef)
        node = source.class_items.get(cls, cls)
        supers = [
            source.class_items.get(s, s)
            for s in _terms(source.ontology.objects(cls, RDFS.subClassOf))
            if _is_ours(s) and isinstance(s, URIRef)
        ]
        for prop in (SKOS.exactMatch, SKOS.closeMatch):
            for target in _terms(source.ontology.objects(cls, prop)):
                if isinstance(target, URIRef) and _qid(target) is not None:
                    supers.append(target)
        for parent in supers:
            if parent != node:
                yield Statement(node, "P279", parent)


def _pid_order(pid: str) -> int:
    return int(pid[1:])


def property_ids_used(model: WikidataModel) -> set[str]:
    """Every property ID in the statements, qualifiers and references (for the ID check)."""
    used: set[str] = set()
    for statement in model.statements:
        used.add(statement.pid)
        used.update(pid for pid, _ in statement.qualifiers)
        for reference in statement.references:
            used.update(pid for pid, _ in reference.snaks)
    return used


def _term(value: Value, base: str, owner: str) -> Node:
    """The simple value of a snak (what ``wdt:``/``ps:``/``pq:``/``pr:`` point to).

    An unknown value is a skolem IRI named after the statement it belongs to (``owner``),
    so the truthy triple and the full statement share it, as in Wikidata's dumps.
    """
    if isinstance(value, TimeValue):
        return value.literal()
    if isinstance(value, SomeValue):
        return URIRef(f"{base}.well-known/genid/{_digest(owner)}")
    return value


def _time_node(value: TimeValue, graph: Graph, base: str, made: dict[object, URIRef]) -> URIRef:
    """A ``wikibase:TimeValue`` node carrying the precision, as ``psv:``/``pqv:``/``prv:``
    (described once: ``made`` holds the value nodes the graph has)."""
    node = made.get(value)
    if node is not None:
        return node
    node = made[value] = URIRef(f"{base}wikidata/value/{_digest(repr(value))}")
    graph.add((node, RDF.type, WIKIBASE.TimeValue))
    graph.add((node, WIKIBASE.timeValue, value.literal()))
    graph.add((node, WIKIBASE.timePrecision, Literal(value.precision, datatype=XSD.integer)))
    graph.add((node, WIKIBASE.timeTimezone, Literal(0, datatype=XSD.integer)))
    return node


def _add_snak(
    graph: Graph,
    node: URIRef,
    snak: Snak,
    simple: dict[str, URIRef],
    full: dict[str, URIRef],
    base: str,
    made: dict[object, URIRef],
) -> None:
    pid, value = snak
    graph.add((node, simple[pid], _term(value, base, f"{node} {pid}")))
    if isinstance(value, TimeValue):
        graph.add((node, full[pid], _time_node(value, graph, base, made)))


def view_graph(model: WikidataModel, base_iri: str, *, with_labels: bool = True) -> Graph:
    """Render statements in Wikidata's RDF model.

    Truthy ``wdt:`` triples for every statement (all have normal rank, so all are best
    rank), full ``p:``/``ps:``/``psv:`` statement nodes with ``pq:``/``pqv:`` qualifiers and
    ``prov:wasDerivedFrom`` references (``pr:``/``prv:``). Statement, reference and value
    nodes are minted under ``<base>wikidata/`` from content hashes, so a rebuild of the same
    data yields the same IRIs. Every ``wd:`` item is labelled (our label of the linked
    entity, else the reference table's); ``with_labels=False`` leaves out the labels of our
    own IRIs: the served view must not repeat triples of the asserted graph (the union
    default graph would return them twice).
    """
    graph = Graph(store="SimpleMemory")  # no contexts needed: adds and lookups 2-3x faster
    for prefix, namespace in (
        ("wd", WD),
        ("wdt", WDT),
        ("p", WDP),
        ("ps", PS),
        ("psv", PSV),
        ("pq", PQ),
        ("pqv", PQV),
        ("pr", PR),
        ("prv", PRV),
        ("wikibase", WIKIBASE),
        ("prov", PROV),
        ("schema", SCHEMA),
        ("pkg", PKG),
    ):
        graph.bind(prefix, namespace, replace=True)
    graph.bind("pkgr", base_iri + "id/")
    # Value and reference nodes already described: many statements share a date or a
    # reference (every statement from one passage), each described once.
    made: dict[object, URIRef] = {}
    for statement in model.statements:
        pid = statement.pid
        node = URIRef(f"{base_iri}wikidata/statement/{statement.key()}")
        graph.add((statement.subject, WDT[pid], _term(statement.value, base_iri, f"{node} {pid}")))
        graph.add((statement.subject, WDP[pid], node))
        graph.add((node, RDF.type, WIKIBASE.Statement))
        graph.add((node, RDF.type, WIKIBASE.BestRank))
        graph.add((node, WIKIBASE.rank, WIKIBASE.NormalRank))
        _add_snak(graph, node, (pid, statement.value), _PS, _PSV, base_iri, made)
        for qualifier in statement.qualifiers:
            _add_snak(graph, node, qualifier, _PQ, _PQV, base_iri, made)
        for reference in statement.references:
            ref = made.get(reference)
            if ref is None:
                ref = made[reference] = URIRef(f"{base_iri}wikidata/reference/{reference.key()}")
                graph.add((ref, RDF.type, WIKIBASE.Reference))
                for snak in reference.snaks:
                    _add_snak(graph, ref, snak, _PR, _PRV, base_iri, made)
            graph.add((node, PROV.wasDerivedFrom, ref))
    for subject, labels in model.labels.items():
        if with_labels or _qid(subject) is not None:
            for label in labels:
                graph.add((subject, RDFS.label, label))
    for subject, descriptions in model.descriptions.items():
        for description in descriptions:
            graph.add((subject, SCHEMA.description, description))
    _label_items(graph)
    return graph


def _label_items(graph: Graph) -> None:
    """Label every ``wd:`` item of the view that our data does not label.

    A linked entity's item carries our own ``rdfs:label`` (above); the class items (``wd:Q5``
    for ``pkg:Person``, ``wd:Q202875`` that ``pkg:NegotiationEvent`` is close to) get their
    English label from the reference table (:mod:`peacekg.wikidata.constraints`).
    """
    table = reference_table().labels
    items = {n for t in graph for n in (t[0], t[2]) if isinstance(n, URIRef) and _qid(n)}
    for item in sorted(items):
        qid = _qid(item)
        if qid is not None and qid in table and (item, RDFS.label, None) not in graph:
            graph.add((item, RDFS.label, Literal(table[qid], lang="en")))


class _Prefixed(dict[str, URIRef]):
    """``pid -> namespace + pid``, made once per ``pid``."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace

    def __missing__(self, pid: str) -> URIRef:
        iri = self[pid] = URIRef(self.namespace + pid)
        return iri


_PS, _PSV, _PQ, _PQV = (
    _Prefixed(str(PS)),
    _Prefixed(str(PSV)),
    _Prefixed(str(PQ)),
    _Prefixed(str(PQV)),
)
_PR, _PRV = _Prefixed(str(PR)), _Prefixed(str(PRV))


def wikidata_view(
    sources: LoadedSources, inferred: Graph, base_iri: str, *, with_labels: bool = True
) -> Graph:
    """Our graph in Wikidata's RDF model (see :func:`statements` and :func:`view_graph`)."""
    return view_graph(statements(sources, inferred), base_iri, with_labels=with_labels)


# ---------------------------------------------------------------------------------------------
# QuickStatements V1
# ---------------------------------------------------------------------------------------------

#: A reference can be checked by a Wikidata editor only if it names a source item or a URL
#: (as QuickStatements reference cells); a statement with no such reference is not uploaded.
_CITABLE = {"S248", "S854"}


def _qid(value: Value) -> str | None:
    if isinstance(value, URIRef) and str(value).startswith(str(WD)):
        local = str(value)[len(str(WD)) :]
        return local if local[:1] == "Q" and local[1:].isdigit() else None
    return None


#: Properties whose values are URLs; any other IRI value must be a Wikidata item.
_URL_PROPERTIES = {"P854", "P953", "P973"}


def _qs_value(pid: str, value: Value) -> str | None:
    """A value in QuickStatements V1 syntax, or None when it cannot be written there."""
    if isinstance(value, TimeValue):
        return value.quickstatements()
    if isinstance(value, SomeValue):
        return "somevalue"
    if isinstance(value, URIRef):
        if pid in _URL_PROPERTIES:
            return _qs_string(clean_url(str(value)))
        return _qid(value)  # our own IRIs (roles, sources without an item) cannot be uploaded
    text = str(value)
    if value.datatype == XSD.decimal:
        return text
    quoted = _qs_string(text)
    if quoted is None:
        return None
    return f"{value.language}:{quoted}" if value.language else quoted


def _qs_string(text: str) -> str | None:
    # QuickStatements V1 has no escape for a double quote, tab or line break inside a string;
    # a quote is verbatim evidence, so it is left out rather than altered.
    if any(ch in text for ch in '"\t\n\r'):
        return None
    return f'"{text}"'


def _qs_snaks(snaks: Iterable[Snak], prefix: str) -> list[str] | None:
    cells: list[str] = []
    for pid, value in snaks:
        written = _qs_value(pid, value)
        if written is None:
            continue
        cells += [f"{prefix}{pid[1:]}" if prefix == "S" else pid, written]
    return cells


@dataclass(frozen=True)
class Upload:
    """The QuickStatements lines, the statements they carry, and what was left out and why."""

    #: Each statement offered for upload with its lines (one per citable reference).
    entries: list[tuple[Statement, list[str]]]
    left_out: list[tuple[Statement, str]]

    @property
    def statements(self) -> list[Statement]:
        """The statements offered for upload."""
        return [statement for statement, _ in self.entries]

    def text(self) -> str:
        """The file: sorted lines, tab-separated, newline-terminated."""
        lines = {line for _, written in self.entries for line in written}
        return "".join(line + "\n" for line in sorted(lines))

    def only(self, keep: Iterable[Statement]) -> Upload:
        """The upload of the statements in ``keep`` only (the others are simply dropped)."""
        wanted = set(keep)
        return Upload([e for e in self.entries if e[0] in wanted], self.left_out)


def _citable(cells: list[str]) -> bool:
    # An editor checks a reference by its URL or by the item of the work it was stated in;
    # a title and a retrieved date alone point nowhere.
    return bool({cells[i] for i in range(0, len(cells), 2)} & _CITABLE)


def _constraint_problems(model: WikidataModel, statement: Statement, qualifiers: set[str]) -> str:
    constraint = reference_table().constraints.get(statement.pid)
    if constraint is None:
        return f"{statement.pid} has no entry in the constraint table"
    value = statement.value
    value_types = (
        model.types.get(value, set()) if isinstance(value, URIRef) and _qid(value) else None
    )
    problems = constraint.violations(
        model.types.get(statement.subject, set()), value_types, qualifiers
    )
    return "; ".join(problems)


def upload(model: WikidataModel) -> Upload:
    """What QuickStatements may upload: item statements, constraint-clean, with a citation.

    A statement qualifies when its subject and (for items) its value are Wikidata items, it
    meets its property's constraints (:mod:`peacekg.wikidata.constraints`: subject and
    value types, single value, allowed qualifiers) and at least one of its references can
    be checked: a reference URL (S854, tracking parameters removed) or a source item
    (S248). Each reference also gives what we know of the document: title (S1476), author,
    publication date (S577), retrieval date (S813) and the quoted words (S1683).
    Qualifiers whose value has no QID are dropped (a role such as ``pkg:Mediator`` cannot
    be uploaded); a statement with several references becomes one line per reference,
    which QuickStatements merges into one statement with several references.
    """
    entries: list[tuple[Statement, list[str]]] = []
    left_out: list[tuple[Statement, str]] = []
    candidates: list[tuple[Statement, list[str], list[list[str]]]] = []
    for statement in model.statements:
        subject = _qid(statement.subject)
        if subject is None or statement.pid in {_P31, "P279"}:
            continue
        value = _qs_value(statement.pid, statement.value)
        if value is None:
            left_out.append((statement, "the value has no QID"))
            continue
        qualifiers = _qs_snaks(statement.qualifiers, "P") or []
        problem = _constraint_problems(model, statement, set(qualifiers[::2]))
        if problem:
            left_out.append((statement, f"constraint: {problem}"))
            continue
        references = [_qs_snaks(r.snaks, "S") or [] for r in statement.references]
        references = [cells for cells in references if _citable(cells)]
        if not references:
            left_out.append((statement, "no citable reference (no reference URL or source item)"))
            continue
        candidates.append((statement, [subject, statement.pid, value, *qualifiers], references))
    values: dict[tuple[URIRef, str], set[Value]] = {}
    for statement, _, _ in candidates:
        values.setdefault((statement.subject, statement.pid), set()).add(statement.value)
    table = reference_table().constraints
    for statement, head, references in candidates:
        single = table[statement.pid].single_value
        if single and len(values[(statement.subject, statement.pid)]) > 1:
            left_out.append((statement, f"constraint: {statement.pid} takes a single value"))
            continue
        entries.append((statement, ["\t".join(head + cells) for cells in references]))
    return Upload(entries, left_out)


def quickstatements_text(model: WikidataModel) -> tuple[str, list[Statement]]:
    """The QuickStatements file of :func:`upload`, and the statements it left out."""
    result = upload(model)
    return result.text(), [statement for statement, _ in result.left_out]


_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|igshid|ref_src|ref_url)$")
#: Hosts whose share links add tracking parameters that carry no meaning (X's ``s`` and ``t``).
_SHARE_PARAMETERS = {"x.com": {"s", "t"}, "twitter.com": {"s", "t"}}


def clean_url(url: str) -> str:
    """``url`` without tracking parameters (``utm_*``, ``fbclid``, X's ``?s=&t=``)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    dropped = _SHARE_PARAMETERS.get(host, set())
    kept = [
        (name, value)
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if name not in dropped and not _TRACKING.match(name)
    ]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """The files written and how many item statements the QuickStatements left out."""

    paths: list[Path]
    left_out: int = 0
    #: Each statement about an item the QuickStatements left out, and why.
    reasons: list[tuple[Statement, str]] = field(default_factory=list)


def write_exports(
    sources: LoadedSources,
    inferred: Graph,
    settings: Settings,
    *,
    view: bool = True,
    quickstatements: bool = True,
) -> ExportResult:
    """Write the Wikidata-shaped view (Turtle) and/or the QuickStatements under the dumps dir.

    The view file carries labels and descriptions too, so it stands alone; the graph the
    build serves leaves them to the asserted graph.
    """
    model = statements(sources, inferred)
    out = settings.dumps_dir
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    left_out = 0
    if view:
        path = out / f"peacekg-{__version__}-wikidata.ttl"
        view_graph(model, settings.base_iri).serialize(destination=path, format="turtle")
        paths.append(path)
    reasons: list[tuple[Statement, str]] = []
    if quickstatements:
        result = upload(model)
        path = out / f"peacekg-{__version__}-quickstatements.txt"
        path.write_text(result.text(), encoding="utf-8")
        paths.append(path)
        left_out, reasons = len(result.left_out), result.left_out
    return ExportResult(paths, left_out, reasons)


# ---------------------------------------------------------------------------------------------
# What the build hands the view
# ---------------------------------------------------------------------------------------------

#: What the view reads of the inferred graph (through its union with the asserted one):
#: typings by our classes, stances, the document a claim is stated in.
INFERRED_PREDICATES = (RDF.type, PKG.disputes, PKG.supports, PKG.statedIn)

_SCOPE = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?g ?s ?p ?o WHERE {
    {
        { SELECT DISTINCT ?s WHERE {
            GRAPH %(asserted)s { ?s a ?c } FILTER(STRSTARTS(STR(?c), STR(pkg:)))
        } }
        GRAPH ?g { ?s ?p ?o }
    } UNION {
        { SELECT DISTINCT ?s WHERE {
            GRAPH %(asserted)s { ?x a ?c . ?x ?q ?s }
            FILTER(STRSTARTS(STR(?c), STR(pkg:)) && isBlank(?s))
        } }
        GRAPH ?g { ?s ?p ?o }
    } UNION {
        VALUES ?p { pkg:supports pkg:disputes pkg:statedIn skos:exactMatch }
        GRAPH ?g { ?s ?p ?o }
    }
}
"""


def view_scope(sources: LoadedSources) -> LoadedSources:
    """The part of ``sources`` the view reads: each assertion's triples about the entities
    our classes type (and their blank nodes: a claim's quotes), its stances, statedIn and
    Wikidata links; the ontology, provenance and alignment whole. The view of the scope is
    the view of the whole (only those triples are ever looked up), and on a graph of
    another vocabulary (LUBM) the scope is nearly empty, so few rdflib terms are built.
    """
    dataset = sources.asserted_graph()
    result = dataset.query(_SCOPE % {"asserted": ASSERTED_GRAPH})
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = set(sources.assertion_names)
    convert = TermConverter()
    assertions: dict[str, Graph] = {}
    for graph, s, p, o in result:
        assert graph is not None
        if graph.value in names:
            target = assertions.setdefault(graph.value, Graph(store="SimpleMemory"))
            target.add((convert(s), convert(p), convert(o)))
    return LoadedSources(
        ontology=sources.ontology,
        shapes=Graph(),
        assertions={
            name: assertions[name] for name in sources.assertion_names if name in assertions
        },
        provenance=sources.provenance,
        alignment=sources.alignment,
        files=sources.files,
    )


def inferred_scope(triples: Iterable[tuple[object, object, object]]) -> Graph:
    """The inferred triples the view reads (:data:`INFERRED_PREDICATES`, typings by our
    classes only), as an rdflib Graph."""
    wanted = {pyoxigraph.NamedNode(str(p)) for p in INFERRED_PREDICATES}
    kind = pyoxigraph.NamedNode(str(RDF.type))
    ours = str(PKG)
    convert = TermConverter()
    graph = Graph(store="SimpleMemory")
    for s, p, o in triples:
        if p in wanted and (
            p != kind or (isinstance(o, pyoxigraph.NamedNode) and o.value.startswith(ours))
        ):
            graph.add((convert(s), convert(p), convert(o)))
    return graph
