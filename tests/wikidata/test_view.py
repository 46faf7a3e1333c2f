"""The Wikidata-shaped view and the QuickStatements, on the test dataset (pure, no store)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from peacekg.load import LoadedSources
from peacekg.namespaces import PKG, PKGR, PQ, PR, PROV, PRV, PS, PSV, WD, WDP, WDT, WIKIBASE
from peacekg.reason import reason
from peacekg.wikidata import load_reference_ids
from peacekg.wikidata.view import (
    DAY,
    MONTH,
    YEAR,
    Reference,
    SomeValue,
    Statement,
    TimeValue,
    WikidataModel,
    date_snaks,
    dated_snaks,
    property_ids_used,
    quickstatements_text,
    statements,
    upload,
    view_graph,
)
from tests.conftest import REFERENCE, ROOT
from tests.wikidata.conftest import HERE, fixture_sources

BASE = "https://w3id.org/peacekg/"
EXPECTED = HERE / "expected"


@pytest.fixture(scope="module")
def sources() -> LoadedSources:
    return fixture_sources()


@pytest.fixture(scope="module")
def inferred(sources: LoadedSources) -> Graph:
    """What reasoning adds to the test dataset's facts, as the build reasons (asserted only)."""
    return reason(sources.ontology, sources.asserted).inferred


@pytest.fixture(scope="module")
def model(sources: LoadedSources, inferred: Graph) -> WikidataModel:
    return statements(sources, inferred)


@pytest.fixture(scope="module")
def view(model: WikidataModel) -> Graph:
    return view_graph(model, BASE)


def _dt(text: str) -> Literal:
    """An xsd:dateTime literal exactly as written (Wikidata's "Z", not rdflib's "+00:00")."""
    return Literal(text, datatype=XSD.dateTime, normalize=False)


def _tv(day: str, precision: int) -> TimeValue:
    return TimeValue(date.fromisoformat(day), precision)


# --- dates -----------------------------------------------------------------------------------


def test_date_snaks_single_day_is_point_in_time_at_day_precision() -> None:
    assert date_snaks(date(2022, 3, 10), date(2022, 3, 10)) == [
        ("P585", _tv("2022-03-10", DAY), ())
    ]


def test_date_snaks_late_march_is_month_with_earliest_and_latest() -> None:
    assert date_snaks(date(2022, 3, 21), date(2022, 3, 31)) == [
        (
            "P585",
            _tv("2022-03-01", MONTH),
            (("P1319", _tv("2022-03-21", DAY)), ("P1326", _tv("2022-03-31", DAY))),
        )
    ]


def test_date_snaks_whole_month_and_whole_year_need_no_bounds() -> None:
    assert date_snaks(date(2023, 2, 1), date(2023, 2, 28)) == [
        ("P585", _tv("2023-02-01", MONTH), ())
    ]
    assert date_snaks(date(2014, 1, 1), date(2014, 12, 31)) == [
        ("P585", _tv("2014-01-01", YEAR), ())
    ]


def test_date_snaks_mid_2023_is_year_with_bounds() -> None:
    assert date_snaks(date(2023, 5, 1), date(2023, 8, 31)) == [
        (
            "P585",
            _tv("2023-01-01", YEAR),
            (("P1319", _tv("2023-05-01", DAY)), ("P1326", _tv("2023-08-31", DAY))),
        )
    ]


def test_date_snaks_across_decades_is_start_and_end() -> None:
    assert date_snaks(date(2014, 2, 20), date(2022, 2, 24)) == [
        ("P580", _tv("2014-02-20", DAY), ()),
        ("P582", _tv("2022-02-24", DAY), ()),
    ]


def test_dated_snaks_ongoing_range_has_a_start_only() -> None:
    """ "2014–present": a span starting with a year; "present" is only the retrieval day."""
    assert dated_snaks(
        date(2014, 1, 1), date(2026, 11, 21), PKG["precision-range"], ongoing=True
    ) == [("P580", _tv("2014-01-01", YEAR), ())]
    assert dated_snaks(date(2022, 2, 1), date(2023, 12, 31), PKG["precision-range"]) == [
        ("P580", _tv("2022-02-01", MONTH), ()),
        ("P582", _tv("2023-01-01", YEAR), ()),
    ]


def test_dated_snaks_several_stated_months_are_start_and_end() -> None:
    assert dated_snaks(date(2022, 2, 1), date(2022, 5, 31), PKG["precision-month"]) == [
        ("P580", _tv("2022-02-01", MONTH), ()),
        ("P582", _tv("2022-05-01", MONTH), ()),
    ]


