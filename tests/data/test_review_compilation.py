"""Issue 11, the compiled text (summary, X post, reply): each error the review found, and each
missing statement, pinned to the exact triples of the assertions that now state it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg.load import LoadedSources, load
from peacekg.namespaces import PKG, PKGA, PKGR, PROV
from peacekg.passages import document_texts
from tests.conftest import ROOT, SEEDS

SUMMARY = PKGR["source-encyclopedia-summary"]
POST = PKGR["source-diesen-post"]
REPLY = PKGR["source-reply-to-diesen-post"]
COMPILED = (SUMMARY, POST, REPLY)
INVASION = PKGR["russian-invasion-of-ukraine"]
Triple = tuple[Node, Node, Node]


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    return load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")


def _date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def _graph(sources: LoadedSources, name: str) -> set[Triple]:
    return set(sources.assertions[str(PKGA[name])])


def _kind(sources: LoadedSources, name: str) -> set[Node]:
    return set(sources.provenance.objects(PKGA[name], RDF.type))


def _from(sources: LoadedSources, documents: tuple[URIRef, ...]) -> Iterator[Graph]:
    """The assertion graphs derived from any of ``documents``."""
    for name, graph in sources.assertions.items():
        if sources.provenance.value(URIRef(name), PROV.wasDerivedFrom) in documents:
            yield graph


def _triples(
    sources: LoadedSources, documents: tuple[URIRef, ...], predicate: URIRef
) -> set[Triple]:
    return {
        t for graph in _from(sources, documents) for t in graph.triples((None, predicate, None))
    }


def test_error_3_the_invasion_starts_four_days_before_28_february_2022(
    sources: LoadedSources,
) -> None:
    assert _graph(sources, "summary-event-invasion-start") == {
        (INVASION, PKG.earliestDate, _date("2022-02-24"))
    }
    assert _kind(sources, "summary-event-invasion-start") == {PKG.CuratorInference}
    reason = str(
        sources.provenance.value(PKGA["summary-event-invasion-start"], PKG.inferenceReason)
    )
    assert "four days after the start of the invasion" in reason
    assert "24 February 2022" in reason
    from_compiled = {t for t in _triples(sources, COMPILED, PKG.earliestDate) if t[0] == INVASION}
    assert from_compiled == {(INVASION, PKG.earliestDate, _date("2022-02-24"))}


def test_error_3_the_graph_gives_the_invasion_one_earliest_date(sources: LoadedSources) -> None:
    assert set(sources.asserted.objects(INVASION, PKG.earliestDate)) == {_date("2022-02-24")}


def test_error_4_following_the_counteroffensive_is_a_sequence_not_a_cause(
    sources: LoadedSources,
) -> None:
    calls = PKGR["russia-renewed-calls-for-talks"]
    assert _graph(sources, "summary-event-russia-renewed-calls-order") == {
        (calls, PKG.follows, PKGR["counteroffensive-2022-eastern-ukraine"])
    }
    assert str(PKGA["summary-event-russia-renewed-calls-cause"]) not in sources.assertions
    assert _triples(sources, COMPILED, PKG.hasCause) == set()


def test_error_5_the_reply_disputes_only_the_post_and_qualifies_nuland(
    sources: LoadedSources,
) -> None:
    c = PKGR
    assert _triples(sources, (REPLY,), PKG.disputes) == {
        (
            c["claim-reply-advising-not-blocking"],
            PKG.disputes,
            c["claim-mediators-us-pressured-zelenskyy"],
        ),
        (
            c["claim-reply-putin-turned-it-down"],
            PKG.disputes,
            c["claim-mediators-us-pressured-zelenskyy"],
        ),
        (c["claim-reply-not-a-surrogate-war"], PKG.disputes, c["claim-mediators-us-weaken-rival"]),
    }
    assert _triples(sources, (REPLY,), PKG.qualifies) == {
        (
            c["claim-reply-framework-not-agreement"],
            PKG.qualifies,
            c["claim-nuland-us-uk-advised-abandoning"],
        ),
        (
            c["claim-reply-framework-not-agreement"],
            PKG.qualifies,
            c["claim-mediators-us-pressured-zelenskyy"],
        ),
        (
            c["claim-reply-advising-not-blocking"],
            PKG.qualifies,
            c["claim-nuland-us-uk-advised-abandoning"],
        ),
    }
    stance = {PKG.disputes, PKG.qualifies, PKG.supports}
    targets = {o for graph in _from(sources, (REPLY,)) for _, p, o in graph if p in stance}
    assert {sources.asserted.value(t, PKG.statedIn) for t in targets} <= {POST, REPLY}


def test_error_8_the_concessions_are_the_quoted_sources_words_relayed_by_the_summary(
    sources: LoadedSources,
) -> None:
    claim = PKGR["claim-far-reaching-concessions"]
    unnamed = PKGR["unnamed-source-quoted-on-concessions"]
    graph = sources.assertions[str(PKGA["claim-far-reaching-concessions"])]
    assert set(graph.objects(claim, PKG.claimant)) == {unnamed}
    assert set(graph.objects(claim, PKG.relayedBy)) == {PKGR["author-of-encyclopedia-summary"]}
    assert set(graph.objects(claim, PKG.hedging)) == {PKG["hedge-anonymous-source"]}
    assert _graph(sources, "summary-actor-unnamed-source-concessions") == {
        (unnamed, RDF.type, PKG.Agent),
        (
            unnamed,
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Unnamed source the summary quotes on 'far-reaching concessions'", lang="en"),
        ),
    }
    assert _kind(sources, "summary-actor-unnamed-source-concessions") == {PKG.CuratorInference}
    # What the summary says in its own voice stays the author's claim.
    almost = PKGR["claim-talks-almost-reached-agreement"]
    assert set(sources.asserted.objects(almost, PKG.claimant)) == {
        PKGR["author-of-encyclopedia-summary"]
    }


def test_error_10_western_countries_are_one_guarantor_with_two_named_members(
    sources: LoadedSources,
) -> None:
    western = PKGR["western-countries"]
    communique, provision = PKGR["istanbul-communique"], PKGR["istanbul-communique-guarantors"]
    assert _triples(sources, COMPILED, PKG.guarantor) == {
        (communique, PKG.guarantor, PKGR.russia),
        (communique, PKG.guarantor, western),
        (provision, PKG.guarantor, PKGR.russia),
        (provision, PKG.guarantor, western),
    }
    assert _triples(sources, COMPILED, PKG.memberOf) == {
        (PKGR["united-states"], PKG.memberOf, western),
        (PKGR["united-kingdom"], PKG.memberOf, western),
    }


def test_error_9_every_date_as_stated_is_the_sources_words(sources: LoadedSources) -> None:
    texts = document_texts(sources.provenance, SEEDS)
    for document in COMPILED:
        for graph in _from(sources, (document,)):
            for node, value in graph.subject_objects(PKG.dateAsStated):
                assert str(value) == "not stated" or str(value) in texts[str(document)].text, (
                    node,
                    value,
                )
    assert set(sources.asserted.objects(PKGR["russia-ukraine-peace-talks"], PKG.dateAsStated)) == {
        Literal("28 February 2022")
    }
    assert set(
        sources.asserted.objects(PKGR["russia-ukraine-direct-talks-2022"], PKG.dateAsStated)
    ) == {Literal("28 February 2022"), Literal("May 2022")}


def test_missing_the_delegations_return_to_their_capitals_for_consultations(
    sources: LoadedSources,
) -> None:
    event = PKGR["consultations-after-first-round-2022"]
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert _graph(sources, "summary-event-first-round-consultations") == {
        (event, RDF.type, PKG.Deliberation),
        (
            event,
            label,
            Literal(
                "Delegations return to their capitals for consultations after the first round"
                " (2022)",
                lang="en",
            ),
        ),
        (event, PKG.party, PKGR["russian-delegation"]),
        (event, PKG.party, PKGR["ukrainian-delegation"]),
    }
    assert _kind(sources, "summary-event-first-round-consultations") == {PKG.StatedAssertion}
    assert _graph(sources, "summary-event-first-round-consultations-context") == {
        (event, PKG.about, PKGR["russia-ukraine-direct-talks-2022"]),
        (event, PKG.dateAsStated, Literal("not stated")),
        (event, PKG.datePrecision, PKG["precision-not-stated"]),
        (event, PKG.earliestDate, _date("2022-02-28")),
        (event, PKG.latestDate, _date("2022-03-03")),
        (event, PKG.follows, PKGR["round-2022-02-28-belarus"]),
        (event, PKG.locationStatus, PKG["location-various"]),
    }
    assert _kind(sources, "summary-event-first-round-consultations-context") == {
        PKG.CuratorInference
    }


def test_missing_the_armistice_as_the_talks_intended_end(sources: LoadedSources) -> None:
    assert _graph(sources, "summary-event-peace-talks-armistice") == {
        (PKGR["russia-ukraine-peace-talks"], PKG.addressesIssue, PKG["issue-ceasefire"])
    }
    assert _kind(sources, "summary-event-peace-talks-armistice") == {PKG.CuratorInference}


def test_missing_the_envoys_admission_as_the_replys_evidence(sources: LoadedSources) -> None:
    assert _triples(sources, (REPLY,), PKG.supports) == {
        (
            PKGR["claim-reply-russia-demanded-unjust-peace"],
            PKG.supports,
            PKGR["claim-reply-advising-not-blocking"],
        ),
        (
            PKGR["claim-chief-envoy-putin-wanted-land"],
            PKG.supports,
            PKGR["claim-reply-putin-turned-it-down"],
        ),
        (
            PKGR["claim-putin-primary-goal-donbas"],
            PKG.supports,
            PKGR["claim-reply-putin-turned-it-down"],
        ),
    }


def test_claims_carry_their_content_as_statements(sources: LoadedSources) -> None:
    """The claims this review split or completed: subject, predicate, object or value."""

    def content(claim: str) -> tuple[set[Node], set[Node], set[Node], set[Node], set[Node]]:
        node = PKGR[claim]
        return (
            set(sources.asserted.objects(node, PKG.claimSubject)),
            set(sources.asserted.objects(node, PKG.claimPredicate)),
            set(sources.asserted.objects(node, PKG.claimObject)),
            set(sources.asserted.objects(node, PKG.claimValue)),
            set(sources.asserted.objects(node, PKG.claimNegated)),
        )

    assert content("claim-russia-not-committed-to-peace") == (
        {PKGR.russia},
        {PKG["rel-committed-to"]},
        set(),
        {Literal("peace")},
        {Literal(True)},
    )
    assert content("claim-russia-stalling-for-time") == (
        {PKGR.russia},
        {PKG["rel-stalling-for-time"]},
        {PKGR["russia-ukraine-peace-talks"]},
        set(),
        set(),
    )
    assert content("claim-talks-almost-reached-agreement") == (
        {PKGR["russia-ukraine-direct-talks-2022"]},
        {PKG.outcome},
        {PKG["outcome-agreement-reached"]},
        set(),
        {Literal(True)},
    )
    assert content("claim-diesen-israel-turkey-mediators") == (
        {PKGR["russia-ukraine-direct-talks-2022"]},
        {PKG.mediator},
        {PKGR.israel, PKGR.turkey},
        set(),
        set(),
    )
    assert set(
        sources.asserted.objects(PKGR["claim-putin-primary-goal-donbas"], PKG.dateAsStated)
    ) == {Literal("recently")}
