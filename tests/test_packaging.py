"""Installing, citing and licensing (issue 14): no empty successes, licence files that match
the package metadata, a citation with the dataset version, exact tool versions."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from peacekg import __version__
from peacekg.cli import EXIT_ERROR, main
from tests.conftest import ROOT
from tests.live import serve_process


@pytest.mark.parametrize("command", ["build", "validate", "reason", "serve"])
def test_a_folder_without_sources_exits_2_with_a_clear_message(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ONTOLOGY_DIR", "DATA_DIR", "CONFIG", "BUILD_DIR"):
        monkeypatch.delenv(f"PEACEKG_{name}", raising=False)
    result = CliRunner().invoke(main, [command])
    assert result.exit_code == EXIT_ERROR, result.output
    assert "error: no sources to read: ontology directory ontology has no Turtle/TriG files " in (
        result.output
    )
    assert "data directory data has no Turtle/TriG files (it does not exist)" in result.output
    assert "--ontology-dir and --data-dir" in result.output
    assert not (tmp_path / "build").exists()  # nothing built, nothing to serve


def test_a_data_folder_without_data_files_is_refused(mini: Path) -> None:
    empty = mini / "empty"
    empty.mkdir()
    result = CliRunner().invoke(
        main,
        [
            "build",
            f"--ontology-dir={mini / 'ontology'}",
            f"--data-dir={empty}",
            f"--build-dir={mini / 'build'}",
        ],
    )
    assert result.exit_code == EXIT_ERROR
    assert f"data directory {empty} has no Turtle/TriG files\n" in result.output
    assert "ontology directory" not in result.output.split("\n")[0]


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_licence_files_match_the_declared_licence() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert project["license-files"] == ["LICENSE", "LICENSE-DATA"]
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    data = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert code.startswith("MIT License\n")
    assert "Copyright (c) 2026 PeaceKG contributors" in code
    assert "Creative Commons Attribution 4.0 International Public License" in data
    assert "Section 8 -- Interpretation." in data  # the whole legal code, not a summary
    # The dumps' VoID names the same licence.
    from peacekg.export import LICENSE

    assert str(LICENSE) == "https://creativecommons.org/licenses/by/4.0/"


def test_citation_cff_names_the_dataset_version() -> None:
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^([a-z-]+): *(.*)$", text, flags=re.MULTILINE))
    assert fields["cff-version"] == "1.2.0"
    assert fields["version"] == f'"{__version__}"'
    assert fields["type"] == "dataset"
    assert {"message", "title", "authors", "license"} <= set(fields)
    assert '  - name: "PeaceKG contributors"' in text
    assert "doi" not in text.lower()  # none has been minted
    assert re.search(r"^license:\n  - MIT\n  - CC-BY-4.0$", text, flags=re.MULTILINE)


def test_changelog_has_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)" in text
    assert "\n## [Unreleased]\n\n### Added\n" in text


def test_test_tools_are_pinned_to_the_installed_versions() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    pins = project["optional-dependencies"]["test"]
    for pin in pins:
        name, _, pinned = pin.partition("==")
        assert pinned, f"{pin} is not an exact pin"
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned}"


def test_outside_a_clone_the_packaged_sources_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peacekg import config

    packaged = tmp_path / "site" / "resources"
    for name in ("ontology", "data", "queries"):
        (packaged / name).mkdir(parents=True)
    monkeypatch.setattr(config, "packaged_sources", lambda: packaged)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    environ = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    settings = config.load_settings(environ=environ, read_config_file=False)
    assert settings.ontology_dir == packaged / "ontology"
    assert settings.data_dir == packaged / "data"
    assert settings.queries_dir == packaged / "queries"
    assert settings.build_dir == tmp_path / "cache" / "peacekg" / __version__
    # A folder pointed at on purpose is read as it is, even when it is empty.
    pointed = config.load_settings(
        environ=environ, overrides={"data_dir": empty}, read_config_file=False
    )
    assert (pointed.ontology_dir, pointed.data_dir) == (Path("ontology"), empty)
    assert pointed.build_dir == Path("build")
    # Inside a clone, the clone's files win.
    (empty / "data").mkdir()
    clone = config.load_settings(environ=environ, read_config_file=False)
    assert (clone.data_dir, clone.build_dir) == (Path("data"), Path("build"))


@pytest.mark.slow
def test_installed_wheel_serves_the_whole_graph_from_an_empty_folder(tmp_path: Path) -> None:
    """pip wheel, a fresh venv, an empty folder, ``peacekg serve``: the same graph as a clone.

    The wheel is built from a copy of the clone's files (the clone stays clean). The fresh venv
    borrows this venv's dependencies through a ``.pth`` line, so the test runs offline; PeaceKG
    itself comes from the wheel only.
    """
    import json
    import os
    import shutil
    import subprocess
    import sys
    import sysconfig
    import urllib.parse
    import urllib.request

    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    source = tmp_path / "source"
    for name in listed:
        if (ROOT / name).is_file() and not name.startswith(("tests/", "node_modules/")):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        check=True,
        capture_output=True,  # setuptools' notes on data folders, and pip's progress
    )
    wheel = next((tmp_path / "dist").glob("peacekg-*.whl"))
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)], check=True
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    where = subprocess.run(
        [str(python), "-c", "import peacekg; print(peacekg.__file__)"],
        cwd=empty,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(site), where  # the wheel's copy, not the clone's
    command = [str(fresh / "bin" / "peacekg"), "serve", "--port=0"]
    running = serve_process(command, cwd=empty, env=env)
    try:
        url = f"http://127.0.0.1:{running.port}"
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        # serve_process returns once the socket is bound: the first request is answered (the
        # timeout is a safety net for a hung server on a busy machine, not a wait).
        request = urllib.request.Request(
            f"{url}/sparql?query={urllib.parse.quote(query)}",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            served = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
        with urllib.request.urlopen(f"{url}/ontology", timeout=60) as response:
            assert response.status == 200
    finally:
        running.stop()
    assert (tmp_path / "cache" / "peacekg" / __version__ / "store").is_symlink()
    assert not list(empty.iterdir())  # nothing written to the empty folder
    # The same graph as the clone's: as many triples in the endpoint's default graph.
    from peacekg.pipeline import build
    from peacekg.store import EmbeddedStore
    from tests.conftest import settings_for

    clone = settings_for(ROOT, build_dir=tmp_path / "clone-build")
    build(clone)
    result = EmbeddedStore.for_graphs(clone.store_path, clone.graphs).query(query)
    assert served == int(next(iter(result))["n"].value) > 5000


def test_every_shipped_folder_is_a_listed_package() -> None:
    """setuptools ships (and stops warning about) only the folders `packages` lists: a folder
    of code or graph sources left out would silently be missing from the wheel."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    mapped = dict(setup["setuptools"]["package-dir"])
    tops = {"peacekg": ROOT / mapped.pop("") / "peacekg"}
    tops.update({package: ROOT / folder for package, folder in mapped.items()})
    expected = {
        ".".join((package, *directory.relative_to(top).parts))
        for package, top in tops.items()
        for directory in [top, *top.rglob("*")]
        if directory.is_dir() and directory.name != "__pycache__"
    }
    assert set(setup["setuptools"]["packages"]) == expected