@pytest.mark.parametrize("precision", ["precision-not-stated", "precision-relative"])
def test_dated_snaks_unknown_date_is_somevalue_within_bounds(precision: str) -> None:
    assert dated_snaks(date(2022, 9, 1), date(2026, 11, 21), PKG[precision]) == [
        (
            "P585",
            SomeValue(),
            (("P1319", _tv("2022-09-01", DAY)), ("P1326", _tv("2026-11-21", DAY))),
        )
    ]


def test_somevalue_is_a_skolem_iri_in_rdf_and_somevalue_in_quickstatements() -> None:
    statement = Statement(WD.Q7747, "P585", SomeValue(), (("P1319", _tv("2023-01-01", DAY)),))
    model = WikidataModel(statements=[statement])
    view = view_graph(model, BASE)
    (value,) = view.objects(WD.Q7747, WDT.P585)
    assert str(value).startswith(BASE + ".well-known/genid/")
    (node,) = view.objects(WD.Q7747, WDP.P585)
    assert (node, PS.P585, value) in view
    text, skipped = quickstatements_text(model)
    assert (text, skipped) == ("", [statement])  # no citable reference
    cited = Statement(
        WD.Q7747,
        "P585",
        SomeValue(),
        (("P1319", _tv("2023-01-01", DAY)),),
        (Reference((("P854", URIRef("https://example.org/a")),)),),
    )
    assert quickstatements_text(WikidataModel(statements=[cited]))[0] == (
        'Q7747\tP585\tsomevalue\tP1319\t+2023-01-01T00:00:00Z/11\tS854\t"https://example.org/a"\n'
    )


def test_time_value_literal_and_quickstatements_forms() -> None:
    value = _tv("2022-03-01", MONTH)
    assert value.literal() == _dt("2022-03-01T00:00:00Z")
    assert str(value.literal()) == "2022-03-01T00:00:00Z"
    assert value.quickstatements() == "+2022-03-00T00:00:00Z/10"
    assert _tv("2014-01-01", YEAR).quickstatements() == "+2014-00-00T00:00:00Z/9"


# --- the RDF view ----------------------------------------------------------------------------


def _statement(view: Graph, subject: URIRef, pid: str, value: object) -> URIRef:
    nodes = [s for s in view.objects(subject, WDP[pid]) if (s, PS[pid], value) in view]
    assert len(nodes) == 1, f"{subject} {pid} {value}: {nodes}"
    node = nodes[0]
    assert isinstance(node, URIRef)
    return node


def test_round_has_truthy_and_full_point_in_time_with_precision(view: Graph) -> None:
    round4 = PKGR["round-2022-03-10-antalya"]
    day = _dt("2022-03-10T00:00:00Z")
    assert (round4, WDT.P585, day) in view
    node = _statement(view, round4, "P585", day)
    assert (node, RDF.type, WIKIBASE.Statement) in view
    assert (node, WIKIBASE.rank, WIKIBASE.NormalRank) in view
    value = view.value(node, PSV.P585)
    assert view.value(value, WIKIBASE.timePrecision) == Literal(DAY, datatype=XSD.integer)
    assert view.value(value, WIKIBASE.timeValue) == day


def test_imprecise_date_has_month_precision_and_bounds(view: Graph) -> None:
    meetings = PKGR["istanbul-meetings-2022"]
    month = _dt("2022-03-01T00:00:00Z")
    node = _statement(view, meetings, "P585", month)
    assert view.value(view.value(node, PSV.P585), WIKIBASE.timePrecision) == Literal(
        MONTH, datatype=XSD.integer
    )
    assert view.value(node, PQ.P1319) == _dt("2022-03-21T00:00:00Z")
    assert view.value(node, PQ.P1326) == _dt("2022-03-31T00:00:00Z")


def test_month_span_is_start_and_end_time_at_month_precision(view: Graph) -> None:
    talks = PKGR["russia-ukraine-talks-2022"]
    assert set(view.objects(talks, WDT.P580)) == {_dt("2022-02-01T00:00:00Z")}
    assert set(view.objects(talks, WDT.P582)) == {_dt("2022-05-01T00:00:00Z")}
    assert (talks, WDT.P585, None) not in view


