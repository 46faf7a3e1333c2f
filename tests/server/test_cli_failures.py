"""Real ``peacekg`` processes: failures that are not our bug end in one line and exit 2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from peacekg.pipeline import MANIFEST, build
from tests.conftest import settings_for
from tests.live import serve_process
from tests.server.test_serve_process import _peacekg, _rows

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * WHERE { SERVICE <http://no-such-host.invalid/sparql> { ?s ?p ?o } }",
            "failed to lookup address information: ",
        ),
        (
            "SELECT (<http://example.org/f>(1) AS ?x) {}",
            "The custom function <http://example.org/f> is not supported",
        ),
    ],
)
def test_query_that_fails_while_evaluated_is_one_line_and_exit_2(
    mini: Path, tmp_path: Path, query: str, message: str
) -> None:
    build(settings_for(mini))
    query_file = tmp_path / "federated.rq"
    query_file.write_text(query, encoding="utf-8")
    result = subprocess.run(
        [*_peacekg(mini, "query", str(query_file))],
        cwd=mini,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {query_file}: {message}")


def test_serve_with_an_emptied_manifest_rebuilds_and_answers(mini: Path) -> None:
    build(settings_for(mini))
    (mini / "build" / MANIFEST).write_text("", encoding="utf-8")
    served = serve_process([*_peacekg(mini, "serve"), "--port", "0"], cwd=mini, env=_env())
    try:
        assert _rows(served.port) == [
            "http://example.org/mini#round1",
            "http://example.org/mini#round2",
        ]
    finally:
        output = served.stop()
    assert "sources changed since the last build (or no store yet): building" in output
    assert (mini / "build" / MANIFEST).read_text(encoding="utf-8").startswith("{")
    assert [p.name for p in (mini / "build").glob(".*.tmp")] == []
