"""Candidate Wikidata items for our unlinked entities, for a curator to review (issue 15).

``peacekg wikidata reconcile`` asks the endpoint for items whose label or alias equals one of
an unlinked entity's names (in the configured languages), checks each candidate's class
against the Wikidata classes our class maps to (``P31/P279*``), scores it
(:mod:`peacekg.wikidata.matching`) and writes a review file. Nothing becomes a link here: a
curator who accepts a candidate writes it into ``data/alignment/wikidata.ttl``, which only
counts once ``peacekg wikidata check`` passes; the file also says whether the QID is in the
checked reference list, the only IDs the project may use.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from peacekg.namespaces import PKG, WD
from peacekg.wikidata import unlinked_entities
from peacekg.wikidata.client import WikidataClient, expected_classes, normalise
from peacekg.wikidata.matching import name_score

__all__ = [
    "ACCEPT",
    "COLUMNS",
    "Proposal",
    "accepted_links",
    "propose",
    "read_accepted",
    "search_query",
    "write_review",
]

COLUMNS = (
    "entity",
    "our_names",
    "candidate",
    "wikidata_label",
    "score",
    "type_fits",
    "in_reference_list",
    "decision",
)
_NAMES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, PKG.nameAsStated)


@dataclass(frozen=True, order=True)
class Proposal:
    """One candidate item for one of our entities."""

    iri: str
    names: tuple[str, ...]
    qid: str
    wikidata_label: str
    score: float
    #: None when our class maps to no Wikidata class (nothing to check the type against).
    type_fits: bool | None
    listed: bool


def _names(graph: Graph, entity: URIRef) -> tuple[str, ...]:
    return tuple(sorted({str(v) for p in _NAMES for v in graph.objects(entity, p)}))


def search_query(names: Iterable[str], languages: Sequence[str]) -> str:
    """Items whose label or alias is exactly one of ``names`` in one of ``languages``."""
    literals = " ".join(
        f"{json.dumps(name, ensure_ascii=False)}@{lang}"
        for name in sorted(set(names))
        for lang in languages
    )
    return f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?item ?name WHERE {{
  VALUES ?name {{ {literals} }}
  ?item rdfs:label|skos:altLabel ?name .
}}"""


def propose(
    data: Graph,
    ontology: Graph,
    client: WikidataClient,
    languages: Sequence[str],
    reference_ids: Iterable[str] = (),
) -> tuple[list[tuple[str, tuple[str, ...]]], list[Proposal]]:
    """The unlinked entities (with their names) and the candidates found for them."""
    union = data + ontology
    entities = [(iri, _names(data, URIRef(iri))) for iri, _ in unlinked_entities(union)]
    entities = [(iri, names) for iri, names in entities if names]
    by_name: dict[str, set[str]] = {}
    for start in range(0, len(entities), 20):  # small requests, as WDQS asks
        asked = {name for _, group in entities[start : start + 20] for name in group}
        for row in client.select(search_query(asked, languages)):
            qid = row["item"]["value"].rsplit("/", 1)[-1]
            if row["item"]["value"].startswith(str(WD)) and qid.startswith("Q"):
                by_name.setdefault(normalise(row["name"]["value"]), set()).add(qid)
    mapping = expected_classes(ontology)
    wanted: dict[str, frozenset[str]] = {}
    for iri, _ in entities:
        found: set[str] = set()
        for cls in data.objects(URIRef(iri), RDF.type):
            found |= mapping.get(str(cls), frozenset())
        wanted[iri] = frozenset(found)
    candidates = {
        iri: sorted({q for n in names for q in by_name.get(normalise(n), set())})
        for iri, names in entities
    }
    qids = {q for found in candidates.values() for q in found}
    classes = sorted({c for found in wanted.values() for c in found})
    facts = client.facts(qids, languages, classes) if qids else {}
    listed = set(reference_ids)
    proposals = []
    for iri, names in entities:
        for qid in candidates[iri]:
            fact = facts.get(qid)
            theirs = [n for group in (fact.labels.values() if fact else []) for n in group]
            theirs += [n for group in (fact.aliases.values() if fact else []) for n in group]
            by_name_score = max((name_score(ours, theirs) for ours in names), default=0.0)
            fits = None if not wanted[iri] else bool(fact and wanted[iri] & fact.classes)
            score = by_name_score if fits is None else 0.7 * by_name_score + 0.3 * fits
            shown = (fact.labels.get(languages[0]) if fact else None) or theirs[:1] or [""]
            proposals.append(
                Proposal(iri, names, qid, shown[0], round(100 * score, 1), fits, qid in listed)
            )
    proposals.sort(key=lambda p: (p.iri, -p.score, p.qid))
    return entities, proposals


def write_review(proposals: Iterable[Proposal], path: Path) -> None:
    """The review file: one row per candidate, ``decision`` left for the curator."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for p in proposals:
            fits = "" if p.type_fits is None else ("yes" if p.type_fits else "no")
            writer.writerow(
                [
                    p.iri,
                    " | ".join(p.names),
                    p.qid,
                    p.wikidata_label,
                    f"{p.score:g}",
                    fits,
                    "yes" if p.listed else "no",
                    "",
                ]
            )


#: What a curator writes in the ``decision`` column to accept a candidate.
ACCEPT = {"accept", "accepted", "yes", "y"}


def read_accepted(path: Path) -> list[tuple[str, str]]:
    """(entity IRI, QID) of every row of a review file whose decision accepts it.

    Raises:
        ValueError: the file is no review file (naming the file and line).
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{path}:1: not a review file (expected the columns {', '.join(COLUMNS)})")
    accepted = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            raise ValueError(f"{path}:{number}: expected {len(COLUMNS)} columns, got {len(row)}")
        record = dict(zip(COLUMNS, row, strict=True))
        if record["decision"].strip().lower() in ACCEPT:
            accepted.append((record["entity"], record["candidate"]))
    return accepted


def accepted_links(
    data: Graph, accepted: Iterable[tuple[str, str]]
) -> tuple[Graph, list[tuple[str, str]]]:
    """``data`` with the accepted links added (to check them like any link), and the
    accepted pairs whose QID is malformed."""
    checked = Graph()
    for triple in data:
        checked.add(triple)
    bad = []
    for iri, qid in accepted:
        if not (qid.startswith("Q") and qid[1:].isdigit()):
            bad.append((iri, qid))
            continue
        checked.add((URIRef(iri), SKOS.exactMatch, WD[qid]))
    return checked, bad
