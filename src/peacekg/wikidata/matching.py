"""Scoring names against entities, for reconciliation both ways (issue 15).

The same scoring serves the W3C reconciliation service at ``/reconcile`` (a spreadsheet's
names against our entities) and ``peacekg wikidata reconcile`` (our unlinked entities against
Wikidata's labels and aliases). Names are compared after :func:`~peacekg.wikidata.client.
normalise` (case, accents and punctuation ignored): equal names score 1.0, otherwise the better
of the character similarity and a word score (60 % for the share of the asked words found,
40 % for the share of the name's words asked for).
Only a single exact candidate is called a match; nothing here ever links anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from peacekg.wikidata.client import normalise

__all__ = ["Candidate", "Entity", "name_score", "rank"]

#: Below this a name is not offered as a candidate at all.
MIN_SCORE = 0.6


@dataclass(frozen=True)
class Entity:
    """Something names can be matched against: its id, names, types and property values."""

    id: str
    name: str
    names: tuple[str, ...]
    types: frozenset[str] = frozenset()
    #: property id -> values (IRIs, literals and the labels of IRI values, as text)
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Candidate:
    """An entity proposed for a name: its score (0–100) and whether it is a sure match."""

    entity: Entity
    score: float
    match: bool


def name_score(query: str, names: Iterable[str]) -> float:
    """How well ``query`` fits the best of ``names`` (0.0–1.0)."""
    wanted = normalise(query)
    best = 0.0
    for name in names:
        other = normalise(name)
        if not wanted or not other:
            continue
        if wanted == other:
            return 1.0
        ratio = SequenceMatcher(None, wanted, other).ratio()
        mine, theirs = set(wanted.split()), set(other.split())
        shared = len(mine & theirs)
        # "Erdogan" for "Recep Tayyip Erdoğan": every word asked for is there.
        words = 0.6 * shared / len(mine) + 0.4 * shared / len(theirs)
        best = max(best, ratio, words)
    return best


def _property_fits(entity: Entity, pid: str, value: str) -> bool:
    wanted = normalise(value)
    return any(normalise(v) == wanted or v == value for v in entity.values.get(pid, ()))


def rank(
    query: str,
    entities: Iterable[Entity],
    *,
    types: Sequence[str] = (),
    properties: Sequence[tuple[str, str]] = (),
    limit: int = 3,
) -> list[Candidate]:
    """The best ``limit`` candidates for ``query``, best first.

    ``types`` keeps entities of any of those types; each ``(property, value)`` that fits
    adds to the score (names weigh 70 %, properties 30 %, when properties are given). The
    first candidate is a match when its name is equal, no other candidate's is, and every
    property given fits.
    """
    wanted = set(types)
    scored: list[tuple[float, float, Entity, int]] = []
    for entity in entities:
        if wanted and not wanted & entity.types:
            continue
        by_name = name_score(query, entity.names)
        if by_name < MIN_SCORE:
            continue
        fits = sum(_property_fits(entity, pid, value) for pid, value in properties)
        score = by_name if not properties else 0.7 * by_name + 0.3 * fits / len(properties)
        scored.append((score, by_name, entity, fits))
    scored.sort(key=lambda s: (-s[0], s[2].name, s[2].id))
    exact = [s for s in scored if s[1] == 1.0]
    candidates = []
    for position, (score, by_name, entity, fits) in enumerate(scored[:limit]):
        sure = position == 0 and by_name == 1.0 and len(exact) == 1 and fits == len(properties)
        candidates.append(Candidate(entity, round(100 * score, 1), sure))
    return candidates
