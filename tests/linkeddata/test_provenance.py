"""Provenance per statement (issue 10) on the linked-data site: each statement's source and
quote on entity pages and in their RDF documents, assertion pages, and the dumps' graphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

from peacekg import __version__
from peacekg.config import Settings
from peacekg.describe import select
from peacekg.load import load
from peacekg.namespaces import OA, PKG, PKGA, PKGR, PROV
from peacekg.passages import verify_quotes
from peacekg.store import EmbeddedStore
from tests.conftest import SEEDS

MEETING = PKGR["istanbul-meeting-2022"]
PROVENANCE = URIRef("https://w3id.org/peacekg/graph/provenance")
ASSERTED = URIRef("https://w3id.org/peacekg/graph/asserted")
MEETING_PASSAGE = (
    "by the end of March Russia and Ukraine negotiators produced the Istanbul Communiqué"
)
DATE_REASON = (
    "'by the end of March' read as late March 2022 (21 to 31 March), after the first round of"
    " 28 February"
)


@dataclass
class Row:
    """One row of a statements table: its class, cell texts and the provenance cell's parts."""

    css: str
    cells: list[str] = field(default_factory=list)
    #: (tag, class, href, title, text) of each element in the provenance cell.
    parts: list[tuple[str, str, str, str, str]] = field(default_factory=list)


