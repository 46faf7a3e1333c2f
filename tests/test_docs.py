"""The README documents what the code does: its tables are the code's own output."""

from __future__ import annotations

import re
from pathlib import Path

from peacekg.cli import main
from peacekg.config import settings_markdown
from peacekg.queries import catalogue_markdown, load_catalogue

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
