"""``peacekg stats``: what the graph holds, and how well its claims are sourced.

Issue 4's bar is that 100 % of claims have a claimant, a source and a verified quote; the
coverage numbers here are how a curator sees that at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph

from peacekg.config import Settings
from peacekg.quotes import check_quotes
from peacekg.store import GraphStore, stored_graph

_PREFIXES = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

_CLAIMS = (
    _PREFIXES
    + """
SELECT ?claim ?claimant ?source ?quote WHERE {
  GRAPH <%(asserted)s> {
    ?claim a pkg:Claim .
    OPTIONAL { ?claim pkg:claimant ?claimant }
    OPTIONAL { ?claim pkg:statedIn ?source }
    OPTIONAL { ?claim pkg:quote/oa:exact ?quote }
  }
}
"""
)


@dataclass(frozen=True)
class ClaimCoverage:
    """How many claims have each part of their provenance."""

    claims: int
    with_claimant: int
    with_source: int
    with_quote: int
    verified_quotes: int | None

    def percent(self, count: int) -> float:
        """``count`` as a percentage of all claims (100 when there are none)."""
        return 100.0 if self.claims == 0 else round(100.0 * count / self.claims, 1)


@dataclass(frozen=True)
class Stats:
    """Triples per graph, instances per class (asserted), claim coverage."""

    graphs: dict[str, int]
    classes: dict[str, int]
    coverage: ClaimCoverage
    unverified: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        cov = self.coverage
        return {
            "graphs": self.graphs,
            "classes": self.classes,
            "claims": {
                "total": cov.claims,
                "with_claimant": cov.with_claimant,
                "with_source": cov.with_source,
                "with_quote": cov.with_quote,
                "verified_quotes": cov.verified_quotes,
            },
            "unverified": self.unverified,
        }

    def text(self) -> str:
        """A report for people."""
        lines = ["triples per graph:"]
        lines += [f"  {n:>8}  {g}" for g, n in self.graphs.items()]
        lines.append("instances per class (asserted):")
        lines += [f"  {n:>8}  {c}" for c, n in self.classes.items()]
        cov = self.coverage
        lines.append(f"claims: {cov.claims}")
        for label, count in (
            ("with claimant", cov.with_claimant),
            ("with source", cov.with_source),
            ("with quote", cov.with_quote),
        ):
            lines.append(f"  {label:16} {count:>5}  ({cov.percent(count)} %)")
        if cov.verified_quotes is None:
            lines.append("  verified quote   (set sources_dir to check quotes)")
        else:
            verified = cov.verified_quotes
            lines.append(f"  verified quote   {verified:>5}  ({cov.percent(verified)} %)")
        lines += [f"  unverified: {claim}" for claim in self.unverified]
        return "\n".join(lines)


def _rows(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: term.value for n in names if (term := row[n]) is not None} for row in result]


def compute_stats(store: GraphStore, settings: Settings) -> Stats:
    """Count per graph and per asserted class; check claim provenance (and quotes when possible)."""
    classes = {
        row["class"]: int(row["n"])
        for row in _rows(
            store,
            f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{settings.graphs.asserted}>"
            " { ?s a ?class } } GROUP BY ?class ORDER BY DESC(?n) ?class",
        )
    }
    claims: dict[str, dict[str, set[str]]] = {}
    for row in _rows(store, _CLAIMS % {"asserted": settings.graphs.asserted}):
        entry = claims.setdefault(
            row["claim"], {"claimant": set(), "source": set(), "quote": set()}
        )
        for key in ("claimant", "source", "quote"):
            if key in row:
                entry[key].add(row[key])
    verified: int | None = None
    unverified: list[str] = []
    if settings.sources_dir is not None:
        problems = check_quotes(stored_graph(store, settings.graphs.asserted), settings.sources_dir)
        bad = {p.claim for p in problems}
        unverified = sorted(c for c in claims if c in bad)
        verified = sum(1 for c, e in claims.items() if e["quote"] and c not in bad)
    coverage = ClaimCoverage(
        claims=len(claims),
        with_claimant=sum(1 for e in claims.values() if e["claimant"]),
        with_source=sum(1 for e in claims.values() if e["source"]),
        with_quote=sum(1 for e in claims.values() if e["quote"]),
        verified_quotes=verified,
    )
    return Stats(
        graphs=dict(sorted(store.graph_counts().items())),
        classes=classes,
        coverage=coverage,
        unverified=unverified,
    )
