"""The CLI as a user runs it: exit codes, located errors, query output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from peacekg.cli import main
from tests.mini import data_file, edit


def _args(project: Path) -> list[str]:
    return [
        "--ontology-dir",
        str(project / "ontology"),
        "--data-dir",
        str(project / "data"),
        "--build-dir",
        str(project / "build"),
        "--queries-dir",
        str(project / "queries"),
    ]


def _run(*args: str, input_text: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input_text, catch_exceptions=False)


def test_validate_exit_codes(mini: Path) -> None:
    ok = _run("validate", *_args(mini))
    assert ok.exit_code == 0
    assert ok.output.splitlines()[-1] == "conforms: 0 violations, 1 warnings"

    edit(mini, 'rdfs:label "Round 2" ;', "")
    bad = _run("validate", *_args(mini))
    assert bad.exit_code == 1
    assert "focus node http://example.org/mini#round2" in bad.output
    assert (
        "Violation MinCountConstraintComponent path http://www.w3.org/2000/01/rdf-schema#label: "
        "An event needs a label." in bad.output
    )

    data = data_file(mini)
    data.write_text("@prefix ex: <http://example.org/mini#> .\nex:a ex:b\n", encoding="utf-8")
    broken = _run("validate", *_args(mini))
    assert broken.exit_code == 2
    assert f"error: {data}:3:1: " in broken.output


def test_build_prints_each_stage_then_query(mini: Path) -> None:
    built = _run("build", *_args(mini))
    assert built.exit_code == 0, built.output
    stages = [
        line.split("]")[0] + "]" for line in built.output.splitlines() if line.startswith("[")
    ]
    assert stages == [
        "[load]",
        "[validate]",
        "[validate]",
        "[reason]",
        "[check]",
        "[wikidata]",
        "[dumps]",
        "[store]",
    ]
    assert "[reason] 9 inferred triples from 26" in built.output

    query = "SELECT ?r WHERE { ?r a <http://example.org/mini#Event> } ORDER BY ?r"
    table = _run("query", "-", *_args(mini), input_text=query)
    assert table.exit_code == 0
    assert table.output.splitlines() == [
        "r",
        "------------------------------",
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
        "(2 rows)",
    ]
    as_json = _run("query", "-", "--format", "json", *_args(mini), input_text=query)
    bindings = json.loads(as_json.output)["results"]["bindings"]
    assert [b["r"]["value"] for b in bindings] == [
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
    ]
    as_csv = _run("query", "-", "--format", "csv", *_args(mini), input_text=query)
    assert as_csv.output.splitlines() == [
        "r",
        "http://example.org/mini#round1",
        "http://example.org/mini#round2",
    ]


def test_bad_query_and_missing_store(mini: Path) -> None:
    missing = _run("query", "-", *_args(mini), input_text="ASK {}")
    assert missing.exit_code == 2
    assert "run `peacekg build`" in missing.output
    _run("build", *_args(mini))
    bad = _run("query", "-", *_args(mini), input_text="SELEC ?x WHERE {}")
    assert bad.exit_code == 2
    assert bad.output.startswith("error: <stdin>: ")


def test_build_violation_exit_1_and_store_kept(mini: Path) -> None:
    assert _run("build", *_args(mini)).exit_code == 0
    edit(mini, 'rdfs:label "Round 1" ;', "")
    failed = _run("build", *_args(mini))
    assert failed.exit_code == 1
    assert "1 SHACL violation(s)" in failed.output
    assert "the previous store (if any) is still the one served" in failed.output
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <http://example.org/mini#Event> }"
    after = _run("query", "-", "--format", "csv", *_args(mini), input_text=query)
    assert after.output.splitlines() == ["n", "2"]


def test_settings_lists_every_setting() -> None:
    from peacekg.config import describe

    listed = _run("settings").output
    for name, _default, help_text in describe():
        assert name in listed and help_text in listed


def test_store_problems_exit_2(mini: Path) -> None:
    (mini / "build" / "store").mkdir(parents=True)
    failed = _run("build", *_args(mini))
    assert failed.exit_code == 2
    assert "is not a store link made by peacekg build" in failed.output


def test_queries_command_reads_the_configured_directory(mini: Path) -> None:
    examples = mini / "queries" / "examples"
    examples.mkdir()
    (examples / "01-rounds.rq").write_text(
        "# title: Rounds\n# description: Every round.\nSELECT * WHERE { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    listed = _run("queries", "--queries-dir", str(mini / "queries"))
    assert listed.output.splitlines() == [
        "| query | title | what it answers |",
        "|---|---|---|",
        "| `01-rounds` | Rounds | Every round. |",
    ]


def test_validate_checks_provenance_too(mini: Path) -> None:
    passage = (
        "    pkg:passage [ oa:hasSource ex:minutes ;\n"
        "        oa:hasSelector [ a oa:TextQuoteSelector ;\n"
        '            oa:exact "The Talks opened in spring" ;'
    )
    edit(mini, passage, passage.replace("pkg:passage", "rdfs:seeAlso"))
    bad = _run("validate", *_args(mini))
    assert bad.exit_code == 1
    assert "focus node https://w3id.org/peacekg/assertion/mini-talks" in bad.output
    assert (
        "Violation MinCountConstraintComponent path https://w3id.org/peacekg/ontology#passage: "
        "An assertion needs a passage." in bad.output
    )


def _passage(mini: Path, quote: str, *sources: str):  # type: ignore[no-untyped-def]
    args = [*_args(mini), "--shapes-file", str(mini / "ontology" / "shapes.ttl"), *sources]
    return CliRunner().invoke(main, ["passage", quote, *args], catch_exceptions=False)


def test_passage_prints_the_provenance_of_a_unique_quote(mini: Path) -> None:
    sources = ["--sources-dir", str(mini / "sources")]
    found = _passage(mini, "Round 1 was the first round", "--name", "pkga:mini-new", *sources)
    assert (found.exit_code, found.stderr) == (0, "")
    assert found.stdout == (
        "# http://example.org/mini#minutes characters 101-128\n"
        "pkga:mini-new a pkg:StatedAssertion ;\n"
        "    prov:wasDerivedFrom <http://example.org/mini#minutes> ;\n"
        "    pkg:passage [ oa:hasSource <http://example.org/mini#minutes> ;\n"
        "        oa:hasSelector [ a oa:TextQuoteSelector ;\n"
        '            oa:exact "Round 1 was the first round" ;\n'
        '            oa:prefix "eetings were part of the talks. " ;\n'
        '            oa:suffix " of the Istanbul meetings. Round" ] ,\n'
        "          [ a oa:TextPositionSelector ; oa:start 101 ; oa:end 128 ] ] .\n"
    )
    # At the start of a document the prefix is cut short; a newline is escaped.
    first = _passage(mini, "Round 2 was held", *sources)
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == "# http://example.org/mini#report characters 26-42"
    assert '            oa:prefix "Report on the mini talks.\\n" ;' in first.stdout.splitlines()


def test_passage_refuses_a_missing_or_repeated_quote(mini: Path) -> None:
    sources = ["--sources-dir", str(mini / "sources")]
    missing = _passage(mini, "Round 9", *sources)
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr == "not found in any of the 2 documents: 'Round 9'\n"

    twice = _passage(mini, "Round 2", *sources)
    assert twice.exit_code == 1
    assert twice.stdout == (
        "# http://example.org/mini#minutes characters 155-162\n"
        "# http://example.org/mini#report characters 26-33\n"
    )
    assert twice.stderr == "found 2 times: quote more words to make it unique\n"

    no_sources = _passage(mini, "Round 1")
    assert (no_sources.exit_code, no_sources.stdout) == (2, "")
    assert no_sources.stderr == "error: set --sources-dir (or sources_dir) to the source texts\n"
