"""Asking a Wikidata SPARQL endpoint whether our links fit, and what it knows about them.

Two halves, kept apart so the logic is tested offline (STYLE.md, "Wikidata alignment"):

- :class:`WikidataClient` is the only code that talks to the network: a configurable endpoint
  (the public one by default, a local ``oxigraph serve`` stand-in in tests), a descriptive
  User-Agent as https://meta.wikimedia.org/wiki/User-Agent_policy asks, a timeout, and retries
  with exponential backoff on HTTP 429 and 5xx that honour ``Retry-After``
  (https://www.mediawiki.org/wiki/Wikidata_Query_Service/User_Manual#Query_limits).
- Pure functions turn our graph into the links to check (:func:`linked_entities`), compare
  them with what Wikidata says (:func:`check_links`) and write the enrichment graph
  (:func:`enrichment_graph`).
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from email.utils import parsedate_to_datetime

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from peacekg import __version__
from peacekg.namespaces import PKG, PROV, SCHEMA, WD, WDT
from peacekg.wikidata import linked_ids

__all__ = [
    "EntityFacts",
    "LinkedEntity",
    "Mismatch",
    "WikidataClient",
    "WikidataError",
    "check_links",
    "enrichment_graph",
    "expected_classes",
    "facts_query",
    "label_fits",
    "linked_entities",
    "parse_facts",
]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_RESULTS = "application/sparql-results+json"


class WikidataError(Exception):
    """The endpoint could not be asked (after retries), or answered with an error."""


@dataclass(frozen=True)
class LinkedEntity:
    """One of our entities with a Wikidata link: what we call it and what we say it is."""

    iri: str
    qid: str
    labels: tuple[str, ...]
    classes: frozenset[str] = frozenset()
    #: QIDs of the Wikidata classes our classes map to (skos:exactMatch/closeMatch).
    expected: frozenset[str] = frozenset()


@dataclass
class EntityFacts:
    """What the endpoint says about one item."""

    qid: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    coordinates: list[str] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Mismatch:
    """A link that does not fit: ``kind`` is ``missing``, ``label`` or ``class``."""

    iri: str
    qid: str
    kind: str
    message: str


Sleep = Callable[[float], None]
Opener = Callable[[urllib.request.Request, float], bytes]


def _open(request: urllib.request.Request, timeout: float) -> bytes:
    # S310: the URL is the configured endpoint, checked to be http(s) in WikidataClient.
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body: bytes = response.read()
        return body


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class WikidataClient:
    """A polite SPARQL client for the Wikidata Query Service (or anything speaking SPARQL).

    Args:
        endpoint: the SPARQL query URL.
        contact: a URL or e-mail for the User-Agent, so Wikimedia can reach the operator.
        timeout: seconds per request.
        retries: further attempts after HTTP 429/5xx or a network error.
        backoff: first wait in seconds; doubled after each failed attempt, unless the
            server says how long with ``Retry-After``.
        max_wait: the longest single wait, so a hostile ``Retry-After`` cannot stall a run.
        sleep: injected so tests need not wait.
    """

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        contact: str = "https://w3id.org/peacekg/",
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        sleep: Sleep = time.sleep,
        opener: Opener = _open,
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in {"http", "https"}:
            raise WikidataError(f"Wikidata endpoint must be an http(s) URL: {endpoint!r}")
        self.endpoint = endpoint
        # <client>/<version> (<contact>) <library>/<version>, the form Wikimedia's policy asks.
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.user_agent = f"PeaceKG/{__version__} ({contact}) Python-urllib/{python}"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.opener = opener
        self.requests = 0

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        """Run a SELECT query; the SPARQL JSON bindings, one dict per row."""
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        # S310: the scheme was checked to be http(s) in __init__.
        request = urllib.request.Request(  # noqa: S310
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Accept": _RESULTS,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": self.user_agent,
            },
        )
        payload = self._send(request)
        try:
            rows: list[dict[str, dict[str, str]]] = json.loads(payload)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as error:
            raise WikidataError(f"{self.endpoint}: not SPARQL JSON results: {error}") from error
        return rows

    def _send(self, request: urllib.request.Request) -> bytes:
        attempt = 0
        while True:
            self.requests += 1
            try:
                return self.opener(request, self.timeout)
            except urllib.error.HTTPError as error:
                if error.code not in _RETRY_STATUS or attempt >= self.retries:
                    detail = error.read().decode("utf-8", "replace").strip()[:500]
                    raise WikidataError(
                        f"{self.endpoint}: HTTP {error.code} after {attempt + 1} attempt(s): "
                        f"{detail}"
                    ) from error
                wait = _retry_after(error.headers.get("Retry-After"), time.time())
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt >= self.retries:
                    raise WikidataError(
                        f"{self.endpoint}: {error} after {attempt + 1} attempt(s)"
                    ) from error
                wait = None
            if wait is None:
                wait = self.backoff * 2**attempt
            self.sleep(min(wait, self.max_wait))
            attempt += 1

    def facts(
        self, qids: Iterable[str], languages: Sequence[str], classes: Iterable[str] = ()
    ) -> dict[str, EntityFacts]:
        """Labels, aliases, descriptions, coordinates and class membership of ``qids``.

        ``classes`` are the Wikidata classes worth testing membership of (through
        ``P31/P279*``, so a "federal state" still counts as a "country").
        """
        wanted = sorted(set(qids))
        if not wanted:
            return {}
        facts: dict[str, EntityFacts] = {}
        for start in range(0, len(wanted), 50):  # keep each request small (WDQS limits)
            chunk = wanted[start : start + 50]
            parse_facts(self.select(facts_query(chunk, languages)), facts)
            known = sorted(set(classes))
            if known:
                for row in self.select(classes_query(chunk, known)):
                    qid = _local(row["item"]["value"])
                    facts.setdefault(qid, EntityFacts(qid)).classes.add(
                        _local(row["class"]["value"])
                    )
        return facts


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _values(qids: Iterable[str]) -> str:
    return " ".join(f"wd:{qid}" for qid in qids)


def facts_query(qids: Sequence[str], languages: Sequence[str]) -> str:
    """One row per label, alias, description and coordinate of ``qids``."""
    langs = ", ".join(json.dumps(lang) for lang in languages)
    return f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX schema: <{SCHEMA}>
SELECT ?item ?property ?value WHERE {{
  VALUES ?item {{ {_values(qids)} }}
  VALUES ?property {{ rdfs:label skos:altLabel schema:description wdt:P625 }}
  ?item ?property ?value .
  FILTER(?property = wdt:P625 || LANG(?value) IN ({langs}))
}}"""


