"""The ``peacekg`` command: thin click commands over the pipeline stages."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import pyoxigraph

from peacekg import __version__, mediatypes
from peacekg.config import Settings, SettingsError, describe, load_settings
from peacekg.load import LoadedSources, LoadError, load, source_files
from peacekg.pipeline import BuildFailed, build, needs_build, stages
from peacekg.progress import StageTicker
from peacekg.reason import InconsistencyError, reason
from peacekg.store import EmbeddedStore, StoreError, stored_graph, stored_sources
from peacekg.validate import validate

if TYPE_CHECKING:
    from peacekg.passages import DocumentText
    from peacekg.wikidata.client import LinkedEntity, Mismatch, WikidataClient

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _source_options(command: F) -> F:
    """Options every command that reads the sources shares (one definition, Datasette-style)."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path),
            help="Settings file (default: ./peacekg.toml when present).",
        ),
        click.option("--ontology-dir", type=click.Path(path_type=Path), help="Ontology directory."),
        click.option("--data-dir", type=click.Path(path_type=Path), help="Data directory."),
        click.option("--shapes-file", type=click.Path(path_type=Path), help="SHACL shapes file."),
        click.option(
            "--queries-dir",
            type=click.Path(path_type=Path),
            help="Query directory (examples/, checks/).",
        ),
        click.option("--build-dir", type=click.Path(path_type=Path), help="Build directory."),
        click.option(
            "--sources-dir",
            type=click.Path(path_type=Path),
            help="Source texts to check quotes against.",
        ),
        click.option("--base-iri", help="Base IRI of minted IRIs."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(config_file: Path | None, **flags: Any) -> Settings:
    try:
        return load_settings(config_file=config_file, overrides=flags)
    except SettingsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _progress(stage: str, message: str) -> None:
    click.echo(f"[{stage}] {message}", err=True)


def _require_sources(settings: Settings) -> None:
    """Exit 2 when the ontology or data directory holds no sources.

    Run outside a clone, every stage would succeed on nothing: a build of 0 triples, a
    validation that "conforms", a server answering COUNT(*) = 0 (issue 14).
    """
    missing = [
        f"{label} directory {directory} has no Turtle/TriG files"
        + ("" if directory.is_dir() else " (it does not exist)")
        for label, directory in (("ontology", settings.ontology_dir), ("data", settings.data_dir))
        if not source_files(directory)
    ]
    if missing:
        click.echo(f"error: no sources to read: {'; '.join(missing)}", err=True)
        click.echo(
            "run the command in a PeaceKG clone, or point --ontology-dir and --data-dir "
            "(PEACEKG_ONTOLOGY_DIR, PEACEKG_DATA_DIR, peacekg.toml) at the sources",
            err=True,
        )
        sys.exit(EXIT_ERROR)


def _run_build(settings: Settings) -> None:
    """Build, turning each kind of failure into its message and exit code."""
    _require_sources(settings)
    try:
        with StageTicker(sys.stderr, stages(settings)) as ticker:
            result = build(settings, ticker)
    except LoadError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except (BuildFailed, InconsistencyError) as error:
        click.echo(f"error: {error}", err=True)
        click.echo("the previous store (if any) is still the one served", err=True)
        sys.exit(EXIT_VIOLATIONS)
    except (StoreError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        click.echo("the previous store (if any) is still the one served", err=True)
        sys.exit(EXIT_ERROR)
    for iri, label in result.unlinked:
        click.echo(f"[wikidata] unlinked: {label} <{iri}>", err=True)
    click.echo(f"built {result.store_dir}", err=True)


@click.group()
@click.version_option(__version__, prog_name="peacekg")
def main() -> None:
    """PeaceKG: build, check, query and serve the peace-negotiations knowledge graph."""


@main.command("build")
@_source_options
def build_command(config_file: Path | None, **flags: Any) -> None:
    """Load, validate, reason, check and store the graph (the served store switches atomically)."""
    _run_build(_settings(config_file, **flags))


@main.command("push")
@_source_options
@click.option("--store-url", help="Query URL of the remote store (PEACEKG_STORE_URL).")
@click.option("--store-update-url", help="Its SPARQL Update URL.")
@click.option("--store-gsp-url", help="Its Graph Store Protocol URL.")
@click.option("--store-kind", help="sparql11, oxigraph or virtuoso.")
@click.option("--store-user", help="User that may write (password: PEACEKG_STORE_PASSWORD).")
def push_command(config_file: Path | None, **flags: Any) -> None:
    """Load the built graph into a remote store; readers never see it half-loaded."""
    from peacekg.push import push

    settings = _settings(config_file, **flags)

    def progress(done: int, total: int, triples: int) -> None:
        _progress("push", f"graph {done}/{total} loaded ({triples} triples so far)")

    try:
        result = push(settings, progress)
    except StoreError as error:
        click.echo(f"error: {error}", err=True)
        click.echo("the remote store still serves its previous graphs", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"pushed {result.triples} triples in {result.graphs} graphs to {result.store_url}")


@main.command("validate")
@_source_options
def validate_command(config_file: Path | None, **flags: Any) -> None:
    """Validate the curated data (facts, provenance, alignment) with SHACL, as a build does.

    Exit 0 conforms, 1 violations, 2 error.
    """
    settings = _settings(config_file, **flags)
    _require_sources(settings)
    try:
        sources = load(settings.ontology_dir, settings.data_dir, settings.shapes_path)
    except LoadError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    outcome = validate(sources.curated, sources.ontology, sources.shapes)
    if outcome.results:
        click.echo(outcome.text())
    click.echo(
        f"{'conforms' if outcome.conforms else 'does not conform'}: "
        f"{len(outcome.violations)} violations, {len(outcome.warnings)} warnings"
    )
    sys.exit(EXIT_OK if outcome.conforms else EXIT_VIOLATIONS)


@main.command("reason")
@_source_options
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the inferred triples to this Turtle file.",
)
def reason_command(config_file: Path | None, output: Path | None, **flags: Any) -> None:
    """Compute the OWL 2 RL closure and report (or write) what it adds."""
    settings = _settings(config_file, **flags)
    _require_sources(settings)
    try:
        sources = load(settings.ontology_dir, settings.data_dir, settings.shapes_path)
        result = reason(
            sources.ontology, sources.asserted, known=(sources.provenance, sources.alignment)
        )
    except LoadError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except InconsistencyError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(
        f"{len(result.inferred)} inferred triples from {result.input_triples} "
        f"({result.seconds:.2f} s)"
    )
    if output:
        result.inferred.serialize(destination=output, format="turtle")


def _open_store(settings: Settings) -> EmbeddedStore:
    if not settings.store_path.is_symlink():
        click.echo(f"error: no store at {settings.store_path}: run `peacekg build`", err=True)
        sys.exit(EXIT_ERROR)
    return EmbeddedStore.for_graphs(settings.store_path, settings.graphs)


def _table(result: pyoxigraph.QuerySolutions) -> str:
    names = [v.value for v in result.variables]
    rows = [["" if s[n] is None else str(s[n].value) for n in names] for s in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(line.rstrip() for line in lines)


@main.command("query")
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--format",
    "-f",
    "output_format",
    default="table",
    show_default=True,
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"]),
    help="Output format.",
)
@_source_options
def query_command(
    query_file: Any, output_format: str, config_file: Path | None, **flags: Any
) -> None:
    """Run a SPARQL query (a .rq file, or - for standard input) on the built store."""
    settings = _settings(config_file, **flags)
    store = _open_store(settings)
    try:
        # Results are computed while they are written: a SERVICE that fails offline or an
        # unknown function raises there, so both stay inside this try.
        _write_result(store.query(query_file.read()), output_format)
    except SyntaxError as error:
        click.echo(f"error: {query_file.name}: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except (StoreError, OSError, RuntimeError) as error:
        # Oxigraph's messages may span lines (a remote's payload): one line here.
        click.echo(f"error: {query_file.name}: {' '.join(str(error).split())}", err=True)
        sys.exit(EXIT_ERROR)


def _write_result(result: object, output_format: str) -> None:
    """Print a query result in ``output_format``; exit 2 for a format it cannot carry."""
    if isinstance(result, pyoxigraph.QueryTriples):
        fmt = mediatypes.by_name("turtle" if output_format == "table" else output_format)
        if fmt is None or fmt.kind not in {mediatypes.Kind.GRAPH, mediatypes.Kind.DATASET}:
            click.echo(f"error: --format {output_format} cannot carry triples", err=True)
            sys.exit(EXIT_ERROR)
        sys.stdout.buffer.write(result.serialize(format=fmt.rdf_format()) or b"")
        return
    if isinstance(result, pyoxigraph.QueryBoolean):
        if output_format == "table":
            click.echo("true" if bool(result) else "false")
            return
    elif isinstance(result, pyoxigraph.QuerySolutions) and output_format == "table":
        click.echo(_table(result))
        return
    assert isinstance(result, pyoxigraph.QueryBoolean | pyoxigraph.QuerySolutions)
    fmt = mediatypes.by_name(output_format)
    if fmt is None or fmt.kind is not mediatypes.Kind.RESULTS:
        click.echo(f"error: --format {output_format} cannot carry query results", err=True)
        sys.exit(EXIT_ERROR)
    sys.stdout.buffer.write(result.serialize(format=fmt.results_format()) or b"")


@main.command("serve")
@_source_options
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8000).")
def serve_command(config_file: Path | None, **flags: Any) -> None:
    """Serve the graph: rebuilds first when sources changed since the last build."""
    from peacekg.serve import serve

    settings = _settings(config_file, **flags)
    if needs_build(settings):
        click.echo("sources changed since the last build (or no store yet): building", err=True)
        try:
            _run_build(settings)
        except SystemExit:
            # A broken source must not take the graph offline: the last good store is served.
            if settings.store_url or not settings.store_path.is_symlink():
                raise
            click.echo(
                f"warning: the build failed (above); serving the last good store "
                f"{settings.store_path.resolve().name} until the sources are fixed",
                err=True,
            )
    else:
        click.echo(f"store is up to date: {settings.store_path}", err=True)

    def ready(url: str) -> None:
        click.echo(
            f"PeaceKG {__version__} serving at {url}/ "
            f"(SPARQL endpoint: {url}/sparql); Ctrl+C stops it",
            err=True,
        )

    try:
        serve(settings, on_ready=ready)
    except OSError as error:
        click.echo(f"error: cannot listen on {settings.host}:{settings.port}: {error}", err=True)
        sys.exit(EXIT_ERROR)


@main.command("export")
@_source_options
@click.option(
    "--wikidata",
    "wikidata_view",
    is_flag=True,
    help="Write the graph in Wikidata's RDF model (wdt:, p:/ps:/pq:, references) instead.",
)
@click.option(
    "--quickstatements",
    is_flag=True,
    help="Write QuickStatements V1 for the statements about entities with a QID instead.",
)
@click.option(
    "--against-wikidata",
    is_flag=True,
    help="With --quickstatements: compare with the Wikidata endpoint, write only new ones.",
)
def export_command(
    config_file: Path | None,
    wikidata_view: bool,
    quickstatements: bool,
    against_wikidata: bool,
    **flags: Any,
) -> None:
    """Write dumps (TriG, N-Quads, Turtle, JSON-LD), a VoID description and the ontology
    reference (pyLODE HTML).

    With --wikidata and/or --quickstatements, write only those files (issue 7).
    """
    settings = _settings(config_file, **flags)
    store = _open_store(settings)
    if quickstatements and against_wikidata:
        _export_checked_quickstatements(settings, store)
        quickstatements = False
        if not wikidata_view:
            return
    if wikidata_view or quickstatements:
        from peacekg.wikidata.view import write_exports

        graphs = settings.graphs
        export_result = write_exports(
            stored_sources(store, graphs),
            stored_graph(store, graphs.inferred),
            settings,
            view=wikidata_view,
            quickstatements=quickstatements,
        )
        for path in export_result.paths:
            click.echo(f"wrote {path} ({path.stat().st_size} bytes)")
        for statement, why in export_result.reasons:
            click.echo(f"left out: {statement.subject} {statement.pid}: {why}", err=True)
        if export_result.left_out:
            click.echo(
                f"{export_result.left_out} statement(s) about items left out of the "
                "QuickStatements (reasons above)",
                err=True,
            )
        return
    from peacekg.export import export, export_reference

    for path in [*export(store, settings), export_reference(store, settings)]:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@main.command("release")
@_source_options
@click.option(
    "--previous",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="The previous release's directory: write a change report against it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Release directory (default: <build_dir>/releases/<version>).",
)
@click.option(
    "--changelog",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The changelog that gets the release entry (default: ./CHANGELOG.md when present).",
)
@click.option(
    "--date",
    "released",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Release date in the changelog entry (default: today).",
)
def release_command(
    config_file: Path | None,
    previous: Path | None,
    out: Path | None,
    changelog: Path | None,
    released: datetime | None,
    **flags: Any,
) -> None:
    """Write this version's dumps, VoID and SHA256SUMS into a release directory, with
    --previous a change report (CHANGES.md, changes.json), and the release entry into
    CHANGELOG.md (the Unreleased notes under the version, the data changes and the checksum).

    A release directory and a version's changelog entry are never overwritten: a cited
    version must keep its bytes.
    """
    from peacekg.changelog import ChangelogError, data_lines, record_release, with_release
    from peacekg.export import write_release

    settings = _settings(config_file, **flags)
    store = _open_store(settings)
    target = out or settings.build_dir / "releases" / __version__
    if target.exists() and any(target.iterdir()):
        click.echo(
            f"error: {target} already holds a release: a cited version must not change; "
            "bump the version (src/peacekg/__init__.py) or give another --out",
            err=True,
        )
        sys.exit(EXIT_ERROR)
    if changelog is None and Path("CHANGELOG.md").is_file():
        changelog = Path("CHANGELOG.md")
    day = (released or datetime.now()).date()
    if changelog is not None:
        try:
            with_release(changelog.read_text(encoding="utf-8"), __version__, day, [])
        except (ChangelogError, OSError) as error:
            click.echo(f"error: {changelog}: {error}", err=True)
            sys.exit(EXIT_ERROR)
    try:
        written, report = write_release(store, settings, target, previous)
    except FileNotFoundError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")
    if report is not None:
        click.echo(report.summary())
    if changelog is None:
        click.echo("no CHANGELOG.md here (give --changelog PATH): no release entry written")
        return
    summary = report.summary() if report is not None else None
    lines = data_lines(target, summary, report.previous if report is not None else None)
    record_release(changelog, __version__, day, lines)
    click.echo(f"wrote the {__version__} entry into {changelog}")


@main.command("stats")
@_source_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats_command(config_file: Path | None, as_json: bool, **flags: Any) -> None:
    """Counts per named graph and per class, and claim coverage."""
    from peacekg.stats import compute_stats

    settings = _settings(config_file, **flags)
    try:
        stats = compute_stats(_open_store(settings), settings)
    except StoreError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    if as_json:
        click.echo(json.dumps(stats.as_dict(), indent=2))
    else:
        click.echo(stats.text())


def _source_texts(settings: Settings) -> tuple[LoadedSources, dict[str, DocumentText]]:
    """The loaded sources and the repaired text of each source document, or exit 2."""
    from peacekg.passages import document_texts

    if settings.sources_dir is None or not settings.sources_dir.is_dir():
        click.echo("error: set --sources-dir (or sources_dir) to the source texts", err=True)
        sys.exit(EXIT_ERROR)
    try:
        sources = load(settings.ontology_dir, settings.data_dir, settings.shapes_path)
    except LoadError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    return sources, document_texts(sources.provenance, settings.sources_dir)


@main.command("passage")
@click.argument("quote")
@click.option("--name", default="pkga:NAME", show_default=True, help="Assertion to write.")
@_source_options
def passage_command(quote: str, name: str, config_file: Path | None, **flags: Any) -> None:
    """Find QUOTE in the source texts and print the provenance of an assertion citing it.

    Prints the document part, offsets, prefix and suffix as TriG to paste beside the
    assertion graph. Exit 0 when the quote occurs exactly once, 1 when it is not found or
    found more than once (make it longer), 2 on error.
    """
    from peacekg.passages import find_passages

    settings = _settings(config_file, **flags)
    _sources, texts = _source_texts(settings)
    found = find_passages(texts, quote)
    if not found:
        click.echo(f"not found in any of the {len(texts)} documents: {quote!r}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    for passage in found:
        click.echo(f"# {passage.document} characters {passage.start}-{passage.end}")
    if len(found) > 1:
        click.echo(f"found {len(found)} times: quote more words to make it unique", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(found[0].trig(name), nl=False)


@main.command("sentences")
@click.option("--write", is_flag=True, help="Rewrite the tables' offsets and assertions.")
@_source_options
def sentences_command(write: bool, config_file: Path | None, **flags: Any) -> None:
    """Check that every sentence of every source is accounted for in data/sentences/.

    With --write, first recompute each table's sentences (pysbd) and the assertions whose
    passages lie in them, keeping the curator's status and note. Exit 0 when every sentence is
    accounted for, 1 when one is not (each is listed), 2 on error.
    """
    from peacekg.sentences import SENTENCES_DIR, check_tables, refreshed, write_table

    settings = _settings(config_file, **flags)
    sources, texts = _source_texts(settings)
    tables = settings.data_dir / SENTENCES_DIR
    if write:
        for path, (document, rows) in refreshed(texts, sources.provenance, tables).items():
            write_table(path, document, rows)
            click.echo(f"wrote {path} ({len(rows)} sentences)", err=True)
    problems = check_tables(texts, sources.provenance, tables)
    for problem in problems:
        click.echo(f"{problem.document} @{problem.start}: {problem.problem}")
    click.echo(f"{len(problems)} sentence(s) not accounted for", err=True)
    sys.exit(EXIT_VIOLATIONS if problems else EXIT_OK)


@main.command("queries")
@_source_options
def queries_command(config_file: Path | None, **flags: Any) -> None:
    """Print the example-query catalogue as Markdown (the README's catalogue is this output)."""
    from peacekg.queries import catalogue_markdown, load_catalogue

    settings = _settings(config_file, **flags)
    click.echo(catalogue_markdown(load_catalogue(settings.queries_dir / "examples")))


@main.command("settings")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (as in the README).")
def settings_command(markdown: bool) -> None:
    """List every setting with its default and meaning (PEACEKG_<NAME> overrides it)."""
    from peacekg.config import settings_markdown

    if markdown:
        click.echo(settings_markdown())
        return
    for name, default, help_text in describe():
        click.echo(f"{name:20} {default:40} {help_text}")


def _export_checked_quickstatements(settings: Settings, store: Any) -> None:
    """QuickStatements of only the statements new to Wikidata, with the comparison printed."""
    from peacekg import __version__
    from peacekg.wikidata.client import WikidataClient, WikidataError
    from peacekg.wikidata.compare import describe, write_checked_quickstatements
    from peacekg.wikidata.view import statements

    graphs = settings.graphs
    model = statements(stored_sources(store, graphs), stored_graph(store, graphs.inferred))
    path = settings.dumps_dir / f"peacekg-{__version__}-quickstatements.txt"
    try:
        client = WikidataClient(
            settings.wikidata_endpoint,
            contact=settings.wikidata_contact,
            timeout=settings.wikidata_timeout,
            retries=settings.wikidata_retries,
        )
        checked, comparisons = write_checked_quickstatements(model, client, path)
    except WikidataError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    for comparison in comparisons:
        click.echo(describe(comparison), err=True)
    for statement, why in checked.left_out:
        click.echo(f"left out: {statement.subject} {statement.pid}: {why}", err=True)
    click.echo(f"wrote {path} ({len(checked.statements)} new statement(s))")


@main.group("wikidata")
def wikidata_group() -> None:
    """Check and enrich our Wikidata links against a Wikidata SPARQL endpoint (issue 7)."""


def _wikidata_options(command: F) -> F:
    command = click.option("--endpoint", "wikidata_endpoint", help="Wikidata SPARQL endpoint URL.")(
        command
    )
    return _source_options(command)


def _wikidata_setup(settings: Settings) -> tuple[Any, Any]:
    """Load the sources and make the client, turning failures into exit code 2."""
    from peacekg.wikidata.client import WikidataClient, WikidataError

    try:
        sources = load(settings.ontology_dir, settings.data_dir, settings.shapes_path)
        client = WikidataClient(
            settings.wikidata_endpoint,
            contact=settings.wikidata_contact,
            timeout=settings.wikidata_timeout,
            retries=settings.wikidata_retries,
        )
    except (LoadError, WikidataError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    return sources, client


def _link_problems(
    client: WikidataClient, entities: list[LinkedEntity], settings: Settings
) -> list[Mismatch]:
    """Ask Wikidata for the linked items' labels and classes and list the links that do not
    fit (exit 2 when Wikidata cannot be asked): shared by ``check`` and ``accept``."""
    from peacekg.wikidata.client import WikidataError, check_links

    tested = sorted({qid for entity in entities for qid in entity.expected})
    try:
        facts = client.facts([e.qid for e in entities], settings.wikidata_languages, tested)
    except WikidataError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    return check_links(entities, facts, tested)


@wikidata_group.command("check")
@_wikidata_options
def wikidata_check_command(config_file: Path | None, **flags: Any) -> None:
    """Ask Wikidata whether each linked item's label and class fit our entity.

    Exit 0 when all fit, 1 when a link does not fit (each is listed), 2 on error.
    """
    from peacekg.wikidata.client import linked_entities

    settings = _settings(config_file, **flags)
    sources, client = _wikidata_setup(settings)
    entities = linked_entities(sources.curated, sources.ontology)
    problems = _link_problems(client, entities, settings)
    for problem in problems:
        click.echo(f"{problem.kind}: <{problem.iri}> -> wd:{problem.qid}: {problem.message}")
    click.echo(
        f"{len(entities)} links checked against {settings.wikidata_endpoint}: "
        f"{len(problems)} problem(s)"
    )
    conflicts = _compare_statements(sources, client)
    sys.exit(EXIT_VIOLATIONS if problems or conflicts else EXIT_OK)


def _compare_statements(sources: Any, client: Any) -> int:
    """Print how each statement of the QuickStatements compares with Wikidata (issue 15);
    the number of conflicting ones."""
    from peacekg.wikidata.client import WikidataError
    from peacekg.wikidata.compare import CONFLICTING, checked_upload, describe
    from peacekg.wikidata.view import statements

    model = statements(sources, reason(sources.ontology, sources.asserted).inferred)
    try:
        checked, comparisons = checked_upload(model, client)
    except WikidataError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    for comparison in comparisons:
        click.echo(describe(comparison))
    click.echo(
        f"{len(comparisons)} statement(s) of the QuickStatements compared with Wikidata: "
        f"{len(checked.statements)} new, {len(checked.left_out)} left out before (no "
        "citable reference, a constraint, no QID)"
    )
    return sum(c.status == CONFLICTING for c in comparisons)


@wikidata_group.command("reconcile")
@_wikidata_options
@click.option("--output", type=click.Path(path_type=Path), help="Review file (TSV).")
def wikidata_reconcile_command(config_file: Path | None, output: Path | None, **flags: Any) -> None:
    """Propose Wikidata items for each unlinked entity in a review file; links nothing.

    Exit 0 (candidates or not), 2 on error.
    """
    from peacekg.wikidata import load_reference_ids
    from peacekg.wikidata.client import WikidataError
    from peacekg.wikidata.reconcile import propose, write_review

    settings = _settings(config_file, **flags)
    sources, client = _wikidata_setup(settings)
    reference = settings.reference_dir
    listed = load_reference_ids(reference) if reference and reference.is_dir() else {}
    try:
        entities, proposals = propose(
            sources.curated, sources.ontology, client, settings.wikidata_languages, listed
        )
    except WikidataError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    path = output or settings.build_dir / "wikidata-reconcile.tsv"
    write_review(proposals, path)
    found = len({p.iri for p in proposals})
    click.echo(
        f"{len(entities)} unlinked entities, {found} with candidates, {len(proposals)} "
        f"candidate(s) written to {path}; nothing was linked: add an accepted candidate to "
        "data/alignment/wikidata.ttl, then run `peacekg wikidata check`"
    )


@wikidata_group.command("accept")
@_wikidata_options
@click.argument("review", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def wikidata_accept_command(config_file: Path | None, review: Path, **flags: Any) -> None:
    """Check the candidates a curator accepted in a review file; print the links to add.

    Each accepted QID must be in the reference list and pass the same label and class check
    as `peacekg wikidata check`. Nothing is written: the printed lines go into
    data/alignment/wikidata.ttl by hand. Exit 0 when all pass, 1 when one does not, 2 on
    error.
    """
    from peacekg.wikidata import load_reference_ids
    from peacekg.wikidata.client import linked_entities
    from peacekg.wikidata.reconcile import accepted_links, read_accepted

    settings = _settings(config_file, **flags)
    sources, client = _wikidata_setup(settings)
    try:
        accepted = read_accepted(review)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    reference = settings.reference_dir
    if reference is None or not reference.is_dir():
        click.echo("error: reference_dir is not set: no accepted QID can be checked", err=True)
        sys.exit(EXIT_ERROR)
    listed = load_reference_ids(reference)
    data, malformed = accepted_links(sources.curated, accepted)
    problems = [f"{iri} -> {qid}: not a QID" for iri, qid in malformed]
    problems += [
        f"{iri} -> {qid}: not in the reference list (wikidata-ids.tsv)"
        for iri, qid in accepted
        if (iri, qid) not in malformed and qid not in listed
    ]
    wanted = {(iri, qid) for iri, qid in accepted if qid in listed}
    entities = [e for e in linked_entities(data, sources.ontology) if (e.iri, e.qid) in wanted]
    failed = _link_problems(client, entities, settings)
    problems += [f"{m.iri} -> {m.qid}: {m.kind}: {m.message}" for m in failed]
    wrong = {(m.iri, m.qid) for m in failed}
    for entity in entities:
        if (entity.iri, entity.qid) not in wrong:
            click.echo(f"<{entity.iri}> skos:exactMatch wd:{entity.qid} .")
    for problem in problems:
        click.echo(f"refused: {problem}", err=True)
    sys.exit(EXIT_VIOLATIONS if problems else EXIT_OK)


@wikidata_group.command("enrich")
@_wikidata_options
def wikidata_enrich_command(config_file: Path | None, **flags: Any) -> None:
    """Fetch labels, descriptions and coordinates of linked items into their own graph.

    Writes the enrichment file under the build directory; the next `peacekg build` (or
    `peacekg serve`, which rebuilds when it changed) serves it as the named graph
    <base>graph/wikidata, apart from the asserted data.
    """
    from peacekg.wikidata.client import WikidataError, enrichment_graph, linked_entities

    settings = _settings(config_file, **flags)
    sources, client = _wikidata_setup(settings)
    qids = [entity.qid for entity in linked_entities(sources.curated, sources.ontology)]
    try:
        facts = client.facts(qids, settings.wikidata_languages)
    except WikidataError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    graph = enrichment_graph(
        facts, graph_iri=settings.graphs.wikidata, endpoint=settings.wikidata_endpoint
    )
    path = settings.wikidata_enrichment_path
    path.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(destination=path, format="turtle")
    click.echo(f"wrote {path}: {len(graph)} triples about {len(facts)} of {len(set(qids))} items")
    click.echo(f"run `peacekg build` to serve it as <{settings.graphs.wikidata}>", err=True)
