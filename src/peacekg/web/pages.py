"""What an entity page shows beyond its statements: the sections for events, claims, actors,
proposals and sources (issue 6), and the schema.org JSON-LD embedded in each page.

Each section is a small query through the store; a page calls only the sections its entity's
types ask for. Rows are plain dicts of strings, rendered by ``templates/entity.html``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from peacekg.describe import PREFIXES, Dating, Description, dating, iri_ref, local_name, select
from peacekg.namespaces import PKG, GraphNames
from peacekg.store import GraphStore

ACTOR = str(PKG.Agent)
EVENT = str(PKG.Event)
CLAIM = str(PKG.Claim)
PROPOSAL = str(PKG.Proposal)
PROVISION = str(PKG.Provision)
SOURCE = str(PKG.SourceDocument)
PLACE = str(PKG.Place)

# schema.org types for the embedded JSON-LD, most specific first.
SCHEMA_TYPES: tuple[tuple[str, str], ...] = (
    (str(PKG.Claim), "Claim"),
    (str(PKG.SourceDocument), "CreativeWork"),
    (str(PKG.Proposal), "CreativeWork"),
    (str(PKG.Event), "Event"),
    (str(PKG.Person), "Person"),
    (str(PKG.State), "Country"),
    (str(PKG.Organisation), "Organization"),
    (str(PKG.Place), "Place"),
    (str(PKG.Agent), "Organization"),
)


def _label(row: dict[str, str], key: str) -> str:
    return row.get(key + "Label") or local_name(row.get(key, ""))


@dataclass
class Sections:
    """Type-specific sections of an entity page (empty lists are not shown)."""

    kinds: set[str] = field(default_factory=set)
    dating: Dating | None = None
    places: list[dict[str, str]] = field(default_factory=list)
    participants: list[dict[str, str]] = field(default_factory=list)
    structure: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[dict[str, str]] = field(default_factory=list)
    proposals: list[dict[str, str]] = field(default_factory=list)
    claims_about: list[dict[str, str]] = field(default_factory=list)
    claim: dict[str, str] = field(default_factory=dict)
    quotes: list[dict[str, str]] = field(default_factory=list)
    people: list[dict[str, str]] = field(default_factory=list)
    stances: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    claims_by: list[dict[str, str]] = field(default_factory=list)
    responses: list[dict[str, str]] = field(default_factory=list)
    provisions: list[dict[str, str]] = field(default_factory=list)
    mandates: list[dict[str, str]] = field(default_factory=list)
    stated_here: list[DerivedAssertion] = field(default_factory=list)
    #: What "Stated in this document" leaves out past ``max_page_statements``.
    stated_more: MoreAssertions | None = None


@dataclass(frozen=True)
class MoreAssertions:
    """A bounded list of a document's assertions: how many it shows of how many, and a
    query (in the editor) giving every one."""

    shown: int
    total: int
    query_url: str


@dataclass(frozen=True)
class DerivedAssertion:
    """An assertion derived from a source document: its passage and what it is about."""

    assertion: str
    exact: str
    start: str
    stated: bool
    reason: str
    #: (IRI, label) of each named subject of the assertion's triples.
    about: tuple[tuple[str, str], ...]


def _assertions_from(
    store: GraphStore, doc: str, graphs: GraphNames, limit: int | None = None
) -> tuple[list[DerivedAssertion], MoreAssertions | None]:
    """The assertions ``prov:wasDerivedFrom`` the document ``doc`` (a SPARQL IRI), in the
    order of their passages in the text, each with the entities its graph speaks about;
    at most ``limit`` of them, and what is left out when there are more.

    Two queries: the entities come from the assertions' graphs named by ``VALUES``. In one
    query (an ``OPTIONAL { GRAPH ?a ... }``) Oxigraph read every assertion graph of the store
    for each document: 25 s for a source page at 100k triples, 0.3 s this way (issue 18).
    With a ``limit``, the first assertions (by their first passage position) are chosen by a
    light query first and only they are read in full (at 100k triples the full listing of
    the most cited source read 3,300 assertions and their entities in about 10 s).
    """
    provenance = iri_ref(graphs.provenance)
    derived = f"""?a prov:wasDerivedFrom {doc} ; a ?kind ; pkg:passage ?passage .
                VALUES ?kind {{ pkg:StatedAssertion pkg:CuratorInference }}"""
    chosen = ""
    if limit is not None:
        first = select(
            store,
            f"""SELECT ?a (MIN(?s0) AS ?first) WHERE {{ GRAPH {provenance} {{ {derived}
                OPTIONAL {{ ?passage oa:hasSelector ?p0 . ?p0 a oa:TextPositionSelector ;
                            oa:start ?s0 }} }} }}
                GROUP BY ?a ORDER BY ?first ?a LIMIT {int(limit) + 1}""",
        )
        chosen = "VALUES ?a { " + " ".join(iri_ref(row["a"]) for row in first) + " }"
    listing = f"""SELECT ?a ?exact ?start ?kind ?reason WHERE {{ {chosen}
            GRAPH {provenance} {{
                {derived}
                OPTIONAL {{ ?passage oa:hasSelector ?q . ?q a oa:TextQuoteSelector ;
                            oa:exact ?exact }}
                OPTIONAL {{ ?passage oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ;
                            oa:start ?start }}
                OPTIONAL {{ ?a pkg:inferenceReason ?reason }} }}
        }} ORDER BY ?start ?a"""
    rows = select(store, listing)
    found: dict[str, DerivedAssertion] = {}
    for row in rows:
        if row["a"] not in found:
            found[row["a"]] = DerivedAssertion(
                assertion=row["a"],
                exact=row.get("exact", ""),
                start=row.get("start", ""),
                stated=row["kind"] == str(PKG.StatedAssertion),
                reason=row.get("reason", ""),
                about=(),
            )
    about: dict[str, list[tuple[str, str]]] = {}
    names = list(found)
    for begin in range(0, len(names), 400):
        values = " ".join(iri_ref(a) for a in names[begin : begin + 400])
        for row in select(
            store,
            f"""SELECT ?a ?node (SAMPLE(?l) AS ?nodeLabel) WHERE {{ VALUES ?a {{ {values} }}
                GRAPH ?a {{ ?node ?p ?o FILTER(isIRI(?node)) }}
                OPTIONAL {{ ?node rdfs:label ?l }}
            }} GROUP BY ?a ?node ORDER BY ?nodeLabel""",
        ):
            about.setdefault(row["a"], []).append((row["node"], _label(row, "node")))
    assertions = [replace(entry, about=tuple(about.get(a, ()))) for a, entry in found.items()]
    if limit is None or len(assertions) <= limit:
        return assertions, None
    counted = select(
        store,
        f"""SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH {provenance} {{ {derived} }} }}""",
    )
    every = PREFIXES.strip() + "\n" + listing.replace(chosen, "", 1)
    more = MoreAssertions(limit, int(counted[0]["n"]), "/?" + urlencode({"query": every}))
    return assertions[:limit], more


def _types(store: GraphStore, iri: str) -> set[str]:
    rows = select(store, f"SELECT DISTINCT ?t WHERE {{ {iri_ref(iri)} a ?t }}")
    return {r["t"] for r in rows}


def _places(store: GraphStore, iri: str) -> list[dict[str, str]]:
    """The event's places, each with the places containing it, nearest first, and its
    location status ("undisclosed" ...)."""
    rows = select(
        store,
        f"""SELECT ?place ?placeLabel ?in ?inLabel (COUNT(DISTINCT ?up) AS ?depth)
                   ?status ?statusLabel WHERE {{
            {{ {iri} pkg:location ?place OPTIONAL {{ ?place rdfs:label ?placeLabel }}
               OPTIONAL {{ ?place pkg:containedInPlace ?in OPTIONAL {{ ?in rdfs:label ?inLabel }}
                           OPTIONAL {{ ?in pkg:containedInPlace ?up }} }} }}
            UNION {{ {iri} pkg:locationStatus ?status
                     OPTIONAL {{ ?status rdfs:label ?statusLabel }} }}
        }} GROUP BY ?place ?placeLabel ?in ?inLabel ?status ?statusLabel""",
    )
    places: dict[str, dict[str, str]] = {}
    containers: dict[str, list[tuple[int, str]]] = {}
    result: list[dict[str, str]] = []
    for row in rows:
        if row.get("status"):
            result.append({"status": row["status"], "statusLabel": _label(row, "status")})
            continue
        place = row["place"]
        places.setdefault(place, {"place": place, "placeLabel": _label(row, "place")})
        if row.get("in"):
            containers.setdefault(place, []).append((-int(row["depth"] or 0), _label(row, "in")))
    for place, entry in places.items():
        entry["within"] = ", ".join(label for _d, label in sorted(containers.get(place, [])))
        result.insert(0, entry)
    return result


def sections(
    store: GraphStore, desc: Description, graphs: GraphNames, limit: int | None = None
) -> Sections:
    """Collect the sections that ``desc``'s types call for (a source's assertions: at most
    ``limit``)."""
    iri = iri_ref(desc.iri)
    asserted = iri_ref(graphs.asserted)
    provenance = iri_ref(graphs.provenance)
    types = desc.type_iris | _types(store, desc.iri)
    out = Sections()
    out.dating = dating(store, desc.iri)
    if EVENT in types:
        out.kinds.add("event")
        out.places = _places(store, iri)
        out.participants = select(
            store,
            f"""SELECT DISTINCT ?agent ?agentLabel ?role ?roleLabel WHERE {{
                GRAPH {asserted} {{ {iri} ?role ?agent }}
                ?role rdfs:subPropertyOf pkg:participant FILTER(?role != pkg:participant)
                OPTIONAL {{ ?agent rdfs:label ?agentLabel }}
                OPTIONAL {{ ?role rdfs:label ?roleLabel }}
            }} ORDER BY ?roleLabel ?agentLabel""",
        )
        out.structure = select(
            store,
            f"""SELECT DISTINCT ?rel ?relLabel ?other ?otherLabel ?start WHERE {{
                VALUES ?rel {{ pkg:partOf pkg:hasPart pkg:follows pkg:followedBy }}
                {iri} ?rel ?other . ?rel rdfs:label ?relLabel
                OPTIONAL {{ ?other rdfs:label ?otherLabel }}
                OPTIONAL {{ ?other pkg:earliestDate ?start }}
            }} ORDER BY ?relLabel ?start ?otherLabel""",
        )
        out.outcomes = select(
            store,
            f"""SELECT DISTINCT ?rel ?relLabel ?other ?otherLabel WHERE {{
                VALUES ?rel {{ pkg:outcome pkg:endReason pkg:produced pkg:hasCause
                               pkg:hasEffect pkg:hasObstacle pkg:aimsToEnd }}
                {iri} ?rel ?other . ?rel rdfs:label ?relLabel
                OPTIONAL {{ ?other rdfs:label ?otherLabel }}
            }} ORDER BY ?relLabel ?otherLabel""",
        )
        out.proposals = select(
            store,
            f"""SELECT DISTINCT ?proposal ?proposalLabel WHERE {{
                ?proposal a pkg:Proposal .
                {{ {iri} pkg:produced ?proposal }} UNION {{ ?proposal pkg:about {iri} }}
                UNION {{ {iri} pkg:about ?proposal }}
                OPTIONAL {{ ?proposal rdfs:label ?proposalLabel }}
            }} ORDER BY ?proposalLabel""",
        )
    if CLAIM in types:
        out.kinds.add("claim")
        rows = select(
            store,
            f"""SELECT ?statement ?negated WHERE {{
                OPTIONAL {{ {iri} pkg:statement ?statement }}
                OPTIONAL {{ {iri} pkg:claimNegated ?negated }} }} LIMIT 1""",
        )
        out.claim = rows[0] if rows else {}
        out.people = select(
            store,
            f"""SELECT DISTINCT ?rel ?relLabel ?other ?otherLabel WHERE {{
                VALUES ?rel {{ pkg:claimant pkg:relayedBy pkg:hedging pkg:claimSubject
                               pkg:claimPredicate pkg:claimObject pkg:about }}
                GRAPH {asserted} {{ {iri} ?rel ?other }} ?rel rdfs:label ?relLabel
                OPTIONAL {{ ?other rdfs:label ?otherLabel }}
            }} ORDER BY ?relLabel ?otherLabel""",
        )
        out.quotes = select(
            store,
            f"""SELECT ?doc ?docLabel ?url ?prefix ?exact ?suffix WHERE {{
                {iri} pkg:statedIn ?doc . OPTIONAL {{ ?doc rdfs:label ?docLabel }}
                OPTIONAL {{ ?doc pkg:url ?url }}
                OPTIONAL {{ {iri} pkg:quote ?q . ?q oa:exact ?exact
                    OPTIONAL {{ ?q oa:prefix ?prefix }} OPTIONAL {{ ?q oa:suffix ?suffix }} }}
            }} ORDER BY ?docLabel ?exact""",
        )
        out.stances = select(
            store,
            f"""SELECT DISTINCT ?rel ?other ?otherLabel ?claimantLabel WHERE {{
                {{ {iri} pkg:supports ?other BIND("supports" AS ?rel) }}
                UNION {{ ?other pkg:supports {iri} BIND("is supported by" AS ?rel) }}
                UNION {{ {{ {iri} pkg:disputes ?other }} UNION {{ ?other pkg:disputes {iri} }}
                         BIND("disputes" AS ?rel) }}
                UNION {{ {iri} pkg:qualifies ?other BIND("qualifies" AS ?rel) }}
                UNION {{ ?other pkg:qualifies {iri} BIND("is qualified by" AS ?rel) }}
                OPTIONAL {{ ?other rdfs:label ?otherLabel }}
                OPTIONAL {{ ?other pkg:claimant/rdfs:label ?claimantLabel }}
            }} ORDER BY ?rel ?otherLabel""",
        )
    if ACTOR in types or PLACE in types:
        out.kinds.add("actor")
        out.events = select(
            store,
            f"""SELECT DISTINCT ?event ?eventLabel ?role ?roleLabel ?start WHERE {{
                GRAPH {asserted} {{ ?event ?role {iri} }}
                ?role rdfs:subPropertyOf pkg:participant FILTER(?role != pkg:participant)
                OPTIONAL {{ ?event rdfs:label ?eventLabel }}
                OPTIONAL {{ ?role rdfs:label ?roleLabel }}
                OPTIONAL {{ ?event pkg:earliestDate ?start }}
            }} ORDER BY ?start ?eventLabel""",
        )
        out.claims_by = select(
            store,
            f"""SELECT DISTINCT ?claim ?claimLabel ?rel WHERE {{
                {{ ?claim pkg:claimant {iri} BIND("made" AS ?rel) }}
                UNION {{ ?claim pkg:relayedBy {iri} BIND("relayed" AS ?rel) }}
                ?claim a pkg:Claim . OPTIONAL {{ ?claim rdfs:label ?claimLabel }}
            }} ORDER BY ?rel ?claimLabel""",
        )
        out.proposals = select(
            store,
            f"""SELECT DISTINCT ?proposal ?proposalLabel ?rel WHERE {{
                {{ ?proposal pkg:proposedBy {iri} BIND("proposed" AS ?rel) }}
                UNION {{ ?proposal pkg:guarantor {iri} BIND("guarantor" AS ?rel) }}
                UNION {{ ?proposal pkg:signatory {iri} BIND("signatory" AS ?rel) }}
                ?proposal a pkg:Proposal . OPTIONAL {{ ?proposal rdfs:label ?proposalLabel }}
            }} ORDER BY ?proposalLabel""",
        )
        out.responses = select(
            store,
            f"""SELECT DISTINCT ?response ?responseLabel ?to ?toLabel ?stanceLabel WHERE {{
                ?response pkg:responder {iri} ; pkg:respondsTo ?to .
                OPTIONAL {{ ?response rdfs:label ?responseLabel }}
                OPTIONAL {{ ?to rdfs:label ?toLabel }}
                OPTIONAL {{ ?response pkg:stance/rdfs:label ?stanceLabel }}
            }} ORDER BY ?toLabel""",
        )
        out.mandates = select(
            store,
            f"""SELECT DISTINCT ?mandate ?mandateLabel WHERE {{
                {{ ?mandate pkg:holder {iri} }} UNION {{ ?mandate pkg:mandateOf {iri} }}
                OPTIONAL {{ ?mandate rdfs:label ?mandateLabel }}
            }} ORDER BY ?mandateLabel""",
        )
    if PROPOSAL in types or PROVISION in types:
        out.kinds.add("proposal")
        out.provisions = select(
            store,
            f"""SELECT ?provision ?provisionLabel ?text
                (GROUP_CONCAT(DISTINCT ?issueLabel; separator=", ") AS ?issues)
                (SAMPLE(?issue) AS ?firstIssue) WHERE {{
                {iri} pkg:hasProvision ?provision .
                OPTIONAL {{ ?provision rdfs:label ?provisionLabel }}
                OPTIONAL {{ ?provision pkg:provisionText ?text }}
                OPTIONAL {{ ?provision pkg:addressesIssue ?issue .
                            ?issue rdfs:label ?issueLabel }}
            }} GROUP BY ?provision ?provisionLabel ?text ORDER BY ?provisionLabel""",
        )
        out.responses = select(
            store,
            f"""SELECT DISTINCT ?response ?responseLabel ?responder ?responderLabel
                ?stanceLabel ?doc ?docLabel WHERE {{
                ?response pkg:respondsTo {iri} .
                OPTIONAL {{ ?response rdfs:label ?responseLabel }}
                OPTIONAL {{ ?response pkg:responder ?responder .
                            ?responder rdfs:label ?responderLabel }}
                OPTIONAL {{ ?response pkg:stance/rdfs:label ?stanceLabel }}
                OPTIONAL {{ GRAPH ?a {{ ?response pkg:respondsTo {iri} }}
                            GRAPH {provenance} {{ ?a prov:wasDerivedFrom ?doc }}
                            OPTIONAL {{ ?doc rdfs:label ?docLabel }} }}
            }} ORDER BY ?responderLabel ?docLabel""",
        )
        out.participants = select(
            store,
            f"""SELECT DISTINCT ?agent ?agentLabel ?role ?roleLabel WHERE {{
                VALUES ?role {{ pkg:proposedBy pkg:guarantor pkg:signatory pkg:issuedBy }}
                {iri} ?role ?agent .
                OPTIONAL {{ ?agent rdfs:label ?agentLabel }}
                OPTIONAL {{ ?role rdfs:label ?roleLabel }}
            }} ORDER BY ?roleLabel ?agentLabel""",
        )
    if SOURCE in types:
        out.kinds.add("source")
        out.stated_here, out.stated_more = _assertions_from(store, iri, graphs, limit)
    if types & {EVENT, PROPOSAL, ACTOR, PROVISION, PLACE}:
        out.claims_about = select(
            store,
            f"""SELECT DISTINCT ?claim ?claimLabel ?claimantLabel WHERE {{
                ?claim a pkg:Claim .
                {{ ?claim pkg:about {iri} }} UNION {{ ?claim pkg:claimSubject {iri} }}
                UNION {{ ?claim pkg:claimObject {iri} }}
                OPTIONAL {{ ?claim rdfs:label ?claimLabel }}
                OPTIONAL {{ ?claim pkg:claimant/rdfs:label ?claimantLabel }}
            }} ORDER BY ?claimLabel""",
        )
    return out


def schema_org(desc: Description, secs: Sections, page_url: str) -> str:
    """The schema.org JSON-LD of an entity page, safe to embed in a ``<script>`` element."""
    types = desc.type_iris
    schema_type = next((t for iri, t in SCHEMA_TYPES if iri in types), "Thing")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": desc.iri,
        "name": desc.label,
        "url": page_url,
    }
    description = secs.claim.get("statement") or desc.definition
    if description:
        data["description"] = description
    if secs.dating and schema_type == "Event":
        if secs.dating.earliest:
            data["startDate"] = secs.dating.earliest
        if secs.dating.latest:
            data["endDate"] = secs.dating.latest
    if secs.places and schema_type == "Event":
        data["location"] = [
            {"@type": "Place", "@id": p["place"], "name": _label(p, "place")}
            for p in secs.places
            if p.get("place")
        ]
    if secs.participants and schema_type == "Event":
        data["attendee"] = [
            {"@id": p["agent"], "name": _label(p, "agent")} for p in secs.participants
        ]
    if schema_type == "Claim":
        authors = [p for p in secs.people if p["rel"] == str(PKG.claimant)]
        if authors:
            data["author"] = [{"@id": a["other"], "name": _label(a, "other")} for a in authors]
        appearances = [
            {"@type": "CreativeWork", "@id": q["doc"], "name": _label(q, "doc")}
            | ({"url": q["url"]} if q.get("url") else {})
            for q in secs.quotes
        ]
        if appearances:
            data["appearance"] = appearances
        exact = [q["exact"] for q in secs.quotes if q.get("exact")]
        if exact:
            data["text"] = exact[0]
    same_as = desc.wikidata()
    if same_as:
        data["sameAs"] = same_as
    return dumps_script(data)


def dumps_script(data: Any) -> str:
    """JSON for a ``<script type="application/ld+json">``: ``</`` cannot end the element."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def item_list_script(name: str, items: list[dict[str, Any]]) -> str:
    """schema.org ItemList JSON-LD for a listing page (timeline, claims)."""
    return dumps_script(
        {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "name": name,
            "itemListElement": items,
        }
    )