def test_host_and_mediator_are_participants_with_object_role(view: Graph) -> None:
    host = _statement(view, PKGR["round-2022-03-10-antalya"], "P710", WD.Q43)
    assert set(view.objects(host, PQ.P3831)) == {PKG.Host}
    mediator = _statement(view, PKGR["istanbul-meetings-2022"], "P710", WD.Q43)
    assert set(view.objects(mediator, PQ.P3831)) == {PKG.Mediator}
    party = _statement(view, PKGR["istanbul-meetings-2022"], "P710", WD.Q212)
    assert set(view.objects(party, PQ.P3831)) == {PKG.Party}


def test_reference_has_stated_in_retrieved_and_quotation(view: Graph) -> None:
    round4 = PKGR["round-2022-03-10-antalya"]
    node = _statement(view, round4, "P276", WD.Q406)
    refs = list(view.objects(node, PROV.wasDerivedFrom))
    assert len(refs) == 1
    ref = refs[0]
    assert (ref, RDF.type, WIKIBASE.Reference) in view
    assert view.value(ref, PR.P248) == PKGR["source-encyclopedia-summary"]
    assert view.value(ref, PR.P813) == _dt("2026-11-21T00:00:00Z")
    assert view.value(view.value(ref, PRV.P813), WIKIBASE.timePrecision) == Literal(
        DAY, datatype=XSD.integer
    )
    assert view.value(ref, PR.P1683) == Literal(
        "A fourth and fifth round of talks were respectively held on 10 and 14 March in "
        "Antalya, Turkey.",
        lang="en",
    )


def test_claim_quotation_is_disputed_by_the_reply_both_ways(view: Graph) -> None:
    nuland, reply = PKGR["claim-nuland-us-uk-advised"], PKGR["claim-reply-advising-is-not-blocking"]
    (quote,) = view.objects(nuland, WDT.P1683)
    node = _statement(view, nuland, "P1683", quote)
    # Asserted on the reply only; OWL RL's symmetric closure (prp-symp) adds this direction.
    assert set(view.objects(node, PQ.P1310)) == {reply}
    assert set(view.objects(node, PQ.P5102)) == {PKG["hedge-second-hand"]}
    (reply_quote,) = view.objects(reply, WDT.P1683)
    assert set(view.objects(_statement(view, reply, "P1683", reply_quote), PQ.P1310)) == {nuland}
    ref = view.value(node, PROV.wasDerivedFrom)
    assert view.value(ref, PR.P50) == PKGR["glenn-diesen"]  # the post's author, the relay
    assert view.value(ref, PR.P854) == URIRef(
        "https://x.com/glenn_diesen/status/1833138756779438264"  # share parameters removed
    )


def test_claimant_with_a_qid_is_the_wikidata_item(view: Graph) -> None:
    claim = PKGR["claim-putin-goal-donbas"]
    assert set(view.objects(claim, WDT.P50)) == {WD.Q7747}
    assert set(view.objects(claim, WDT.P31)) == {PKG.Claim}
    supported = _statement(
        view, PKGR["claim-reply-advising-is-not-blocking"], "P50", PKGR["author-of-reply"]
    )
    assert supported is not None
    (reply_quote,) = view.objects(PKGR["claim-reply-advising-is-not-blocking"], WDT.P1683)
    node = _statement(view, PKGR["claim-reply-advising-is-not-blocking"], "P1683", reply_quote)
    assert set(view.objects(node, PQ.P3680)) == {claim}


def test_entities_without_a_qid_keep_our_iris(view: Graph) -> None:
    assert (PKGR["claim-nuland-us-uk-advised"], WDT.P50, PKGR["victoria-nuland"]) in view
    assert (WD.Q43, WDT.P31, WD.Q3624078) in view  # pkg:State skos:exactMatch wd:Q3624078
    assert (WD.Q43, WDT.P35, WD.Q39259) in view  # from the head-of-state mandate
    assert (PKGR.turkey, None, None) not in view  # linked: only its item appears


def test_view_without_labels_repeats_nothing_of_the_served_graphs(
    sources: LoadedSources, inferred: Graph, model: WikidataModel
) -> None:
    """The union default graph returns a triple once per graph holding it: no overlap."""
    served = view_graph(model, BASE, with_labels=False)
    for graph in (
        sources.asserted,
        sources.provenance,
        sources.alignment,
        sources.ontology,
        inferred,
    ):
        assert not [t for t in served if t in graph]


# --- IDs only from the reference list ---------------------------------------------------------


def test_every_property_used_is_in_the_reference_list(model: WikidataModel) -> None:
    allowed = load_reference_ids(REFERENCE)
    assert property_ids_used(model) <= set(allowed)


