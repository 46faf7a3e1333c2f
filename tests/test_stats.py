"""``peacekg stats`` on the real graph: every claim has claimant, source and a verified quote."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peacekg.cli import main
from peacekg.config import Settings
from peacekg.stats import compute_stats
from peacekg.store import EmbeddedStore

PKG = "https://w3id.org/peacekg/ontology#"
ID = "https://w3id.org/peacekg/id/"


def test_every_claim_is_fully_sourced(built_settings: Settings) -> None:
    stats = compute_stats(
        EmbeddedStore.for_graphs(built_settings.store_path, built_settings.graphs), built_settings
    )
    coverage = stats.as_dict()["claims"]
    assert coverage == {
        "total": 56,
        "with_claimant": 56,
        "with_source": 56,
        "with_quote": 56,
        "verified_quotes": 56,
    }
    assert stats.unverified == []
    assert stats.classes[PKG + "Claim"] == 56
    assert set(stats.graphs) >= set(built_settings.graphs.all())
    assert not any(built_settings.graphs.is_assertion(g) for g in stats.graphs)


def test_every_asserted_triple_is_in_a_verified_assertion(built_settings: Settings) -> None:
    """Issue 10's bar: 100 % of asserted triples lie in an assertion with a verified passage."""
    stats = compute_stats(
        EmbeddedStore.for_graphs(built_settings.store_path, built_settings.graphs), built_settings
    )
    assertions = stats.as_dict()["assertions"]
    assert isinstance(assertions, dict)
    assert assertions["verified_triples"] == assertions["asserted_triples"] == 1627
    per_source = assertions["per_source"]
    assert set(per_source) == {
        ID + "source-diesen-post",
        ID + "source-encyclopedia-summary",
        ID + "source-explainer",
        ID + "source-reply-to-diesen-post",
    }
    assert sum(s["assertions"] for s in per_source.values()) == stats.assertion_graphs
    assert all(s["verified_triples"] == s["triples"] > 0 for s in per_source.values())
    # The post and the reply quote what people say; the dates and readings are the summary's
    # and the explainer's, so only those two have curator inferences.
    assert per_source[ID + "source-diesen-post"]["curator_inferences"] == 0
    assert per_source[ID + "source-explainer"]["curator_inferences"] > 0


def test_stats_command_prints_coverage(built_settings: Settings) -> None:
    args = [
        "--build-dir",
        str(built_settings.build_dir),
        "--sources-dir",
        str(built_settings.sources_dir),
    ]
    text = CliRunner().invoke(main, ["stats", *args], catch_exceptions=False)
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert "  verified quote      56  (100.0 %)" in lines
    assert "  in a verified assertion  1627  (100.0 %)" in lines
    # Every sentence accounted for (issue 11): none left to do, the share modelled per source.
    assert (
        "     63    14    83     0  (48.1 % modelled of 160)  "
        "https://w3id.org/peacekg/id/source-explainer"
    ) in lines
    as_json = CliRunner().invoke(main, ["stats", "--json", *args], catch_exceptions=False)
    assert json.loads(as_json.output)["claims"]["verified_quotes"] == 56
