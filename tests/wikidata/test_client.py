"""WikidataClient (retries, User-Agent) and the pure check/enrich logic; then the stand-in.

The retry tests run a real HTTP server on 127.0.0.1 that answers 429/503 before 200; the
check and enrich tests ask the real ``oxigraph serve`` stand-in (marked slow).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDFS, Graph, Literal, URIRef

from peacekg.cli import main
from peacekg.config import Settings
from peacekg.namespaces import PKG, PROV, SCHEMA, WD, WDT
from peacekg.pipeline import build
from peacekg.store import EmbeddedStore
from peacekg.wikidata.client import (
    EntityFacts,
    LinkedEntity,
    Mismatch,
    WikidataClient,
    WikidataError,
    check_links,
    enrichment_graph,
    expected_classes,
    label_fits,
    linked_entities,
)
from tests.wikidata.conftest import fixture_graphs, project_settings

ID = "https://w3id.org/peacekg/id/"
OK_BODY = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{}]}}).encode()


# --- the client against a scripted local HTTP server -----------------------------------------


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers with the next (status, headers) of the server's script, then 200."""

    def do_POST(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        server.seen.append(dict(self.headers))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, headers = server.script.pop(0) if server.script else (200, {})
        body = OK_BODY if status == 200 else b"busy"
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class _Server(http.server.ThreadingHTTPServer):
    script: list[tuple[int, dict[str, str]]]
    seen: list[dict[str, str]]


@pytest.fixture
def scripted() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Scripted)
    server.script, server.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _client(server: _Server, waits: list[float], **options: object) -> WikidataClient:
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    return WikidataClient(url, contact="ops@example.org", sleep=waits.append, **options)  # type: ignore[arg-type]


def test_retries_429_honouring_retry_after_then_5xx_with_backoff(scripted: _Server) -> None:
    scripted.script = [(429, {"Retry-After": "7"}), (503, {}), (502, {})]
    waits: list[float] = []
    client = _client(scripted, waits, retries=3, backoff=0.5)
    assert client.select("SELECT * WHERE {}") == [{}]
    assert waits == [7.0, 1.0, 2.0]  # Retry-After, then 0.5 * 2**1, 0.5 * 2**2
    assert client.requests == 4


def test_gives_up_after_the_retries(scripted: _Server) -> None:
    scripted.script = [(503, {})] * 3
    waits: list[float] = []
    with pytest.raises(WikidataError, match="HTTP 503 after 3 attempt"):
        _client(scripted, waits, retries=2, backoff=1.0).select("ASK {}")
    assert waits == [1.0, 2.0]


def test_client_errors_are_not_retried(scripted: _Server) -> None:
    scripted.script = [(400, {})]
    waits: list[float] = []
    with pytest.raises(WikidataError, match="HTTP 400 after 1 attempt"):
        _client(scripted, waits).select("nonsense")
    assert waits == []


def test_a_huge_retry_after_is_capped(scripted: _Server) -> None:
    scripted.script = [(429, {"Retry-After": "86400"})]
    waits: list[float] = []
    _client(scripted, waits, max_wait=30.0).select("ASK {}")
    assert waits == [30.0]


def test_sends_a_descriptive_user_agent(scripted: _Server) -> None:
    _client(scripted, []).select("ASK {}")
    agent = scripted.seen[0]["User-Agent"]
    assert agent.startswith("PeaceKG/0.1.0 (ops@example.org)")
    assert scripted.seen[0]["Accept"] == "application/sparql-results+json"


def test_refuses_a_non_http_endpoint() -> None:
    with pytest.raises(WikidataError, match="http"):
        WikidataClient("file:///etc/passwd")


# --- pure matching logic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "theirs", "fits"),
    [
        (["Recep Tayyip Erdoğan"], ["Recep Tayyip Erdogan"], True),
        (["Zelensky"], ["Volodymyr Zelenskyy"], True),
        (["Volodymyr Zelenskyy"], ["Volodymyr Zelensky"], True),
        (["Antalya"], ["Antalya Province"], True),
        (["US"], ["United States of America", "US"], True),
        (["Antalya"], ["Istanbul", "İstanbul"], False),
        (["Recep Tayyip Erdoğan"], ["Turkey", "Türkiye"], False),
    ],
)
def test_label_fits(ours: list[str], theirs: list[str], fits: bool) -> None:
    assert label_fits(ours, theirs) is fits


def test_expected_classes_follow_the_ontology_mappings() -> None:
    expected = expected_classes(fixture_graphs()[1])
    assert expected[str(PKG.Person)] == {"Q5"}
    assert expected[str(PKG.State)] == {"Q3624078", "Q6256"}


def test_check_flags_a_person_linked_to_a_state() -> None:
    entity = LinkedEntity(
        ID + "recep-tayyip-erdogan",
        "Q43",
        ("Recep Tayyip Erdoğan",),
        frozenset({str(PKG.Person)}),
        frozenset({"Q5"}),
    )
    facts = {"Q43": EntityFacts("Q43", labels={"en": ["Turkey"]}, classes={"Q3624078"})}
    assert check_links([entity], facts, ["Q5", "Q3624078"]) == [
        Mismatch(
            ID + "recep-tayyip-erdogan",
            "Q43",
            "class",
            "expected an instance of Q5; Wikidata says Q3624078",
        ),
        Mismatch(
            ID + "recep-tayyip-erdogan",
            "Q43",
            "label",
            "our 'Recep Tayyip Erdoğan' vs Wikidata 'Turkey'",
        ),
    ]


