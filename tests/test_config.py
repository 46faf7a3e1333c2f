"""Settings precedence: defaults < peacekg.toml < PEACEKG_* variables < CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacekg.config import Settings, SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings(environ={}, read_config_file=False)
    assert settings == Settings()
    assert (settings.host, settings.port, settings.base_iri) == (
        "127.0.0.1",
        8000,
        "https://w3id.org/peacekg/",
    )
    assert settings.shapes_path == Path("ontology/shapes.ttl")
    assert settings.graphs.asserted == "https://w3id.org/peacekg/graph/asserted"


def test_precedence(tmp_path: Path) -> None:
    config = tmp_path / "peacekg.toml"
    config.write_text('port = 9000\nhost = "0.0.0.0"\nquery_timeout = 5\n', encoding="utf-8")
    settings = load_settings(
        config_file=config,
        environ={"PEACEKG_PORT": "9100", "PEACEKG_SERVICE_ALLOWLIST": "http://a/sparql, http://b"},
        overrides={"port": 9200, "host": None},
    )
    assert settings.port == 9200  # flag beats variable beats file
    assert settings.host == "0.0.0.0"  # an unset flag does not hide the file
    assert settings.query_timeout == 5.0
    assert settings.service_allowlist == ("http://a/sparql", "http://b")


def test_errors_name_the_origin(tmp_path: Path) -> None:
    config = tmp_path / "peacekg.toml"
    config.write_text("prot = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"peacekg.toml: unknown setting 'prot'"):
        load_settings(config_file=config, environ={})
    with pytest.raises(SettingsError, match=r"PEACEKG_PORT: setting 'port' got 'x'"):
        load_settings(environ={"PEACEKG_PORT": "x"}, read_config_file=False)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PEACEKG_QUERY_TIMEOUT", "-1", "query_timeout must be greater than 0 (got -1.0)"),
        ("PEACEKG_MAX_ROWS", "0", "max_rows must be greater than 0 (got 0)"),
        ("PEACEKG_UPDATE_MODE", "Curated", "update_mode must be one of curated, dataset"),
        ("PEACEKG_STORE_KIND", "fuseki", "store_kind must be one of sparql11, oxigraph, virtuoso"),
        ("PEACEKG_PORT", "70000", "port must be between 0 and 65535 (got 70000)"),
        ("PEACEKG_BASE_IRI", "http://x/>", "base_iri must be an absolute http(s) IRI ending"),
        ("PEACEKG_BASE_IRI", "https://example.org/kg", "base_iri must be an absolute http(s)"),
    ],
)
def test_bad_values_are_refused_at_load(variable: str, value: str, message: str) -> None:
    """A value that would only fail inside a request is refused when settings load."""
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={variable: value}, read_config_file=False)
    assert str(caught.value).startswith(message)
