"""Deterministic dumps (issue 14): the same sources give byte-identical dumps, VoID, checksums.

A dataset version is cited by its checksum, so two builds of one source tree must agree byte for
byte although the parser gives blank nodes random labels.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import pyoxigraph
from click.testing import CliRunner

from peacekg.cli import main
from peacekg.export import canonical_labels, canonical_quads
from tests.mini import edit

# The ontology reference is pyLODE's HTML, laid out in Python's per-process set order; it is
# not a dump and not in SHA256SUMS.
REFERENCE_HTML = "peacekg-ontology-"


def _build_and_export(project: Path, build_dir: Path) -> dict[str, bytes]:
    """Run ``peacekg build`` and ``peacekg export`` as a user would; the files written, by name.

    The mini ontology gets the title pyLODE insists on for the reference that export writes.
    """
    ontology = project / "ontology" / "extra-title.ttl"
    ontology.write_text('<http://example.org/mini> <http://purl.org/dc/terms/title> "Mini" .\n')
    flags = [
        f"--ontology-dir={project / 'ontology'}",
        f"--data-dir={project / 'data'}",
        f"--queries-dir={project / 'queries'}",
        f"--build-dir={build_dir}",
    ]
    runner = CliRunner()
    for command in ("build", "export"):
        result = runner.invoke(main, [command, *flags])
        assert result.exit_code == 0, result.output
    dumps = build_dir / "dumps"
    exported = {p.name: p.read_bytes() for p in sorted(dumps.iterdir()) if p.is_file()}
    # The dumps the build wrote into the served store are those bytes too.
    served = build_dir / "store" / "dumps"
    built = {p.name: p.read_bytes() for p in sorted(served.iterdir()) if p.is_file()}
    assert set(built) == {n for n in exported if not n.startswith(REFERENCE_HTML)} | {
        "peacekg-context.jsonld"
    }
    for name, data in exported.items():
        assert name.startswith(REFERENCE_HTML) or built[name] == data, name
    return exported


def test_two_builds_give_identical_dumps_void_and_checksums(mini: Path, tmp_path: Path) -> None:
    first = _build_and_export(mini, tmp_path / "one")
    second = _build_and_export(mini, tmp_path / "two")
    compared = {name for name in first if not name.startswith(REFERENCE_HTML)}
    assert {"SHA256SUMS", "void.ttl", "peacekg-0.1.0.nq", "peacekg-0.1.0.trig.gz"} <= compared
    assert set(first) == set(second)
    for name in sorted(compared):
        assert first[name] == second[name], f"{name} differs between two builds"
    # The mini data has blank nodes (passages, selectors): they are labelled, not random.
    assert b"_:b" in first["peacekg-0.1.0.nq"]


def test_changed_passage_relabels_only_its_own_blank_nodes(mini: Path, tmp_path: Path) -> None:
    before = _build_and_export(mini, tmp_path / "one")["peacekg-0.1.0.nq"].decode()
    edit(mini, "oa:start 27 ; oa:end 53", "oa:start 27 ; oa:end 54")
    after = _build_and_export(mini, tmp_path / "two")["peacekg-0.1.0.nq"].decode()
    removed = set(before.splitlines()) - set(after.splitlines())
    added = set(after.splitlines()) - set(before.splitlines())
    # The position selector, and the passage that points to it, get new labels; every other
    # assertion's blank nodes keep theirs, so a release diff names just this passage.
    assert len(removed) == len(added)
    assert any('"53"' in line for line in removed)
    assert any('"54"' in line for line in added)
    changed_nodes = {word for line in removed | added for word in line.split() if word[:2] == "_:"}
    all_nodes = {word for line in before.splitlines() for word in line.split() if word[:2] == "_:"}
    assert 0 < len(changed_nodes) < len(all_nodes) / 2


def _quads(label: str) -> list[pyoxigraph.Quad]:
    """A passage with two selectors, and a second passage with the same selector content."""
    ex = "http://example.org/"
    g = pyoxigraph.NamedNode(ex + "g")
    p, q, r = (pyoxigraph.NamedNode(ex + n) for n in "pqr")
    a, b = pyoxigraph.NamedNode(ex + "a"), pyoxigraph.NamedNode(ex + "b")
    passage, s1, s2, other, s3 = (pyoxigraph.BlankNode(f"{label}{i}") for i in range(5))
    return [
        pyoxigraph.Quad(a, p, passage, g),
        pyoxigraph.Quad(passage, q, s1, g),
        pyoxigraph.Quad(passage, q, s2, g),
        pyoxigraph.Quad(s1, r, pyoxigraph.Literal("1"), g),
        pyoxigraph.Quad(s2, r, pyoxigraph.Literal("2"), g),
        pyoxigraph.Quad(b, p, other, g),
        pyoxigraph.Quad(other, q, s3, g),
        pyoxigraph.Quad(s3, r, pyoxigraph.Literal("1"), g),
    ]


def test_labels_depend_on_content_not_on_parser_labels_or_order() -> None:
    one, two = _quads("x"), _quads("random")
    two.reverse()
    dumped = [
        pyoxigraph.serialize(
            canonical_quads(q, canonical_labels(q)), format=pyoxigraph.RdfFormat.N_QUADS
        )
        for q in (one, two)
    ]
    assert dumped[0] == dumped[1]
    labels = canonical_labels(one)
    # Equal content under different parents still gets two labels: no nodes are merged.
    assert len(set(labels.values())) == 5
    assert all(label.startswith("b") and len(label) == 25 for label in labels.values())


CHANGELOG = """# Changelog