def _ids_in(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    ids = set(re.findall(r"(?:wd:|wdt:|/entity/|/direct/|/prop/)((?:P|Q)\d+)", text))
    ids |= set(re.findall(r"[\"'(\s]((?:P|Q)\d+)[\"'),\s]", text))
    return ids


def test_every_wikidata_id_in_our_files_is_in_the_reference_list() -> None:
    allowed = set(load_reference_ids(REFERENCE))
    files = [
        ROOT / "src" / "peacekg" / "wikidata" / "view.py",
        ROOT / "src" / "peacekg" / "wikidata" / "client.py",
        ROOT / "src" / "peacekg" / "wikidata" / "compare.py",
        ROOT / "src" / "peacekg" / "wikidata" / "reference.tsv",
        ROOT / "src" / "peacekg" / "web" / "wdqs.py",
        *sorted(HERE.glob("test_*.py")),
        *sorted((HERE / "fixtures").rglob("*.ttl")),
        *sorted((ROOT / "queries" / "examples").glob("9[0-9]-*.rq")),
    ]
    for path in files:
        assert _ids_in(path) <= allowed, path


# --- QuickStatements -------------------------------------------------------------------------


def test_quickstatements_golden(model: WikidataModel) -> None:
    text, _ = quickstatements_text(model)
    assert text == (EXPECTED / "quickstatements.txt").read_text(encoding="utf-8") == ""
    # Every document of the test dataset lacks a URL and an item: nothing an editor could
    # check. Istanbul in Turkey would be refused anyway: P131 never takes a country.
    no_citation = "no citable reference (no reference URL or source item)"
    assert sorted(
        (str(s.subject), s.pid, str(s.value), why) for s, why in upload(model).left_out
    ) == [
        (
            str(WD.Q110999040),
            "P585",
            "TimeValue(day=datetime.date(2022, 2, 1), precision=10)",
            no_citation,
        ),
        (str(WD.Q110999040), "P710", str(WD.Q159), no_citation),
        (str(WD.Q110999040), "P710", str(WD.Q212), no_citation),
        (str(WD.Q406), "P131", str(WD.Q43), "constraint: P131 value must not be a pkg:State"),
        (str(WD.Q43), "P35", str(WD.Q39259), no_citation),
        (str(WD.Q43), "P463", str(WD.Q7184), no_citation),
    ]


def _cited(statement: Statement, url: str = "https://example.org/a?utm_source=x&id=7") -> Statement:
    reference = Reference((("P854", URIRef(url)), ("P1476", Literal("A title", lang="en"))))
    return replace(statement, references=(reference,))


def test_upload_writes_cited_constraint_clean_statements_and_says_why_not() -> None:
    state, person, place = PKG.State, PKG.Person, PKG.Place
    model = WikidataModel(
        statements=[
            _cited(Statement(WD.Q43, "P35", WD.Q39259, (("P580", _tv("2014-08-28", DAY)),))),
            _cited(Statement(WD.Q406, "P131", WD.Q43)),
            _cited(Statement(WD.Q43, "P35", WD.Q39259, (("P1545", Literal("1")),))),
            _cited(Statement(WD.Q406, "P585", _tv("2022-03-29", DAY))),
            _cited(Statement(WD.Q406, "P585", _tv("2022-03-30", DAY))),
            Statement(WD.Q43, "P463", WD.Q7184, (), (Reference((("P1476", Literal("t")),)),)),
        ],
        types={WD.Q43: {state, place, PKG.Agent}, WD.Q39259: {person}, WD.Q406: {place}},
    )
    result = upload(model)
    assert result.text() == (
        "Q43\tP35\tQ39259\tP580\t+2014-08-28T00:00:00Z/11\t"
        'S854\t"https://example.org/a?id=7"\tS1476\ten:"A title"\n'
    )
    assert [(s.subject, s.pid, why) for s, why in result.left_out] == [
        (WD.Q406, "P131", "constraint: P131 value must not be a pkg:State"),
        (WD.Q43, "P35", "constraint: P35 does not take the qualifier(s) P1545"),
        (WD.Q43, "P463", "constraint: P463 value must be a pkg:Organisation"),
        (WD.Q406, "P585", "constraint: P585 takes a single value"),
        (WD.Q406, "P585", "constraint: P585 takes a single value"),
    ]


def test_quickstatements_only_about_items_and_never_our_iris(model: WikidataModel) -> None:
    text, _ = quickstatements_text(model)
    for line in text.splitlines():
        cells = line.split("\t")
        assert re.fullmatch(r"Q\d+", cells[0])
        assert "w3id.org" not in line
        assert {"S1476", "S854", "S248"} & set(cells[3:])
