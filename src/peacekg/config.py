"""One typed ``Settings``: defaults, ``peacekg.toml``, ``PEACEKG_*`` variables, CLI flags.

Every field carries its own help text so that ``peacekg settings`` and the README document
the same thing the code reads (Datasette's self-documenting settings).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from peacekg import __version__
from peacekg.namespaces import DEFAULT_BASE, GraphNames

CONFIG_FILE = "peacekg.toml"
ENV_PREFIX = "PEACEKG_"


UPDATE_MODES = ("curated", "dataset")
STORE_KINDS = ("sparql11", "oxigraph", "virtuoso")  # peacekg.stores.KINDS
# No characters that IRIs forbid (RFC 3987), so the base can be used in queries and links.
_BASE_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+/")


class SettingsError(ValueError):
    """A setting has a value of the wrong kind; the message names the setting and its origin."""


def _help(text: str, default: Any) -> Any:
    if isinstance(default, list | tuple | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"help": text})
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class Settings:
    """Everything PeaceKG can be told; see ``peacekg settings`` for the effective values."""

    ontology_dir: Path = _help("Directory of ontology Turtle files", Path("ontology"))
    data_dir: Path = _help("Directory of asserted data (Turtle/TriG)", Path("data"))
    shapes_file: Path | None = _help(
        "SHACL shapes file (default: shapes.ttl in ontology_dir)", None
    )
    queries_dir: Path = _help("Directory of .rq files (examples/ and checks/)", Path("queries"))
    sources_dir: Path | None = _help(
        "Directory of the source texts that quotes are checked against (off when unset)", None
    )
    reference_dir: Path | None = _help(
        "Directory holding wikidata-ids.tsv, the checked Wikidata IDs (off when unset)", None
    )
    build_dir: Path = _help("Where the store and the dumps are built", Path("build"))
    base_iri: str = _help("Base IRI of everything the graph mints", DEFAULT_BASE)
    host: str = _help("Address the server listens on", "127.0.0.1")
    port: int = _help("Port the server listens on", 8000)
    threads: int = _help("Worker threads of the WSGI server", 8)
    query_timeout: float = _help("Seconds a SPARQL query may run before it is stopped", 30.0)
    max_rows: int = _help("Most result rows returned; more is announced, never silent", 10000)
    max_request_bytes: int = _help("Largest request body accepted, in bytes", 1_000_000)
    max_result_bytes: int = _help(
        "Largest result body returned, in bytes; more is cut at a row and announced like "
        "the row cap",
        50_000_000,
    )
    max_nesting_depth: int = _help(
        "Deepest nesting of brackets ({, (, [) accepted in a query, an update or a graph "
        "body; deeper is refused with 400 before parsing (the parsers' stack would overflow)",
        200,
    )
    connection_limit: int = _help(
        "Open connections the server keeps; at the limit the oldest ones waiting for a "
        "request are dropped (slow-loris)",
        100,
    )
    channel_timeout: int = _help(
        "Seconds a connection may stay without activity or a request in progress", 15
    )
    cleanup_interval: int = _help("Seconds between checks for connections to drop", 2)
    client_concurrency: int = _help(
        "Queries one client address may run at once (keep it below query_workers and the "
        "cores); more are answered 429 with Retry-After",
        1,
    )
    service_allowlist: tuple[str, ...] = _help(
        "SPARQL endpoints a SERVICE clause may call",
        ("https://query.wikidata.org/sparql",),
    )
    update_token: str | None = _help(
        "Bearer token enabling /update and /store (read-only when unset)", None
    )
    update_mode: str = _help(
        "What /update and /store may change: 'curated' (the asserted graph only, revalidated "
        "and re-reasoned like a build) or 'dataset' (any graph, unchecked: for protocol "
        "conformance runs, never for the curated graph)",
        "curated",
    )
    max_queued_updates: int = _help(
        "Changes (/update, /store) that may run or wait at once; more get 503 with "
        "Retry-After, so waiting updates never hold every server thread",
        2,
    )
    query_workers: int = _help(
        "Worker processes evaluating SPARQL queries (a timed-out query's worker is killed)", 4
    )
    result_cache_bytes: int = _help(
        "Bytes of query answers the endpoint keeps for repeated queries (least recently used "
        "go first; a build or an accepted update makes them unreachable); 0 switches it off",
        64_000_000,
    )
    http_max_age: int = _help(
        "Seconds a client or proxy may reuse a read without asking again (Cache-Control "
        "max-age); 0 sends no-cache: reuse only after a 304 on the ETag",
        0,
    )
    memory_store_quads: int = _help(
        "Largest store, in quads, that each query worker copies into memory to answer from "
        "(Oxigraph answers the default graph of several named graphs many times faster in "
        "memory; each worker holds its own copy); larger stores are queried on disk, 0 always",
        300_000,
    )
    max_page_statements: int = _help(
        "Most statements an entity page lists; past it the page says how many there are and "
        "links to a query giving every one",
        500,
    )
    max_page_neighbours: int = _help(
        "Most neighbours an entity page or RDF document reads each way (what it links to, what "
        "links to it), so its time stays bounded at any graph size; past them a subset is "
        "shown, with every statement counted",
        1000,
    )
    store_url: str | None = _help(
        "Query URL of a remote SPARQL 1.1 store to serve from instead of the embedded one", None
    )
    store_update_url: str | None = _help("Update URL of that remote store", None)
    store_gsp_url: str | None = _help("Graph Store Protocol URL of that remote store", None)
    store_kind: str = _help(
        "What the remote store is: 'sparql11' (standard protocols only), 'oxigraph' "
        "(oxigraph serve) or 'virtuoso' (Virtuoso 7); see README's remote-store section",
        "sparql11",
    )
    store_write_timeout: float = _help(
        "Seconds one load request or the switching update may take in the remote store (the "
        "switch is one transaction: minutes for a graph of a million triples)",
        3600.0,
    )
    store_user: str | None = _help("User that writes to the remote store (push, build)", None)
    store_password: str | None = _help(
        "That user's password (prefer the PEACEKG_STORE_PASSWORD variable to a file)", None
    )
    wikidata_endpoint: str = _help(
        "SPARQL endpoint that `peacekg wikidata check|enrich` ask",
        "https://query.wikidata.org/sparql",
    )
    wikidata_contact: str = _help(
        "Contact (URL or e-mail) put in the User-Agent sent to Wikidata, as Wikimedia's "
        "User-Agent policy asks; set your own address when you run the commands",
        "https://w3id.org/peacekg/",
    )
    wikidata_timeout: float = _help("Seconds one request to the Wikidata endpoint may take", 60.0)
    wikidata_retries: int = _help(
        "Retries of a Wikidata request after HTTP 429/5xx or a network error (with backoff)", 3
    )
    wikidata_languages: tuple[str, ...] = _help(
        "Languages of the labels and descriptions `peacekg wikidata enrich` fetches",
        ("en", "uk", "ru", "de", "fr", "tr"),
    )

    def __post_init__(self) -> None:
        """Refuse values that would only fail later, deep inside a request or a query."""
        problems = []
        if self.update_mode not in UPDATE_MODES:
            problems.append(f"update_mode must be one of {', '.join(UPDATE_MODES)}")
        if self.store_kind not in STORE_KINDS:
            problems.append(f"store_kind must be one of {', '.join(STORE_KINDS)}")
        for name in (
            "query_timeout",
            "store_write_timeout",
            "max_rows",
            "max_request_bytes",
            "max_result_bytes",
            "max_nesting_depth",
            "threads",
            "query_workers",
            "connection_limit",
            "channel_timeout",
            "cleanup_interval",
            "client_concurrency",
            "max_queued_updates",
            "max_page_statements",
            "max_page_neighbours",
        ):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be greater than 0")
        for name in ("result_cache_bytes", "http_max_age", "memory_store_quads"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be 0 or more")
        if not 0 <= self.port <= 65535:
            problems.append("port must be between 0 and 65535")
        if not _BASE_IRI.fullmatch(self.base_iri):
            problems.append("base_iri must be an absolute http(s) IRI ending with '/'")
        if problems:
            raise SettingsError("; ".join(f"{p} (got {self._value_of(p)!r})" for p in problems))

    def _value_of(self, problem: str) -> object:
        return getattr(self, problem.split(" ", 1)[0])

    @property
    def shapes_path(self) -> Path:
        """The shapes file actually used."""
        return self.shapes_file or self.ontology_dir / "shapes.ttl"

    @property
    def store_path(self) -> Path:
        """The stable path of the served store (a link switched atomically by each build)."""
        return self.build_dir / "store"

    @property
    def dumps_dir(self) -> Path:
        """Where ``peacekg export`` writes dumps."""
        return self.build_dir / "dumps"

    @property
    def wikidata_enrichment_path(self) -> Path:
        """Where ``peacekg wikidata enrich`` writes what it fetched; the build serves it."""
        return self.build_dir / "wikidata" / "enrichment.ttl"

    @property
    def graphs(self) -> GraphNames:
        """The named-graph IRIs under this base."""
        return GraphNames(self.base_iri)

    @property
    def base_url(self) -> str:
        """The local URL the server answers on."""
        return f"http://{self.host}:{self.port}"


def describe() -> list[tuple[str, str, str]]:
    """(name, default, help) of every setting, for the CLI and the README."""
    rows = []
    for f in fields(Settings):
        factory: Any = f.default_factory
        default = f.default if f.default is not MISSING else factory()
        rows.append((f.name, str(default), str(f.metadata.get("help", ""))))
    return rows


def settings_markdown() -> str:
    """Every setting as a Markdown table, for the README (checked by tests/test_docs.py)."""
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for name, default, help_text in describe():
        env = ENV_PREFIX + name.upper()
        lines.append(f"| `{name}` | `{env}` | `{default}` | {help_text} |")
    return "\n".join(lines)


def _coerce(name: str, raw: Any, origin: str) -> Any:
    hint = get_type_hints(Settings)[name]
    text = str(hint)
    try:
        if raw is None:
            return None
        if "tuple" in text:
            if isinstance(raw, str):
                return tuple(item.strip() for item in raw.split(",") if item.strip())
            return tuple(str(item) for item in raw)
        if "Path" in text:
            return Path(str(raw))
        if hint is int:
            return int(raw)
        if hint is float:
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{origin}: setting {name!r} got {raw!r}: {error}") from error


SOURCE_SETTINGS = ("ontology_dir", "data_dir", "queries_dir", "shapes_file")


def packaged_sources() -> Path | None:
    """The ontology, data and queries an installed wheel carries, or None in a clone's venv.

    The wheel maps the clone's ``ontology/``, ``data/`` and ``queries/`` to
    ``peacekg/resources/`` (pyproject.toml); an editable install has no such folder.
    """
    root = Path(__file__).resolve().parent / "resources"
    return root if (root / "ontology").is_dir() and (root / "data").is_dir() else None


def user_cache_dir(environ: Mapping[str, str]) -> Path:
    """Where an installed PeaceKG builds when no build_dir is set: per user and version."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peacekg" / __version__


