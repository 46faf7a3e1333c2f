"""``peacekg stats`` on the real graph: every claim has claimant, source and a verified quote."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peacekg.cli import main
from peacekg.config import Settings
from peacekg.stats import compute_stats
from peacekg.store import EmbeddedStore

PKG = "https://w3id.org/peacekg/ontology#"


def test_every_claim_is_fully_sourced(built_settings: Settings) -> None:
    stats = compute_stats(EmbeddedStore.for_graphs(built_settings.store_path, built_settings.graphs), built_settings)
    coverage = stats.as_dict()["claims"]
    assert coverage == {
        "total": 40,
        "with_claimant": 40,
        "with_source": 40,
        "with_quote": 40,
        "verified_quotes": 40,
    }
    assert stats.unverified == []
    assert stats.classes[PKG + "Claim"] == 40
    assert stats.classes[PKG + "SourceDocument"] == 5
    assert set(stats.graphs) >= set(built_settings.graphs.all())


def test_stats_command_prints_coverage(built_settings: Settings) -> None:
    args = [
        "--build-dir",
        str(built_settings.build_dir),
        "--sources-dir",
        str(built_settings.sources_dir),
    ]
    text = CliRunner().invoke(main, ["stats", *args], catch_exceptions=False)
    assert text.exit_code == 0
    assert "  verified quote      40  (100.0 %)" in text.output.splitlines()
    as_json = CliRunner().invoke(main, ["stats", "--json", *args], catch_exceptions=False)
    assert json.loads(as_json.output)["claims"]["verified_quotes"] == 40
