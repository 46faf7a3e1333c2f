"""The README documents what the code does: its tables are the code's own output."""

from __future__ import annotations

import re
from pathlib import Path

from peacekg.cli import main
from peacekg.config import Settings, settings_markdown
from peacekg.queries import catalogue_markdown, load_catalogue
from peacekg.web import create_app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", README, re.S)
    assert match, f"README has no {name} block"
    return match.group(1)


def test_readme_catalogue_is_the_query_headers() -> None:
    """Regenerate with `peacekg queries` and paste between the catalogue markers."""
    assert _block("catalogue") == catalogue_markdown(load_catalogue(ROOT / "queries" / "examples"))


def test_readme_settings_table_is_the_settings() -> None:
    """Regenerate with `peacekg settings --markdown`."""
    assert _block("settings") == settings_markdown()


def test_readme_names_every_command() -> None:
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for name in main.list_commands(None):  # type: ignore[arg-type]
        assert f"peacekg {name}" in section, name


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == [
        "./scripts/serve.sh",
        "./scripts/test.sh",
    ]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("./scripts/test.sh")


def _readme_queries() -> list[str]:
    curl = re.search(r"--data-urlencode 'query=(.*?)'", README, re.S)
    wrapper = re.search(r'sparql\.setQuery\("""(.*?)"""\)', README, re.S)
    assert curl and wrapper, "README lost its curl or SPARQLWrapper example"
    return [curl.group(1), wrapper.group(1)]


def test_readme_example_queries_answer(built_settings: Settings) -> None:
    """The queries a newcomer copies from the README run on the real graph."""
    client = create_app(built_settings).test_client()
    # curl: LIMIT 5 of the six rounds; SPARQLWrapper: all six (five in Belarus/Turkey + Istanbul).
    for query, expected_lines in zip(_readme_queries(), (1 + 5, 1 + 6), strict=True):
        response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, response.data
        rows = response.data.decode().splitlines()
        assert rows[0].startswith("round,label")
        assert len(rows) == expected_lines


def test_readme_trig_example_is_a_verified_assertion() -> None:
    """The few lines a curator writes for one new fact load, validate and verify as shown."""
    from rdflib import Dataset
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from peacekg.load import load
    from peacekg.passages import check_passages, document_texts
    from peacekg.validate import validate
    from tests.conftest import SEEDS

    block = README.split("```trig\n", 1)[1].split("```", 1)[0]
    prologue = "".join(
        f"@prefix {p}: <{iri}> .\n"
        for p, iri in (
            ("oa", "http://www.w3.org/ns/oa#"),
            ("pkg", "https://w3id.org/peacekg/ontology#"),
            ("pkga", "https://w3id.org/peacekg/assertion/"),
            ("pkgr", "https://w3id.org/peacekg/id/"),
            ("prov", "http://www.w3.org/ns/prov#"),
        )
    )
    dataset = Dataset()
    dataset.parse(data=prologue + block, format="trig")
    sources = load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")
    for triple in dataset.graph(DATASET_DEFAULT_GRAPH_ID):
        sources.provenance.add(triple)
        sources.curated.add(triple)
    assert check_passages(sources.provenance, document_texts(sources.provenance, SEEDS)) == []
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
    assert outcome.violations == []
    named = [g.identifier for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID]
    assert [str(n) for n in named] == [
        "https://w3id.org/peacekg/assertion/summary-fifth-round-place"
    ]


def test_readme_provenance_query_answers_as_shown(built_settings: Settings) -> None:
    """The README's "which source states this triple" query gives the one row it shows."""
    query = README.split("```sparql\n", 1)[1].split("```", 1)[0]
    client = create_app(built_settings).test_client()
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.data
    assert response.data.decode().splitlines() == [
        "assertion,kind,document,quote,reason",
        "https://w3id.org/peacekg/assertion/explainer-actor-turkey-nato,"
        "https://w3id.org/peacekg/ontology#StatedAssertion,"
        "https://w3id.org/peacekg/id/source-explainer,"
        '"Beyond just hosting, Turkey has leveraged its unique position as a NATO member with '
        'significant ties to both Ukraine and Russia.",',
    ]
