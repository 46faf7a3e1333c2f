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
