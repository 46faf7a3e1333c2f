"""Statements we would upload, compared with what Wikidata holds (issue 15): the pure
comparison, the query against the local stand-in, and ``peacekg wikidata check`` /
``export --quickstatements --against-wikidata`` end to end."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from peacekg.cli import main
from peacekg.namespaces import WD
from peacekg.pipeline import build
from peacekg.wikidata.client import WikidataClient
from peacekg.wikidata.compare import (
    ALREADY_THERE,
    CONFLICTING,
    MORE_PRECISE_THERE,
    NEW,
    Held,
    compare,
    held_query,
    parse_held,
)
from peacekg.wikidata.view import DAY, MONTH, YEAR, Statement, TimeValue
from tests.conftest import REFERENCE, ROOT
from tests.wikidata.conftest import PROJECT, project_settings

ID = "https://w3id.org/peacekg/id/"
INVASION_START = TimeValue(date(2022, 2, 24), DAY)


def _status(statement: Statement, *held: Held) -> str:
    (comparison,) = compare([statement], held)
    return comparison.status


def test_same_item_value_is_already_there() -> None:
    statement = Statement(WD.Q43, "P463", WD.Q7184)
    assert _status(statement, Held("Q43", "P463", WD.Q7184)) == ALREADY_THERE
    assert _status(statement, Held("Q43", "P463", WD.Q1065)) == NEW  # P463 takes many values
    assert _status(statement) == NEW


def test_dates_by_precision() -> None:
    february = Statement(WD.Q110999040, "P585", TimeValue(date(2022, 2, 1), MONTH))
    assert _status(february, Held("Q110999040", "P585", INVASION_START)) == MORE_PRECISE_THERE
    # A point in time is made redundant by a finer start time too, never contradicted by one.
    assert _status(february, Held("Q110999040", "P580", INVASION_START)) == MORE_PRECISE_THERE
    march = TimeValue(date(2022, 3, 1), MONTH)
    assert _status(february, Held("Q110999040", "P580", march)) == NEW
    assert _status(february, Held("Q110999040", "P585", march)) == CONFLICTING  # single value
    same = Held("Q110999040", "P585", TimeValue(date(2022, 2, 1), MONTH))
    assert _status(february, same) == ALREADY_THERE
    coarser = Held("Q110999040", "P585", TimeValue(date(2022, 1, 1), YEAR))
    assert _status(february, coarser) == NEW  # ours is the finer date


def test_strings_compare_by_text() -> None:
    statement = Statement(WD.Q43, "P1545", Literal("4"))
    assert _status(statement, Held("Q43", "P1545", Literal("4"))) == ALREADY_THERE
    assert _status(statement, Held("Q43", "P1545", Literal("5"))) == CONFLICTING


@pytest.mark.slow
def test_the_standin_answers_with_its_values_and_precisions(standin: str) -> None:
    wanted = [
        Statement(WD.Q110999040, "P585", TimeValue(date(2022, 2, 1), MONTH)),
        Statement(WD.Q43, "P463", WD.Q7184),
        Statement(WD.Q43, "P35", WD.Q39259),
    ]
    held = parse_held(WikidataClient(standin).select(held_query(wanted)))
    assert held == [
        Held("Q110999040", "P580", INVASION_START),
        Held("Q43", "P35", URIRef(WD.Q39259)),
        Held("Q43", "P463", URIRef(WD.Q7184)),
    ]
    assert [c.status for c in compare(wanted, held)] == [
        MORE_PRECISE_THERE,
        ALREADY_THERE,
        ALREADY_THERE,
    ]


def _project_with_a_cited_explainer(tmp_path: Path) -> Path:
    """The test dataset, with a (made-up, example.org) URL for the explainer so that its
    statements have a citable reference."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    sources = data / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    marker = "pkgr:source-explainer a pkg:SourceDocument ;\n"
    assert marker in text
    url = '    pkg:url "https://example.org/explainer?utm_source=feed"^^xsd:anyURI ;\n'
    sources.write_text(text.replace(marker, marker + url), encoding="utf-8")
    return data