class _Statements(HTMLParser):
    """The rows of the page's statement tables and its footnotes (``li`` of ``ol.sources``)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.notes: dict[str, str] = {}
        self._table = False
        self._cell: list[str] | None = None
        self._in_provenance = False
        self._open: list[list[str | list[str]]] = []
        self._note: str | None = None
        self._note_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and "statements" in a.get("class", ""):
            self._table = True
        elif self._table and tag == "tr":
            self.rows.append(Row(a.get("class", "")))
        elif self._table and tag == "td":
            self._cell = []
            self._in_provenance = a.get("class") == "provenance"
        elif self._in_provenance and tag in {"a", "span"}:
            self._open.append([tag, a.get("class", ""), a.get("href", ""), a.get("title", ""), []])
        if tag == "li" and a.get("id", "").startswith("source-"):
            self._note, self._note_text = a["id"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = False
        elif self._table and tag == "td" and self._cell is not None:
            self.rows[-1].cells.append(" ".join("".join(self._cell).split()))
            self._cell, self._in_provenance = None, False
        elif self._in_provenance and tag in {"a", "span"} and self._open:
            tag_, css, href, title, text = self._open.pop()
            assert isinstance(text, list)
            self.rows[-1].parts.append(
                (str(tag_), str(css), str(href), str(title), "".join(text).strip())
            )
        if tag == "li" and self._note:
            self.notes[self._note] = " ".join("".join(self._note_text).split())
            self._note = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for element in self._open:
            text = element[4]
            assert isinstance(text, list)
            text.append(data)
        if self._note:
            self._note_text.append(data)


def _statements(client: FlaskClient, path: str) -> _Statements:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Statements()
    parser.feed(response.get_data(as_text=True))
    return parser


def _row(page: _Statements, first: str, second: str, *, inferred: bool = False) -> Row:
    """The one row whose first cells are ``first`` and ``second`` (asserted, or inferred)."""
    [row] = [
        r for r in page.rows if r.cells[:2] == [first, second] and (r.css == "inferred") == inferred
    ]
    return row


def test_stated_statement_shows_its_document_and_exact_quote(client: FlaskClient) -> None:
    page = _statements(client, "/page/istanbul-meeting-2022")
    # One row for the fact and its reasoner-inferred echo prov:generated (issue 12).
    row = _row(page, "produced pkg:produced = prov:generated", "Istanbul Communiqué")
    assert row.css == ""
    assert row.parts == [
        ("a", "src-doc", "/page/source-summary", MEETING_PASSAGE, "Summary of the talks"),
        ("a", "src-note", "#source-3", "", "3"),
        ("span", "src src-stated", "", "", "Summary of the talks3"),
    ]
    assert page.notes["source-3"] == (
        f"Stated in Summary of the talks: {MEETING_PASSAGE} assertion summary-istanbul-meeting"
    )
    # An incoming statement names its source too: the claim about the meeting, from the post.
    about = _row(
        page,
        "Nuland: US and UK advised Ukraine to abandon the Istanbul agreement",
        "about pkg:about = dcterms:subject schema:about",
    )
    assert about.parts[0] == (
        "a",
        "src-doc",
        "/page/source-diesen-post",
        "Victoria Nuland confirms the US and UK “advised” Ukraine to abandon the Istanbul"
        " peace agreement",
        "Post by Glenn Diesen",
    )


def test_curator_inference_shows_its_reason(client: FlaskClient) -> None:
    page = _statements(client, "/page/istanbul-meeting-2022")
    row = _row(page, "date as stated", "late March 2022")
    assert row.parts == [
        ("span", "inference-badge", "", DATE_REASON, "curator inference"),
        ("a", "src-doc", "/page/source-summary", MEETING_PASSAGE, "Summary of the talks"),
        ("a", "src-note", "#source-1", "", "1"),
        ("span", "src src-curator", "", "", "curator inference Summary of the talks1"),
    ]
    assert page.notes["source-1"] == (
        f"curator inference from Summary of the talks: {MEETING_PASSAGE} Reason: {DATE_REASON}"
        " assertion summary-istanbul-meeting-date"
    )


def test_reasoner_inference_is_marked_inferred(client: FlaskClient) -> None:
    page = _statements(client, "/page/istanbul-meeting-2022")
    row = _row(page, "participant", "Turkey", inferred=True)
    assert row.parts == [
        (
            "span",
            "inferred-badge",
            "",
            "added by OWL 2 RL reasoning: in the inferred graph only, stated by no source",
            "inferred",
        )
    ]
    # The asserted statement that it is inferred from is not marked inferred.
    assert _row(page, "mediator", "Turkey").parts[0][1] == "inference-badge"
    assert [r.cells[:2] for r in page.rows if r.cells[:2] == ["participant", "Turkey"]] == [
        ["participant", "Turkey"]
    ]


def test_each_source_is_one_footnote(client: FlaskClient) -> None:
    page = _statements(client, "/page/istanbul-meeting-2022")
    assert sorted(page.notes) == [f"source-{n}" for n in range(1, 6)]
    notes = [(r.cells[0], p[2]) for r in page.rows for p in r.parts if p[1] == "src-note"]
    assert len(notes) == 16
    assert {href for _cell, href in notes} == {f"#source-{n}" for n in range(1, 6)}


def test_assertion_iri_dereferences_to_its_page(client: FlaskClient) -> None:
    iri = "/assertion/summary-istanbul-meeting-date"
    assert client.get(iri, headers={"Accept": "text/html"}).headers["Location"] == (
        "/assertions/summary-istanbul-meeting-date"
    )
    response = client.get(iri, headers={"Accept": "application/trig"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/assertions/summary-istanbul-meeting-date.trig"
    page = _statements(client, "/assertions/summary-istanbul-meeting-date")
    assert [r.cells for r in page.rows[1:]] == [
        ["Istanbul meeting", "date as stated", "late March 2022"],
        ["Istanbul meeting", "date precision", "part of month"],
        ["Istanbul meeting", "earliest date", "2022-03-21"],
        ["Istanbul meeting", "follows", "First round of Russia–Ukraine talks"],
        ["Istanbul meeting", "latest date", "2022-03-31"],
    ]
    html = client.get("/assertions/summary-istanbul-meeting-date").get_data(as_text=True)
    assert "Inferred by a curator from" in html and "characters 660–743" in html
    assert client.get("/assertion/no-such-assertion").status_code == 404


def test_assertion_document_holds_its_graph_and_provenance(client: FlaskClient) -> None:
    response = client.get("/assertions/summary-istanbul-meeting-date.trig")
    assert response.headers["Content-Type"] == "application/trig"
    dataset = Dataset()
    dataset.parse(data=response.get_data(as_text=True), format="trig")
    name = PKGA["summary-istanbul-meeting-date"]
    assert set(dataset.graph(name)) == {
        (MEETING, PKG.dateAsStated, Literal("late March 2022")),
        (MEETING, PKG.datePrecision, PKG["precision-part-of-month"]),
        (MEETING, PKG.earliestDate, Literal("2022-03-21", datatype=URIRef(XSD_DATE))),
        (MEETING, PKG.latestDate, Literal("2022-03-31", datatype=URIRef(XSD_DATE))),
        (MEETING, PKG.follows, PKGR["round-2022-02-28"]),
    }
    provenance = dataset.graph(PROVENANCE)
    assert (name, RDF.type, PKG.CuratorInference) in provenance
    assert (name, PKG.inferenceReason, Literal(DATE_REASON, lang="en")) in provenance
    assert (name, PROV.wasDerivedFrom, PKGR["source-summary"]) in provenance
    [exact] = provenance.objects(None, OA.exact)
    assert str(exact) == MEETING_PASSAGE


XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def test_entity_document_keeps_each_statement_in_its_assertion(client: FlaskClient) -> None:
    dataset = Dataset()
    dataset.parse(
        data=client.get("/data/istanbul-meeting-2022.trig").get_data(as_text=True), format="trig"
    )
    produced = (MEETING, PKG.produced, PKGR["istanbul-communique"])
    graphs = {str(g) for _s, _p, _o, g in dataset.quads((*produced, None))}
    assert graphs == {str(ASSERTED), str(PKGA["summary-istanbul-meeting"])}
    provenance = dataset.graph(PROVENANCE)
    assertion = PKGA["summary-istanbul-meeting"]
    assert (assertion, RDF.type, PKG.StatedAssertion) in provenance
    passage = provenance.value(assertion, PKG.passage)
    assert (passage, OA.hasSource, PKGR["source-summary"]) in provenance
    # Triple formats: the facts once each, with the assertions' provenance beside them.
    graph = Graph().parse(
        data=client.get("/data/istanbul-meeting-2022.ttl").get_data(as_text=True),
        format="turtle",
    )
    assert produced in graph
    assert (assertion, PROV.wasDerivedFrom, PKGR["source-summary"]) in graph


def test_dumps_keep_each_assertion_graph(client: FlaskClient, ld_settings: Settings) -> None:
    sources = load(ld_settings.ontology_dir, ld_settings.data_dir, ld_settings.shapes_path)
    dataset = Dataset()
    dataset.parse(
        data=client.get(f"/dumps/peacekg-{__version__}.trig").get_data(as_text=True),
        format="trig",
    )
    names = ld_settings.graphs
    dumped = {
        str(g.identifier): to_isomorphic(g)
        for g in dataset.graphs()
        if names.is_assertion(g.identifier)
    }
    assert dumped == {iri: to_isomorphic(graph) for iri, graph in sources.assertions.items()}
    for name, graph in ((names.asserted, sources.asserted), (names.provenance, sources.provenance)):
        assert to_isomorphic(dataset.graph(URIRef(name))) == to_isomorphic(graph), name
    # Turtle is the endpoint's default graph: the union graphs, each triple once.
    turtle = Graph().parse(
        data=client.get(f"/dumps/peacekg-{__version__}.ttl").get_data(as_text=True),
        format="turtle",
    )
    [row] = select(
        EmbeddedStore.for_graphs(ld_settings.store_path, names),
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    )
    assert len(turtle) == int(row["n"])
    assert len(turtle) > len(sources.asserted)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source texts are not stored here")
def test_fixture_passages_are_real(ld_settings: Settings) -> None:
    """The fixture builds without the texts; its passages and quotes are still verbatim."""
    sources = load(ld_settings.ontology_dir, ld_settings.data_dir, ld_settings.shapes_path)
    assert len(sources.assertions) == 28  # two added for issue 12 (NATO, Antalya rounds)
    assert verify_quotes(sources, SEEDS) == []