def test_check_reports_a_missing_item() -> None:
    entity = LinkedEntity(ID + "x", "Q801", ("Israel",))
    assert check_links([entity], {}, []) == [
        Mismatch(ID + "x", "Q801", "missing", "no such item (or no labels)")
    ]


def test_enrichment_graph_keeps_provenance() -> None:
    facts = {
        "Q406": EntityFacts(
            "Q406",
            labels={"en": ["Istanbul"], "tr": ["İstanbul"]},
            descriptions={"en": "largest city in Turkey"},
            coordinates=["Point(28.955 41.013611)"],
        )
    }
    when = datetime(2026, 11, 22, 1, 2, 3, tzinfo=UTC)
    graph = enrichment_graph(facts, graph_iri="urn:g", endpoint="http://e/sparql", retrieved=when)
    name = URIRef("urn:g")
    assert (WD.Q406, RDFS.label, Literal("İstanbul", lang="tr")) in graph
    assert (WD.Q406, SCHEMA.description, Literal("largest city in Turkey", lang="en")) in graph
    assert str(graph.value(WD.Q406, WDT.P625)) == "Point(28.955 41.013611)"
    assert graph.value(name, PROV.wasDerivedFrom) == URIRef("http://e/sparql")
    assert str(graph.value(name, PROV.generatedAtTime)) == "2026-11-22T01:02:03Z"


# --- against the real stand-in ---------------------------------------------------------------


def _fixture_links() -> list[LinkedEntity]:
    return linked_entities(*fixture_graphs())


@pytest.mark.slow
def test_check_against_the_standin_flags_exactly_the_wrong_link(standin: str) -> None:
    entities = _fixture_links()
    tested = sorted({qid for e in entities for qid in e.expected})
    assert tested == ["Q3624078", "Q467011", "Q5", "Q6256"]
    facts = WikidataClient(standin).facts([e.qid for e in entities], ["en", "uk", "tr"], tested)
    assert check_links(entities, facts, tested) == [
        Mismatch(ID + "antalya-province", "Q406", "label", "our 'Antalya' vs Wikidata 'Istanbul'")
    ]
    assert facts["Q3874799"].classes == {"Q5"}
    assert facts["Q212"].classes == {"Q3624078", "Q6256"}  # country through P279


@pytest.mark.slow
def test_cli_check_exits_1_and_names_the_wrong_link(standin: str, tmp_path: Path) -> None:
    settings = project_settings(tmp_path / "build")
    result = CliRunner().invoke(
        main,
        [
            "wikidata",
            "check",
            "--endpoint",
            standin,
            "--ontology-dir",
            str(settings.ontology_dir),
            "--data-dir",
            str(settings.data_dir),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"label: <{ID}antalya-province> -> wd:Q406: our 'Antalya' vs Wikidata 'Istanbul'",
        f"13 links checked against {standin}: 1 problem(s)",
        # No statement of the test dataset has a citable reference: nothing to compare.
        "0 statement(s) of the QuickStatements compared with Wikidata: 0 new, 6 left out "
        "before (no citable reference, a constraint, no QID)",
    ]


@pytest.mark.slow
def test_cli_enrich_then_build_serves_its_own_graph(standin: str, tmp_path: Path) -> None:
    settings: Settings = project_settings(tmp_path / "build", wikidata_endpoint=standin)
    flags = ["--ontology-dir", str(settings.ontology_dir), "--data-dir", str(settings.data_dir)]
    flags += ["--build-dir", str(settings.build_dir)]
    result = CliRunner().invoke(main, ["wikidata", "enrich", "--endpoint", standin, *flags])
    assert result.exit_code == 0, result.output
    enrichment = Graph().parse(settings.wikidata_enrichment_path)
    assert (WD.Q7747, RDFS.label, Literal("Владимир Путин", lang="ru")) in enrichment
    assert (WD.Q212, SCHEMA.description, Literal("country in Eastern Europe", lang="en")) in (
        enrichment
    )
    assert str(enrichment.value(WD.Q406, WDT.P625)) == "Point(28.955 41.013611)"
    items = {s for s in enrichment.subjects(PROV.wasDerivedFrom, None) if s.startswith(str(WD))}
    assert len(items) == 13

    build(settings)
    store = EmbeddedStore.for_graphs(settings.store_path, settings.graphs)
    graphs = settings.graphs
    counts = store.graph_counts()
    assert counts[graphs.wikidata] == len(enrichment)
    # Wikidata's words stay in their graph: nothing about wd:Q7747 in the asserted data.
    result_rows = store.query(
        f"ASK {{ GRAPH <{graphs.asserted}> {{ <{WD.Q7747}> <{RDFS.label}> ?l }} }}"
    )
    assert not bool(result_rows)