def classes_query(qids: Sequence[str], classes: Sequence[str]) -> str:
    """Which of ``classes`` each of ``qids`` is an instance of (``P31/P279*``)."""
    return f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
SELECT DISTINCT ?item ?class WHERE {{
  VALUES ?item {{ {_values(qids)} }}
  VALUES ?class {{ {_values(classes)} }}
  ?item wdt:P31/wdt:P279* ?class .
}}"""


def parse_facts(
    rows: Iterable[Mapping[str, Mapping[str, str]]], into: dict[str, EntityFacts] | None = None
) -> dict[str, EntityFacts]:
    """Fold the rows of :func:`facts_query` into one :class:`EntityFacts` per item."""
    facts = {} if into is None else into
    for row in rows:
        qid = _local(row["item"]["value"])
        entry = facts.setdefault(qid, EntityFacts(qid))
        prop, value = row["property"]["value"], row["value"]
        text, lang = value["value"], value.get("xml:lang", "")
        if prop == str(RDFS.label):
            entry.labels.setdefault(lang, []).append(text)
        elif prop == str(SKOS.altLabel):
            entry.aliases.setdefault(lang, []).append(text)
        elif prop == str(SCHEMA.description):
            entry.descriptions[lang] = text
        elif prop == str(WDT.P625):
            entry.coordinates.append(text)
    return facts


# ---------------------------------------------------------------------------------------------
# Pure matching logic
# ---------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-blind form of a name ("Erdoğan" = "erdogan")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in plain.casefold())
    return " ".join(words.split())


def label_fits(ours: Iterable[str], theirs: Iterable[str], *, threshold: float = 0.85) -> bool:
    """Whether any of our names matches any Wikidata label or alias.

    Equal after :func:`normalise`; or close spellings ("Zelensky"/"Zelenskyy", ratio >=
    ``threshold``); or every word of the shorter name equal or close to a word of the longer
    ("Antalya" for "Antalya Province", "Zelensky" for "Volodymyr Zelenskyy").
    """
    mine = {normalise(name) for name in ours if name.strip()}
    other = {normalise(name) for name in theirs if name.strip()}
    for a in mine:
        for b in other:
            if not a or not b:
                continue
            if a == b:
                return True
            if SequenceMatcher(None, a, b).ratio() >= threshold:
                return True
            shorter, longer = sorted((a.split(), b.split()), key=len)
            if all(_close_to_any(word, longer, threshold) for word in shorter):
                return True
    return False


def _close_to_any(word: str, words: list[str], threshold: float) -> bool:
    return any(word == w or SequenceMatcher(None, word, w).ratio() >= threshold for w in words)


def expected_classes(ontology: Graph) -> dict[str, frozenset[str]]:
    """Our class IRI -> the Wikidata class QIDs it maps to, inherited along subClassOf.

    ``pkg:State`` maps to sovereign state and country, ``pkg:Person`` to human; a class
    whose mappings name no Wikidata class (cities, delegations) expects nothing, so its
    members are checked by label only.
    """
    direct: dict[str, set[str]] = {}
    for prop in (SKOS.exactMatch, SKOS.closeMatch):
        for mapped, target in ontology.subject_objects(prop):
            local = str(target)[len(str(WD)) :] if str(target).startswith(str(WD)) else ""
            if local.startswith("Q"):
                direct.setdefault(str(mapped), set()).add(local)
    result: dict[str, frozenset[str]] = {}
    classes = {str(c) for c in ontology.subjects(RDFS.subClassOf, None)} | set(direct)
    for cls in sorted(classes):
        found: set[str] = set()
        for ancestor in ontology.transitive_objects(URIRef(cls), RDFS.subClassOf):
            found |= direct.get(str(ancestor), set())
            # The nearest mapped class decides: a State is not expected to be a "human".
            if found:
                break
        result[cls] = frozenset(found)
    return result


def linked_entities(data: Graph, ontology: Graph) -> list[LinkedEntity]:
    """Every entity of ``data`` with a ``skos:exactMatch`` to a Wikidata item."""
    mapping = expected_classes(ontology)
    entities = []
    for iri, qid in sorted(linked_ids(data).items()):
        if not qid.startswith("Q"):
            continue
        node = URIRef(iri)
        labels = [
            str(v)
            for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, PKG.nameAsStated)
            for v in data.objects(node, p)
        ]
        classes = frozenset(str(c) for c in data.objects(node, RDF.type))
        expected: set[str] = set()
        for cls in classes:
            expected |= mapping.get(cls, frozenset())
        entities.append(
            LinkedEntity(iri, qid, tuple(sorted(set(labels))), classes, frozenset(expected))
        )
    return entities


def check_links(
    entities: Iterable[LinkedEntity], facts: Mapping[str, EntityFacts], tested: Iterable[str]
) -> list[Mismatch]:
    """The links whose Wikidata item is missing, or whose label or class does not fit.

    Args:
        entities: from :func:`linked_entities`.
        facts: from :meth:`WikidataClient.facts`.
        tested: the Wikidata classes whose membership was asked for; an entity whose
            expected classes are among them but whose item is in none of them is flagged.
    """
    asked = set(tested)
    problems: list[Mismatch] = []
    for entity in entities:
        found = facts.get(entity.qid)
        if found is None or not (found.labels or found.aliases):
            problems.append(
                Mismatch(entity.iri, entity.qid, "missing", "no such item (or no labels)")
            )
            continue
        theirs = [name for names in found.labels.values() for name in names]
        theirs += [name for names in found.aliases.values() for name in names]
        if not label_fits(entity.labels, theirs):
            shown = found.labels.get("en") or next(iter(found.labels.values()), [])
            problems.append(
                Mismatch(
                    entity.iri,
                    entity.qid,
                    "label",
                    f"our {'/'.join(entity.labels)!r} vs Wikidata {'/'.join(shown)!r}",
                )
            )
        expected = entity.expected & asked
        if expected and not expected & found.classes:
            problems.append(
                Mismatch(
                    entity.iri,
                    entity.qid,
                    "class",
                    f"expected an instance of {', '.join(sorted(expected))}; Wikidata says "
                    f"{', '.join(sorted(found.classes)) or 'none of the classes we map to'}",
                )
            )
    return sorted(problems)


def enrichment_graph(
    facts: Mapping[str, EntityFacts],
    *,
    graph_iri: str,
    endpoint: str,
    retrieved: datetime | None = None,
) -> Graph:
    """What Wikidata says about our linked items, in Wikidata's own terms, with provenance.

    Labels (``rdfs:label``), aliases (``skos:altLabel``), descriptions (``schema:description``)
    and coordinates (``wdt:P625`` WKT literals) on the ``wd:`` IRIs, plus a description of the
    graph itself: derived from the endpoint, generated (retrieved) at ``retrieved``
    (``prov:generatedAtTime``; no PeaceKG term, so no ontology axiom applies to it). The
    build serves it as its own named graph, so a query can always tell Wikidata's words
    from ours.
    """
    when = retrieved or datetime.now(UTC)
    graph = Graph()
    graph.bind("wd", WD)
    graph.bind("wdt", WDT)
    graph.bind("schema", SCHEMA, replace=True)  # rdflib binds schema: to https by default
    graph.bind("prov", PROV)
    graph.bind("skos", SKOS)
    name = URIRef(graph_iri)
    graph.add((name, RDF.type, PROV.Entity))
    graph.add((name, PROV.wasDerivedFrom, URIRef(endpoint)))
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    graph.add((name, PROV.generatedAtTime, Literal(stamp, datatype=XSD.dateTime, normalize=False)))
    for qid, entry in sorted(facts.items()):
        item = WD[qid]
        graph.add((item, PROV.wasDerivedFrom, name))
        for lang, names in entry.labels.items():
            for text in names:
                graph.add((item, RDFS.label, Literal(text, lang=lang or None)))
        for lang, names in entry.aliases.items():
            for text in names:
                graph.add((item, SKOS.altLabel, Literal(text, lang=lang or None)))
        for lang, text in entry.descriptions.items():
            graph.add((item, SCHEMA.description, Literal(text, lang=lang or None)))
        for wkt in entry.coordinates:
            wkt_type = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
            graph.add((item, WDT.P625, Literal(wkt, datatype=wkt_type)))
    return graph