def _discover_sources(values: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Default to the packaged sources outside a clone, building into the user cache.

    Inside a clone (``ontology/`` or ``data/`` in the working directory) the clone's files
    win, and any source setting given anywhere switches discovery off: a folder pointed at
    on purpose is read as it is (and refused when it holds nothing, see the CLI).
    """
    if any(key in values for key in SOURCE_SETTINGS):
        return
    if Path("ontology").is_dir() or Path("data").is_dir():
        return
    packaged = packaged_sources()
    if packaged is None:
        return
    values["ontology_dir"] = packaged / "ontology"
    values["data_dir"] = packaged / "data"
    values["queries_dir"] = packaged / "queries"
    values.setdefault("build_dir", user_cache_dir(environ))


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    read_config_file: bool = True,
) -> Settings:
    """Build Settings from defaults, the TOML file, ``PEACEKG_*`` variables and overrides.

    ``overrides`` are CLI flags (or a test's config); ``None`` values are ignored so that an
    unset flag does not hide a value from the file or the environment.
    ``read_config_file=False`` skips the TOML file (tests that must not see a local one).
    Outside a clone, an installed package defaults to the sources it carries
    (:func:`_discover_sources`).
    """
    environ = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}

    path = config_file or Path(environ.get(ENV_PREFIX + "CONFIG", CONFIG_FILE))
    if read_config_file and path.is_file():
        with path.open("rb") as handle:
            try:
                table = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise SettingsError(f"{path}: {error}") from error
        for key, raw in table.items():
            if key not in known:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, raw, str(path))
    elif read_config_file and config_file is not None:
        raise SettingsError(f"{config_file}: no such settings file")

    for key in known:
        env_name = ENV_PREFIX + key.upper()
        if env_name in environ:
            raw_env: str | None = environ[env_name]
            values[key] = _coerce(key, raw_env if raw_env != "" else None, env_name)

    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key not in known:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = _coerce(key, raw, f"--{key.replace('_', '-')}")

    _discover_sources(values, environ)
    return replace(Settings(), **values)