Intro.

## [Unreleased]

### Added
- A round's comment.

## [0.0.9] - 2026-11-01

### Added
- The first rounds.
"""


def _release(project: Path, out: Path, *extra: str) -> tuple[int, str]:
    flags = [
        f"--ontology-dir={project / 'ontology'}",
        f"--data-dir={project / 'data'}",
        f"--queries-dir={project / 'queries'}",
        f"--build-dir={project / 'build'}",
    ]
    runner = CliRunner()
    built = runner.invoke(main, ["build", *flags])
    assert built.exit_code == 0, built.output
    # From the release's parent folder: the default changelog is ./CHANGELOG.md.
    with contextlib.chdir(out.parent):
        result = runner.invoke(main, ["release", *flags, f"--out={out}", *extra])
    return result.exit_code, result.output


def test_release_after_a_one_triple_change_reports_exactly_that_triple(
    mini: Path, tmp_path: Path
) -> None:
    code, output = _release(mini, tmp_path / "r1", f"--changelog={tmp_path / 'none.md'}")
    assert code == 2
    assert f"error: {tmp_path / 'none.md'}: [Errno 2]" in output
    assert not (tmp_path / "r1").exists()  # the changelog is checked before anything is written
    code, output = _release(mini, tmp_path / "r1")
    assert code == 0, output
    assert "no CHANGELOG.md here (give --changelog PATH): no release entry written" in output
    assert not (tmp_path / "r1" / "CHANGES.md").exists()  # nothing to compare with
    edit(
        mini,
        'ex:round2 a ex:Round ; rdfs:label "Round 2" ;',
        'ex:round2 a ex:Round ; rdfs:label "Round 2" ; rdfs:comment "Second round." ;',
    )
    changelog = tmp_path / "CHANGELOG.md"  # the default: ./CHANGELOG.md where release runs
    changelog.write_text(CHANGELOG, encoding="utf-8")
    code, output = _release(
        mini,
        tmp_path / "r2",
        f"--previous={tmp_path / 'r1'}",
        "--date=2026-12-01",
    )
    assert code == 0, output
    triple = (
        "<http://example.org/mini#round2> <http://www.w3.org/2000/01/rdf-schema#comment> "
        '"Second round."'
    )
    changes = json.loads((tmp_path / "r2" / "changes.json").read_text(encoding="utf-8"))
    # The assertion graph that states it, and the asserted union: nothing else, nothing removed.
    assert changes["added"] == {
        "https://w3id.org/peacekg/assertion/mini-round2": [triple],
        "https://w3id.org/peacekg/graph/asserted": [triple],
    }
    assert changes["removed"] == {}
    assert changes["entities_added"] == changes["entities_removed"] == []
    assert "2 triples added, 0 removed in 2 graphs; 0 entities added, 0 removed;" in output
    markdown = (tmp_path / "r2" / "CHANGES.md").read_text(encoding="utf-8")
    assert f"+ {triple}\n" in markdown
    assert "CHANGELOG" not in markdown
    digest = hashlib.sha256((tmp_path / "r2" / "SHA256SUMS").read_bytes()).hexdigest()
    assert changelog.read_text(encoding="utf-8") == CHANGELOG.replace(
        "## [Unreleased]\n",
        "## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n",
    ).replace(
        "- A round's comment.\n",
        "- A round's comment.\n\n### Data\n"
        "- 2 triples added, 0 removed in 2 graphs; 0 entities added, 0 removed; 0 claims changed"
        " since r1 (CHANGES.md of the release).\n"
        f"- Dumps identified by `SHA256SUMS` with SHA-256 `{digest}`.\n",
    )
    assert "wrote the 0.1.0 entry into CHANGELOG.md" in output
    # The release holds the dumps and their checksums, which match the files.
    sums = (tmp_path / "r2" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) == 8
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / "r2" / name).read_bytes()).hexdigest() == digest


def test_a_release_is_never_overwritten(mini: Path, tmp_path: Path) -> None:
    assert _release(mini, tmp_path / "r1")[0] == 0
    before = (tmp_path / "r1" / "SHA256SUMS").read_bytes()
    code, output = _release(mini, tmp_path / "r1")
    assert code == 2
    assert "already holds a release: a cited version must not change" in output
    assert (tmp_path / "r1" / "SHA256SUMS").read_bytes() == before


def test_change_report_names_entities_and_claims(tmp_path: Path) -> None:
    from peacekg.config import load_settings
    from peacekg.export import change_report

    base = "https://w3id.org/peacekg/"
    asserted = f"<{base}graph/asserted>"
    kind = f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{base}ontology#Claim>"
    says = f"<{base}ontology#claimText>"
    old = [
        f"<{base}id/claim-a> {kind} {asserted} .",
        f'<{base}id/claim-a> {says} "old words" {asserted} .',
        f"<{base}id/claim-b> {kind} {asserted} .",
        f'<{base}id/gone> <http://www.w3.org/2000/01/rdf-schema#label> "Gone" {asserted} .',
    ]
    new = [*old[:1], f'<{base}id/claim-a> {says} "new words" {asserted} .', *old[2:3]]
    new.append(
        f'<{base}id/fresh> <http://www.w3.org/2000/01/rdf-schema#label> "Fresh" {asserted} .'
    )
    for name, lines in (("r1", old), ("r2", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "peacekg-0.1.0.nq").write_text("\n".join(lines) + "\n")
    settings = load_settings(environ={}, read_config_file=False)
    report = change_report(tmp_path / "r1", tmp_path / "r2", settings)
    assert report.previous == "r1"
    assert report.entities_added == [f"{base}id/fresh"]
    assert report.entities_removed == [f"{base}id/gone"]
    assert report.claims_changed == [f"{base}id/claim-a"]  # claim-b is unchanged
    assert report.removed[f"{base}graph/asserted"] == [
        f'<{base}id/claim-a> {says} "old words"',
        f'<{base}id/gone> <http://www.w3.org/2000/01/rdf-schema#label> "Gone"',
    ]


def test_changelog_entry_moves_the_unreleased_notes_under_the_version() -> None:
    from datetime import date

    from peacekg.changelog import with_release

    text = with_release(CHANGELOG, "0.1.0", date(2026, 12, 1), ["- First release."])
    assert text == (
        "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n"
        "### Added\n- A round's comment.\n\n### Data\n- First release.\n\n"
        "## [0.0.9] - 2026-11-01\n\n### Added\n- The first rounds.\n"
    )
    # Releasing again with nothing new: an entry with only its data lines.
    again = with_release(text, "0.1.1", date(2026, 12, 2), ["- Nothing."])
    assert (
        "## [Unreleased]\n\n## [0.1.1] - 2026-12-02\n\n### Data\n- Nothing.\n\n## [0.1.0]" in again
    )


def test_changelog_refuses_a_second_entry_for_a_version_and_a_file_without_unreleased() -> None:
    from datetime import date

    import pytest

    from peacekg.changelog import ChangelogError, with_release

    with pytest.raises(ChangelogError, match=r"already has an entry for 0\.0\.9"):
        with_release(CHANGELOG, "0.0.9", date(2026, 12, 1), [])
    with pytest.raises(ChangelogError, match=r"has no '## \[Unreleased\]' section"):
        with_release("# Changelog\n", "0.1.0", date(2026, 12, 1), [])
