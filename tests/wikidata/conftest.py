"""Fixtures for the Wikidata tests: a real local stand-in endpoint and a small built project.

The stand-in is ``oxigraph serve-read-only`` on a free 127.0.0.1 port, loaded with
``fixtures/wikidata-standin.ttl`` (Wikidata's RDF model). No test touches the network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from peacekg.config import Settings
from peacekg.pipeline import build
from peacekg.store import EmbeddedStore
from tests.conftest import ROOT, SEEDS, free_port, settings_for

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
STANDIN = FIXTURES / "wikidata-standin.ttl"
PROJECT = FIXTURES / "project"


def oxigraph_cli() -> str:
    """The ``oxigraph`` server CLI next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph exited with {process.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"oxigraph did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Query URL of a running Wikidata stand-in (read-only Oxigraph on 127.0.0.1)."""
    cli = oxigraph_cli()
    location = tmp_path_factory.mktemp("wikidata-standin") / "db"
    subprocess.run(
        [cli, "load", "--location", str(location), "--file", str(STANDIN)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [cli, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fixture_graphs() -> tuple[Graph, Graph]:
    """(asserted, ontology) of the test dataset, read without the shapes or the build."""
    ontology = Graph().parse(ROOT / "ontology" / "peacekg.ttl")
    asserted = Graph()
    for path in sorted((PROJECT / "data").glob("*.ttl")):
        asserted.parse(path)
    return asserted, ontology


def project_settings(build_dir: Path, **overrides: object) -> Settings:
    """Settings for the test dataset with the project's real ontology, shapes and checks."""
    values: dict[str, object] = {
        "ontology_dir": ROOT / "ontology",
        "data_dir": PROJECT / "data",
        "shapes_file": ROOT / "ontology" / "shapes.ttl",
        "queries_dir": ROOT / "queries",
        "build_dir": build_dir,
        "sources_dir": SEEDS,  # the fixture's quotes are verified like the real data's
    }
    values.update(overrides)
    return settings_for(PROJECT, **values)


@pytest.fixture(scope="session")
def wd_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test dataset, built once into a temporary build directory."""
    settings = project_settings(tmp_path_factory.mktemp("wikidata-build"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def wd_store(wd_settings: Settings) -> EmbeddedStore:
    """The built store of the test dataset."""
    return EmbeddedStore(wd_settings.store_path)