@pytest.mark.slow
def test_cli_check_and_checked_export(standin: str, tmp_path: Path) -> None:
    data = _project_with_a_cited_explainer(tmp_path)
    settings = project_settings(tmp_path / "build", data_dir=data, wikidata_endpoint=standin)
    build(settings)
    flags = ["--ontology-dir", str(settings.ontology_dir), "--data-dir", str(data)]
    runner = CliRunner()
    result = runner.invoke(main, ["wikidata", "check", "--endpoint", standin, *flags])
    lines = result.output.splitlines()
    assert lines[-4:] == [
        f"more precise there: {WD.Q110999040} P585 +2022-02-00T00:00:00Z/10 "
        "(Wikidata: P580 +2022-02-24T00:00:00Z/11)",
        f"already there: {WD.Q43} P35 {WD.Q39259} (Wikidata: P35 {WD.Q39259})",
        f"already there: {WD.Q43} P463 {WD.Q7184} (Wikidata: P463 {WD.Q7184})",
        "3 statement(s) of the QuickStatements compared with Wikidata: 0 new, 3 left out "
        "before (no citable reference, a constraint, no QID)",
    ]
    assert result.exit_code == 1  # the Antalya link problem of the link check

    flags += ["--build-dir", str(settings.build_dir)]
    plain = runner.invoke(main, ["export", "--quickstatements", *flags])
    assert plain.exit_code == 0, plain.output
    path = settings.dumps_dir / "peacekg-0.1.0-quickstatements.txt"
    written = path.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[:3] for line in written] == [
        ["Q110999040", "P585", "+2022-02-00T00:00:00Z/10"],
        ["Q43", "P35", "Q39259"],
        ["Q43", "P463", "Q7184"],
    ]
    assert all('\tS854\t"https://example.org/explainer"\t' in line for line in written)

    checked = runner.invoke(
        main,
        ["export", "--quickstatements", "--against-wikidata", *flags],
        env={"PEACEKG_WIKIDATA_ENDPOINT": standin},
    )
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines() == [f"wrote {path} (0 new statement(s))"]
    assert path.read_text(encoding="utf-8") == ""


@pytest.mark.slow
def test_cli_reconcile_proposes_candidates_and_links_nothing(standin: str, tmp_path: Path) -> None:
    """With Turkey's and Antalya's links removed, Turkey is found by its label (a sovereign
    state, as pkg:State expects); "Antalya" is no label or alias of any item there."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    alignment = data / "alignment" / "wikidata.ttl"
    kept = [
        line
        for line in alignment.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith(("pkgr:turkey ", "pkgr:antalya-province "))
    ]
    alignment.write_text("".join(kept), encoding="utf-8")
    before = alignment.read_bytes()
    review = tmp_path / "review.tsv"
    flags = ["--ontology-dir", str(ROOT / "ontology"), "--data-dir", str(data)]
    result = CliRunner().invoke(
        main,
        ["wikidata", "reconcile", "--endpoint", standin, "--output", str(review), *flags],
        env={"PEACEKG_REFERENCE_DIR": str(REFERENCE)},
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"10 unlinked entities, 1 with candidates, 1 candidate(s) written to {review}; nothing "
        "was linked: add an accepted candidate to data/alignment/wikidata.ttl, then run "
        "`peacekg wikidata check`"
    ]
    assert review.read_text(encoding="utf-8").splitlines() == [
        "entity\tour_names\tcandidate\twikidata_label\tscore\ttype_fits\tin_reference_list\t"
        "decision",
        "https://w3id.org/peacekg/id/turkey\tTurkey\tQ43\tTurkey\t100\tyes\tyes\t",
    ]
    assert alignment.read_bytes() == before
    # The curator accepts Turkey's candidate, and (wrongly) Istanbul for Glenn Diesen and an
    # ID that is not in the reference list for Victoria Nuland.
    rows = review.read_text(encoding="utf-8").splitlines()
    rows[1] += "accept"
    rows.append(f"{ID}glenn-diesen\tGlenn Diesen\tQ406\tIstanbul\t0\t\tyes\tyes")
    rows.append(f"{ID}victoria-nuland\tVictoria Nuland\tQ1\t?\t0\t\tno\tyes")
    review.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checked = CliRunner().invoke(
        main,
        ["wikidata", "accept", str(review), "--endpoint", standin, *flags],
        env={"PEACEKG_REFERENCE_DIR": str(REFERENCE)},
    )
    assert checked.exit_code == 1, checked.output
    assert checked.stdout.splitlines() == [f"<{ID}turkey> skos:exactMatch wd:Q43 ."]
    assert checked.stderr.splitlines() == [
        f"refused: {ID}victoria-nuland -> Q1: not in the reference list (wikidata-ids.tsv)",
        f"refused: {ID}glenn-diesen -> Q406: class: expected an instance of Q5; Wikidata says "
        "none of the classes we map to",
        f"refused: {ID}glenn-diesen -> Q406: label: our 'Glenn Diesen' vs Wikidata 'Istanbul'",
    ]
    assert alignment.read_bytes() == before
