"""``peacekg stats``: what the graph holds, and how well its facts and claims are sourced.

Issue 4's bar is that 100 % of claims have a claimant, a source and a verified quote; issue 10's
that 100 % of asserted triples lie in an assertion whose passage is verified in its own document.
The coverage numbers here are how a curator sees both at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

from peacekg.config import Settings
from peacekg.passages import verify_quotes
from peacekg.sentences import SENTENCES_DIR
from peacekg.sentences import coverage as sentence_coverage
from peacekg.store import GraphStore, stored_sources

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
class SourceCoverage:
    """Of one source document: its assertions and the asserted triples they hold."""

    document: str
    assertions: int
    curator_inferences: int
    triples: int
    verified_triples: int | None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "assertions": self.assertions,
            "curator_inferences": self.curator_inferences,
            "triples": self.triples,
            "verified_triples": self.verified_triples,
        }


@dataclass(frozen=True)
class Stats:
    """Triples per graph, instances per class (asserted), fact and claim coverage."""

    graphs: dict[str, int]
    classes: dict[str, int]
    coverage: ClaimCoverage
    unverified: list[str] = field(default_factory=list)
    #: Asserted triples, and those that lie in at least one assertion with a verified passage.
    asserted_triples: int = 0
    verified_triples: int | None = None
    sources: list[SourceCoverage] = field(default_factory=list)
    assertion_graphs: int = 0
    #: Per document: sentences per curator status (``data/sentences/``, issue 11).
    sentences: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        cov = self.coverage
        return {
            "graphs": self.graphs,
            "assertions": {
                "graphs": self.assertion_graphs,
                "asserted_triples": self.asserted_triples,
                "verified_triples": self.verified_triples,
                "per_source": {s.document: s.as_dict() for s in self.sources},
            },
            "sentences": self.sentences,
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
        lines.append(f"  {self.assertion_graphs:>8}  assertion graphs (one per passage)")
        lines.append(f"asserted triples: {self.asserted_triples}")
        if self.verified_triples is None:
            lines.append("  in a verified assertion  (set sources_dir to check passages)")
        else:
            share = _percent(self.verified_triples, self.asserted_triples)
            lines.append(f"  in a verified assertion {self.verified_triples:>5}  ({share} %)")
        lines.append("per source: assertions (curator inferences), triples, verified")
        for source in self.sources:
            done = source.verified_triples
            shown = (
                "not checked" if done is None else f"{done} ({_percent(done, source.triples)} %)"
            )
            lines.append(
                f"  {source.assertions:>5} ({source.curator_inferences:>3})  "
                f"{source.triples:>5}  {shown:>14}  {source.document}"
            )
        if self.sentences:
            lines.append("sentences per source: modelled, partly, out of scope, to do")
        for document, counts in self.sentences.items():
            total = sum(counts.values())
            done = counts.get("modelled", 0) + counts.get("partly", 0)
            lines.append(
                f"  {counts.get('modelled', 0):>5} {counts.get('partly', 0):>5} "
                f"{counts.get('out-of-scope', 0):>5} {counts.get('todo', 0):>5}  "
                f"({_percent(done, total)} % modelled of {total})  {document}"
            )
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


def _percent(count: int, total: int) -> float:
    return 100.0 if total == 0 else round(100.0 * count / total, 1)


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
    sources = stored_sources(store, settings.graphs)
    bad: set[str] = set()
    if settings.sources_dir is not None:
        problems = verify_quotes(sources, settings.sources_dir)
        bad = {p.claim for p in problems}
        unverified = sorted(c for c in claims if c in bad)
        verified = sum(1 for c, e in claims.items() if e["quote"] and c not in bad)
    checked = settings.sources_dir is not None
    documents = _assertion_documents(store)
    per_source: dict[str, dict[str, set[Any]]] = {}
    verified_anywhere: set[Any] = set()
    for name, graph in sources.assertions.items():
        document, inferred = documents.get(name, ("(no source)", False))
        tally = per_source.setdefault(
            document, {"assertions": set(), "inferences": set(), "triples": set(), "ok": set()}
        )
        tally["assertions"].add(name)
        if inferred:
            tally["inferences"].add(name)
        tally["triples"].update(graph)
        if name not in bad and document != "(no source)":
            tally["ok"].update(graph)
            verified_anywhere.update(graph)
    coverage = ClaimCoverage(
        claims=len(claims),
        with_claimant=sum(1 for e in claims.values() if e["claimant"]),
        with_source=sum(1 for e in claims.values() if e["source"]),
        with_quote=sum(1 for e in claims.values() if e["quote"]),
        verified_quotes=verified,
    )
    sources_coverage = [
        SourceCoverage(
            document=document,
            assertions=len(tally["assertions"]),
            curator_inferences=len(tally["inferences"]),
            triples=len(tally["triples"]),
            verified_triples=len(tally["ok"]) if checked else None,
        )
        for document, tally in sorted(per_source.items())
    ]
    names = settings.graphs
    counts = store.graph_counts()
    return Stats(
        graphs={g: n for g, n in sorted(counts.items()) if not names.is_assertion(g)},
        classes=classes,
        coverage=coverage,
        unverified=unverified,
        asserted_triples=len(sources.asserted),
        verified_triples=len(verified_anywhere) if checked else None,
        sources=sources_coverage,
        assertion_graphs=sum(1 for g in counts if names.is_assertion(g)),
        sentences=sentence_coverage(
            settings.data_dir / SENTENCES_DIR, [s.document for s in sources_coverage]
        ),
    )


_ASSERTION_DOCUMENTS = (
    _PREFIXES
    + """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?assertion ?document ?inferred WHERE {
    ?assertion pkg:passage ?passage ; prov:wasDerivedFrom ?document .
    BIND (EXISTS { ?assertion a pkg:CuratorInference } AS ?inferred)
}
"""
)


def _assertion_documents(store: GraphStore) -> dict[str, tuple[str, bool]]:
    """Assertion IRI -> (the document it is derived from, whether a curator inferred it)."""
    return {
        row["assertion"]: (row["document"], row.get("inferred") == "true")
        for row in _rows(store, _ASSERTION_DOCUMENTS)
    }
