"""The SPARQL 1.1 endpoint in one blueprint (issue 5).

* ``/sparql``: SPARQL 1.1 Protocol queries (GET, POST form, POST ``application/sparql-query``)
  with ``default-graph-uri`` / ``named-graph-uri``, results in every format of the shared
  media-type table, and the service description when no query is given.
* ``/update``: SPARQL 1.1 Update (POST form or ``application/sparql-update``), only with the
  configured bearer token.
* ``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (``?graph=``/``?default`` and direct
  ``/store/<path>`` identification), only with the token.

Safe defaults: queries run in killable worker processes (:mod:`peacekg.workers`) with a
timeout and an announced row cap; SERVICE only to allowlisted endpoints, LOAD refused
(:mod:`peacekg.web.guard`); writes go through :mod:`peacekg.update`.
"""

from __future__ import annotations

import hmac
import sys
import uuid
from dataclasses import dataclass, replace
from typing import NoReturn

import pyoxigraph
from flask import Blueprint, Flask, Response, current_app, redirect, request
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from peacekg import mediatypes
from peacekg.config import Settings
from peacekg.export import dataset_iri, void_graph
from peacekg.namespaces import SD, VOID
from peacekg.remote import RemoteStore
from peacekg.store import EmbeddedStore, GraphStore, StoreError
from peacekg.update import GraphNotFound, Updater, UpdateRejected, UpdatesBusy, parse_triples
from peacekg.web import disk_error, hitpath, httpcache, state
from peacekg.web.cache import CacheKey, ResultCache, entity_tag, request_key, volatile
from peacekg.web.guard import (
    ClientSlots,
    PolicyError,
    TooDeep,
    TooManyQueries,
    add_using,
    check_depth,
    check_query,
    check_update,
    decode_escapes,
)
from peacekg.web.guard import names as scan_names
from peacekg.web.prefixes import PREFIXES, missing_prologue, shift_position
from peacekg.web.wdqs import WdqsError, check_prefixes, rewrite
from peacekg.workers import Job, Outcome, QueryTimeout, WorkerFailed, WorkerPool, WorkersBusy
from peacekg.workers import serialize as serialize_result

sparql_bp = Blueprint("sparql", __name__)

_EXTENSION = "peacekg.sparql"
FORMATS_NS = "http://www.w3.org/ns/formats/"
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nquads": "N-Quads",
}
# What a `format` value means for a CONSTRUCT/DESCRIBE result when it names a results format
# or a name clients use (SPARQLWrapper sends `format=xml` for RDF/XML, `rdf+xml`, `json-ld`).
_GRAPH_ALIASES = {
    "xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "json": "jsonld",
    "json-ld": "jsonld",
    "n3": "turtle",  # Turtle is N3 without its extensions
}
RESULT_HEADERS = (
    "X-PeaceKG-Row-Cap, X-PeaceKG-Byte-Cap, X-PeaceKG-Truncated, X-PeaceKG-Message, "
    "X-PeaceKG-Cache, ETag"
)
_GSP_MAX_TRIPLES = sys.maxsize - 1
VIEWS = ("union", "asserted")


class Problem(Exception):
    """A request the endpoint answers with an error status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


def _fail(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise Problem(status, message, headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@dataclass
class Endpoint:
    """Per-app state of the endpoint: the worker pool and the updater (never globals)."""

    settings: Settings
    pool: WorkerPool | None
    updater: Updater | None
    slots: ClientSlots
    cache: ResultCache | None = None
    counts: tuple[str, dict[str, int]] | None = None

    def close(self) -> None:
        """Stop the worker processes."""
        if self.pool is not None:
            self.pool.close()


def endpoint(app: Flask | None = None) -> Endpoint:
    """The endpoint state of ``app`` (the current app by default), created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if isinstance(found, Endpoint):
        return found
    app_state = app.extensions["peacekg"]
    with app_state.lock:
        found = app.extensions.get(_EXTENSION)
        if isinstance(found, Endpoint):
            return found
        settings: Settings = app_state.settings
        pool = (
            WorkerPool(settings.query_workers)
            if isinstance(app_state.store, EmbeddedStore)
            else None
        )
        updater = Updater(settings) if settings.update_token and not settings.store_url else None
        created = Endpoint(
            settings=settings,
            pool=pool,
            updater=updater,
            slots=ClientSlots(settings.client_concurrency),
            cache=ResultCache(settings.result_cache_bytes)
            if pool is not None and settings.result_cache_bytes > 0
            else None,
        )
        app.extensions[_EXTENSION] = created
        return created


def extension_of(app: Flask) -> Endpoint | None:
    """``app``'s endpoint state if a request created it already, else None."""
    found = app.extensions.get(_EXTENSION)
    return found if isinstance(found, Endpoint) else None


def shutdown(app: Flask) -> None:
    """Stop ``app``'s query workers (tests and embedding servers call this on exit)."""
    found = app.extensions.pop(_EXTENSION, None)
    if isinstance(found, Endpoint):
        found.close()


@sparql_bp.errorhandler(Problem)
def _problem(error: Problem) -> Response:
    return error_response(error.status, error.message, error.headers)


@sparql_bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Response:
    limit = state().settings.max_request_bytes
    return error_response(413, f"request body larger than the server's limit of {limit} bytes")


@sparql_bp.after_request
def _cors(response: Response) -> Response:
    """CORS for reads only: any origin may query; writes stay same-origin (issue 5)."""
    if request.endpoint == "sparql.sparql":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = RESULT_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


# -- request parsing ------------------------------------------------------------------------


# The helpers below take the request as ``req``: Flask's by default, a plain werkzeug one
# when :mod:`peacekg.web.hitpath` answers a query without Flask.


def _utf8_body(req: Request = request) -> str:
    charset = req.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        _fail(415, f"the request body must be UTF-8, not {charset}")
    try:
        return req.get_data().decode("utf-8")
    except UnicodeDecodeError as error:
        _fail(400, f"the request body is not valid UTF-8: {error}")


def _values(name: str, req: Request = request) -> list[str]:
    """Values of a parameter from the URL and, for form posts, from the body."""
    values = req.args.getlist(name)
    if req.method == "POST" and req.mimetype == "application/x-www-form-urlencoded":
        values += req.form.getlist(name)
    return values


def _single(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        _fail(400, f"more than one {name!r} parameter")
    return values[0] if values else None


def query_text(req: Request = request) -> str | None:
    """The query of a protocol request, or None (the service description is asked for)."""
    if req.method in {"GET", "HEAD"}:
        if req.args.getlist("update"):
            _fail(400, "SPARQL Update is only accepted by POST to /update")
        return _single("query", req.args.getlist("query"))
    mimetype = req.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        if req.form.getlist("update"):
            _fail(400, "SPARQL Update is only accepted by POST to /update")
        text = _single("query", _values("query", req))
        if text is None:
            _fail(400, "missing 'query' parameter in the form")
        return text
    if mimetype == "application/sparql-query":
        if req.args.getlist("query"):
            _fail(400, "a query in the URL and in the body")
        return _utf8_body(req)
    if not mimetype:
        _fail(415, "POST needs Content-Type application/sparql-query or a form")
    _fail(415, f"unsupported Content-Type {mimetype!r}: use application/sparql-query or a form")


def _iris(name: str, req: Request = request) -> list[str]:
    iris = _values(name, req)
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError as error:
            _fail(400, f"{name} {iri!r} is not an absolute IRI: {error}")
    return iris


def _formats(req: Request) -> tuple[str | None, str | None]:
    """(results format, graph format) from the ``format`` parameter or the Accept header."""
    requested = _values("format", req)
    results: str | None = None
    graph: str | None = None
    for value in requested:
        fmt = mediatypes.by_name(value)
        if fmt is not None and fmt.kind is mediatypes.Kind.RESULTS:
            results = results or fmt.name
        elif fmt is not None and fmt.kind in {mediatypes.Kind.GRAPH, mediatypes.Kind.DATASET}:
            graph = graph or fmt.name
        alias = _GRAPH_ALIASES.get(value.lower())
        if alias and graph is None:
            graph = alias
    if requested and results is None and graph is None:
        known = ", ".join(f.name for f in (*mediatypes.RESULT_FORMATS, *mediatypes.GRAPH_FORMATS))
        _fail(400, f"unknown format {requested[0]!r}; known formats: {known}")
    try:
        # `format` decides for the kind of result it names; the other kind still follows
        # Accept, so `format=turtle` with `Accept: */*` (SPARQLWrapper) on a SELECT gets
        # JSON, the query form's default, as Oxigraph answers.
        accept = req.headers.get("Accept")
        if results is None:
            chosen = mediatypes.negotiate(accept, mediatypes.RESULT_FORMATS)
            results = chosen.name if chosen else None
        if graph is None:
            chosen = mediatypes.negotiate(accept, mediatypes.GRAPH_FORMATS)
            graph = chosen.name if chosen else None
    except mediatypes.AcceptError as error:
        _fail(400, str(error))
    if results is None and graph is None:
        _fail(406, "none of the formats in the Accept header can carry SPARQL results")
    return results, graph


def _check_size(text: str, settings: Settings) -> None:
    limit = settings.max_request_bytes
    if len(text.encode("utf-8")) > limit:
        _fail(413, f"query longer than the server's limit of {limit} bytes")


def _check_depth(
    text: str, what: str, syntax: str = "sparql", settings: Settings | None = None
) -> None:
    """400 for a text nested deep enough to overflow a parser's stack (before parsing it)."""
    try:
        check_depth(text, (settings or state().settings).max_nesting_depth, what, syntax)
    except TooDeep as error:
        _fail(400, str(error))


def _body_syntax(media_type: str) -> str:
    if media_type in {"application/ld+json", "application/json"}:
        return "json"
    return "xml" if media_type.endswith("xml") else "sparql"


# -- queries --------------------------------------------------------------------------------


def _run(job: Job, app: Flask | None = None) -> Outcome:
    """Run a job on the worker pool (or inline for a remote store), mapping failures."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    ep = endpoint(app)
    settings = ep.settings
    if ep.pool is None:
        # A remote store answers over HTTP with its own timeout (RemoteStore.timeout).
        store = app.extensions["peacekg"].store
        try:
            result = (
                store.run(job)
                if isinstance(store, RemoteStore)
                else store.query(
                    job.query, default_graphs=job.default_graphs, named_graphs=job.named_graphs
                )
            )
        except SyntaxError as error:
            _fail(400, f"query syntax error: {error}")
        except StoreError as error:
            _fail(503, str(error))
        return serialize_result(result, job)
    try:
        return ep.pool.run(job, settings.query_timeout)
    except QueryTimeout:
        _fail(
            503,
            f"query stopped after {settings.query_timeout:g} s (the server's query_timeout); "
            "narrow it down or add a LIMIT",
        )
    except WorkersBusy:
        _fail(
            503,
            f"all {settings.query_workers} query workers stayed busy for "
            f"{settings.query_timeout:g} s; try again",
            {"Retry-After": "1"},
        )
    except WorkerFailed:
        app.logger.exception("query worker failed")
        _fail(500, "internal error while evaluating the query (logged)")


def _store_dir(store: GraphStore | None = None) -> str:
    store = store or state().store
    if isinstance(store, EmbeddedStore):
        try:
            return str(store.directory)
        except OSError:
            _fail(503, f"no store at {store.store_link}: run `peacekg build` first")
    return ""


def _outcome_response(outcome: Outcome) -> Response:
    response = Response(outcome.body, status=outcome.status, content_type=outcome.content_type)
    for name, value in outcome.headers.items():
        response.headers[name] = value
    response.vary.add("Accept")
    return response


def _cached_response(
    req: Request,
    ep: Endpoint,
    entry_outcome: Outcome,
    tag: str,
    modified: float,
    hit: bool,
    filed: tuple[str, CacheKey],
) -> Response:
    """The answer with its validators and ``X-PeaceKG-Cache``; 304 when the client has it.

    ``filed``: the version and key the answer is cached under, where the body compressed
    for this request's ``Accept-Encoding`` is kept too (:func:`httpcache.keep_encoded`).
    """
    settings = ep.settings
    if req.method == "GET" and httpcache.matches(req, tag):
        response = httpcache.not_modified(tag, modified, settings)
    else:
        response = _outcome_response(entry_outcome)
        httpcache.validate(response, tag, modified, settings)
        cache = ep.cache
        accept = req.headers.get("Accept-Encoding", "")
        if (
            cache is not None
            and req.method == "GET"
            and accept.strip().lower() not in hitpath.PLAIN
        ):
            version, key = filed
            httpcache.keep_encoded(
                lambda coding, body: cache.add_encoding(version, key, accept, coding, body)
            )
    response.headers["X-PeaceKG-Cache"] = "hit" if hit else "miss"
    return response


_OTHER_METHODS = ["PUT", "DELETE", "PATCH"]


def _not_allowed(allowed: str) -> NoReturn:
    """405 with a plain-text body (Flask's own 405 page is HTML)."""
    _fail(405, f"method {request.method} not allowed here; use {allowed}", {"Allow": allowed})


@sparql_bp.route("/sparql", methods=["GET", "POST", *_OTHER_METHODS])
def sparql() -> Response:
    """SPARQL 1.1 Protocol query operation (section 2.1); no query: the service description."""
    if request.method in _OTHER_METHODS:
        _not_allowed("GET, HEAD, OPTIONS, POST")
    text = query_text()
    if text is None:
        return service_description()
    return answer(request, current_app._get_current_object(), text)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Filed:
    """Where an answer is in the result cache, and its validators."""

    version: str
    key: CacheKey
    tag: str
    modified: float


@dataclass(frozen=True)
class Answer:
    """A query's outcome, whether the cache gave it, and where the cache holds it (if it does)."""

    outcome: Outcome
    hit: bool
    filed: Filed | None


def answer(req: Request, app: Flask, text: str) -> Response:
    """The answer to the protocol query ``text`` of ``req``, from the cache or a worker.

    Needs no Flask context: :mod:`peacekg.web.hitpath` calls it for plain queries before
    Flask, the view for the rest. Raises :class:`Problem` for an error answer.
    """
    ep = endpoint(app)
    return respond(req, ep, evaluate(req, app, text))


def respond(req: Request, ep: Endpoint, found: Answer) -> Response:
    """The response to ``req`` carrying ``found``: validators and a 304 when cached."""
    filed = found.filed
    if filed is not None:
        return _cached_response(
            req,
            ep,
            found.outcome,
            filed.tag,
            filed.modified,
            found.hit,
            (filed.version, filed.key),
        )
    response = _outcome_response(found.outcome)
    response.headers["X-PeaceKG-Cache"] = "miss"
    return response


def evaluate(req: Request, app: Flask, text: str) -> Answer:
    """The outcome of the protocol query ``text`` of ``req``, from the cache or a worker.

    Raises :class:`Problem` for an error answer.
    """
    ep = endpoint(app)
    store = app.extensions["peacekg"].store
    settings = ep.settings
    version: tuple[str, float] | None = None
    if ep.cache is not None:
        version = req.environ.get(hitpath.VERSION) or httpcache.store_version(store)
    key: CacheKey = ()
    if ep.cache is not None and version is not None:
        parsed = req.environ.get(hitpath.KEY) if req.method == "GET" else None
        key = (
            parsed
            if parsed is not None
            else request_key(req, text, lambda name: _values(name, req))
        )
        entry = ep.cache.get(version[0], key)
        if entry is not None:
            filed = Filed(version[0], key, entry.etag, entry.last_modified)
            return Answer(entry.outcome, True, filed)
    _check_size(text, settings)
    _check_depth(text, "the query", settings=settings)
    # One scan of the names serves the three checks below (issue 18); a text with escapes
    # is decoded by each check itself.
    found = None if "\\u" in text or "\\U" in text else scan_names(text)
    try:  # WDQS's label service and functions, answered here (peacekg.web.wdqs)
        check_prefixes(text, found)
        rewritten = rewrite(text, somevalue_bases=(settings.base_iri,))
    except WdqsError as error:
        _fail(400, str(error))
    if rewritten is not text:
        text, found = rewritten, None
    # Known prefixes need no PREFIX line (as at WDQS): the missing ones go in front.
    prologue = missing_prologue(text, found)
    text = prologue + text
    try:
        # The prologue adds no FROM: the scan of the text without it still tells.
        inspection = check_query(
            text, settings.service_allowlist, found.has_from if found is not None else None
        )
    except PolicyError as error:
        _fail(403, str(error))
    results_format, graph_format = _formats(req)
    default_uris = _iris("default-graph-uri", req)
    named_uris = _iris("named-graph-uri", req)
    view = _single("view", _values("view", req)) or "union"
    if view not in VIEWS:
        _fail(400, f"unknown view {view!r}; views: {', '.join(VIEWS)}")

    names = settings.graphs
    union = False
    default_graphs: list[str] | None
    named_graphs: list[str] | None = None
    if default_uris or named_uris:
        # SPARQL 1.1 Protocol 2.1.4: the protocol dataset replaces the query's FROM clauses.
        default_graphs, named_graphs = default_uris, named_uris
    elif view == "asserted":
        default_graphs = names.curated()
    elif inspection.has_dataset_clause:
        default_graphs = None  # the query's own FROM / FROM NAMED (never fetched)
    elif settings.update_mode == "dataset":
        default_graphs, union = None, True
    else:
        default_graphs = names.union()
    job = Job(
        # The version the cache key names, so an answer is never filed under another.
        store_dir=version[0] if version is not None else _store_dir(store),
        query=text,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        union=union,
        results_format=results_format,
        graph_format=graph_format,
        max_rows=settings.max_rows,
        max_bytes=settings.max_result_bytes,
        base_iri=req.base_url,
        service=bool(inspection.services),
        requested_format=next(iter(_values("format", req)), None),
        memory_quads=settings.memory_store_quads,
    )
    client = req.remote_addr or ""
    try:
        with ep.slots.hold(client):
            outcome = _run(job, app)
    except TooManyQueries:
        _fail(
            429,
            f"{client} is at its limit of {settings.client_concurrency} concurrent queries "
            "(the server's client_concurrency); wait for one to finish",
            {"Retry-After": "1"},
        )
    except Problem as problem:
        problem.message = shift_position(problem.message, prologue)
        raise
    if prologue and outcome.status == 400:
        message = shift_position(outcome.body.decode("utf-8"), prologue)
        outcome = replace(outcome, body=message.encode("utf-8"))
    if (
        ep.cache is not None
        and version is not None
        and outcome.status == 200
        and not inspection.services
        and not volatile(text)
    ):
        tag = entity_tag(version[0], key)
        ep.cache.put(version[0], key, outcome, tag, version[1])
        return Answer(outcome, False, Filed(version[0], key, tag, version[1]))
    return Answer(outcome, False, None)


# -- service description ---------------------------------------------------------------------


def _graph_counts() -> dict[str, int]:
    ep = endpoint()
    store = state().store
    key = _store_dir()
    if ep.counts is not None and key and ep.counts[0] == key:
        return ep.counts[1]
    try:
        counts = store.graph_counts()
    except StoreError as error:
        _fail(503, str(error))
    ep.counts = (key, counts)
    return counts


def description_graph(settings: Settings, endpoint_url: str, counts: dict[str, int]) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint, with VoID counts per graph."""
    graph = void_graph(settings, counts)
    service = URIRef(endpoint_url)
    dataset = dataset_iri(settings)
    graph.set((dataset, VOID.sparqlEndpoint, service))
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.update_token:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in _FORMAT_IRIS.values():
        graph.add((service, SD.resultFormat, URIRef(FORMATS_NS + name)))
    if settings.service_allowlist:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    if settings.update_mode == "dataset":
        graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Default graph: the union of the ontology, asserted, provenance, alignment and "
                "inferred graphs, the Wikidata-shaped view and the Wikidata enrichment; "
                "view=asserted keeps the curated graphs only (no inferred or Wikidata triples). "
                "Each fact is also in its assertion graph (GRAPH ?assertion), whose source "
                "passage the provenance graph gives. "
                f"Queries stop after {settings.query_timeout:g} s; at most {settings.max_rows} "
                f"rows and {settings.max_result_bytes} bytes are returned "
                "(X-PeaceKG-Truncated announces a cut). SERVICE only to: "
                + (", ".join(settings.service_allowlist) or "none")
                + ".",
                lang="en",
            ),
        )
    )
    graph.add((service, SD.defaultDataset, dataset))
    # The predefined prefixes, as SHACL prefix declarations (WDQS lists its own likewise).
    for name, namespace in PREFIXES.items():
        declaration = BNode()
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(name)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
        graph.bind(name, namespace, override=False)
    # The full VoID/DCAT description (dumps, licence, examples) is served at /void.
    graph.add((dataset, RDFS.seeAlso, URIRef(endpoint_url.rsplit("/", 1)[0] + "/void")))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    shown = settings.graphs.union()
    total = sum(n for iri, n in counts.items() if iri in shown)
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    for iri, count in sorted(counts.items()):
        named = URIRef(iri)
        graph.add((dataset, SD.namedGraph, named))
        inner = BNode()
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    return graph


def service_description() -> Response:
    """GET /sparql without a query: the service description, or the UI for a browser."""
    requested = _values("format")
    fmt: mediatypes.MediaFormat | None
    if requested:
        fmt = mediatypes.by_name(requested[0])
        if fmt is None or fmt.kind not in {mediatypes.Kind.GRAPH, mediatypes.Kind.DATASET}:
            _fail(400, f"unknown RDF format {requested[0]!r}")
    else:
        html = mediatypes.by_name("html")
        assert html is not None
        try:
            fmt = mediatypes.negotiate(
                request.headers.get("Accept"), (*mediatypes.GRAPH_FORMATS, html)
            )
        except mediatypes.AcceptError as error:
            _fail(400, str(error))
        if fmt is html:
            response = redirect("/", code=303)
            response.vary.add("Accept")
            return response  # type: ignore[return-value]
        if fmt is None:
            _fail(
                406,
                "the service description is available as Turtle, N-Triples, RDF/XML, "
                "JSON-LD, TriG and N-Quads",
            )
    settings = state().settings
    graph = description_graph(settings, request.base_url, _graph_counts())
    body = graph.serialize(format=fmt.rdflib_format, encoding="utf-8")
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


# -- update and the graph store ----------------------------------------------------------------


def _authorise() -> Updater:
    """The updater when the request carries the configured token; 403/401 otherwise."""
    settings = state().settings
    ep = endpoint()
    if not settings.update_token or ep.updater is None:
        _fail(403, "this endpoint is read-only: updates are disabled (no update_token set)")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.update_token.encode()
    ):
        _fail(
            401,
            "updates need the header 'Authorization: Bearer <token>'",
            {"WWW-Authenticate": 'Bearer realm="peacekg"'},
        )
    return ep.updater


@sparql_bp.route("/update", methods=["GET", "POST", *_OTHER_METHODS])
def update() -> Response:
    """SPARQL 1.1 Protocol update operation (section 2.2), with the token only."""
    if request.method != "POST":
        _not_allowed("POST, OPTIONS")
    updater = _authorise()
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        text = _single("update", _values("update"))
        if text is None:
            _fail(400, "missing 'update' parameter in the form")
    elif mimetype == "application/sparql-update":
        text = _utf8_body()
    else:
        _fail(415, "POST an update as application/sparql-update or as a form")
    _check_depth(text, "the update")
    settings = state().settings
    try:
        inspection = check_update(text, settings.service_allowlist)
    except PolicyError as error:
        _fail(403, str(error))
    using = _iris("using-graph-uri")
    using_named = _iris("using-named-graph-uri")
    if using or using_named:
        if inspection.has_using_or_with:
            _fail(
                400, "using-graph-uri/using-named-graph-uri conflict with USING/WITH in the update"
            )
        text = add_using(decode_escapes(text), inspection.tokens, using, using_named)
    try:
        updater.update(text, base_iri=request.base_url)
    except UpdateRejected as error:
        _fail(error.status, str(error))
    except StoreError as error:
        _fail(503, str(error))
    except UpdatesBusy as error:
        _fail(503, str(error), {"Retry-After": "5"})
    except OSError as error:
        _disk_failure(error)
    endpoint().counts = None
    return Response(status=204)


def _disk_failure(error: OSError) -> NoReturn:
    """A write that failed on the disk: 507/503 when full or read-only, else re-raised."""
    disk = disk_error(error)
    if disk is None:
        raise error
    current_app.logger.error("cannot write the store", exc_info=error)
    _fail(*disk)


def _gsp_graph(path: str | None) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether a graph was named at all)."""
    has_graph = "graph" in request.args
    has_default = "default" in request.args
    if path is not None:
        if has_graph or has_default:
            _fail(400, "direct graph identification takes no ?graph or ?default")
        return request.base_url, True
    if has_graph and has_default:
        _fail(400, "?graph and ?default together")
    if has_graph:
        iri = _single("graph", request.args.getlist("graph"))
        assert iri is not None
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError as error:
            _fail(400, f"graph {iri!r} is not an absolute IRI: {error}")
        return iri, True
    return None, has_default


def _body_triples(base_iri: str) -> list[pyoxigraph.Triple]:
    if request.mimetype == "multipart/form-data":
        triples: list[pyoxigraph.Triple] = []
        for part in request.files.values():
            data = part.read()
            _check_depth(data.decode("utf-8", "replace"), "the graph", _body_syntax(part.mimetype))
            triples += parse_triples(data, part.mimetype, base_iri)
        return triples
    if not request.mimetype:
        _fail(415, "a graph needs a Content-Type (e.g. text/turtle)")
    data = request.get_data()
    _check_depth(data.decode("utf-8", "replace"), "the graph", _body_syntax(request.mimetype))
    return parse_triples(data, request.mimetype, base_iri)


@sparql_bp.route("/store", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
@sparql_bp.route("/store/<path:path>", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
def graph_store(path: str | None = None) -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol, with the token only."""
    if request.method == "PATCH":
        _not_allowed("GET, HEAD, PUT, POST, DELETE, OPTIONS")
    updater = _authorise()
    graph, named = _gsp_graph(path)
    try:
        if request.method in {"GET", "HEAD"}:
            if not named:
                _fail(400, "name a graph: ?graph=<iri> or ?default")
            return _gsp_get(updater, graph)
        if request.method == "DELETE":
            if not named:
                _fail(400, "name a graph: ?graph=<iri> or ?default")
            updater.drop_graph(graph)
            endpoint().counts = None
            return Response(status=204)
        if request.method == "POST" and not named:
            if updater.curated:
                # A new assertion needs its provenance in the same change, which one GSP
                # request cannot carry: a SPARQL Update can.
                _fail(
                    403,
                    "a new graph cannot be created here: add an assertion and its provenance "
                    "in one SPARQL Update (POST /update)",
                )
            graph = request.url_root + "store/graph-" + uuid.uuid4().hex
            updater.add_to_graph(graph, _body_triples(graph))
            endpoint().counts = None
            return Response(status=201, headers={"Location": graph})
        triples = _body_triples(graph or request.base_url)
        if request.method == "PUT":
            created = updater.replace_graph(graph, triples)
        else:
            created = updater.add_to_graph(graph, triples)
        endpoint().counts = None
        return Response(status=201 if created else 204)
    except UpdateRejected as error:
        _fail(error.status, str(error))
    except GraphNotFound as error:
        _fail(404, f"no graph <{error}>")
    except StoreError as error:
        _fail(503, str(error))
    except UpdatesBusy as error:
        _fail(503, str(error), {"Retry-After": "5"})
    except OSError as error:
        _disk_failure(error)


def _gsp_get(updater: Updater, graph: str | None) -> Response:
    settings = state().settings
    try:
        fmt = mediatypes.negotiate(request.headers.get("Accept"), mediatypes.GRAPH_FORMATS)
    except mediatypes.AcceptError as error:
        _fail(400, str(error))
    if fmt is None:
        _fail(406, "graphs are available as Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads")
    if graph is None and updater.curated:
        # The curated dataset has no default graph (every fact lies in an assertion graph),
        # as PUT, POST and DELETE ?default are refused (Updater.target).
        _fail(
            403,
            "the default graph is not part of the curated dataset: GET an assertion graph, "
            f"<{settings.graphs.asserted}> (their union) or <{settings.graphs.provenance}>",
        )
    job = Job(
        store_dir=_store_dir(),
        query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        default_graphs=None if graph is None else [graph],
        union=False,
        graph_format=fmt.name,
        max_rows=_GSP_MAX_TRIPLES,
        max_bytes=_GSP_MAX_TRIPLES,  # GSP sends a graph whole (token holders only)
    )
    outcome = _run(job)
    if outcome.status == 200 and outcome.count == 0 and graph is not None:
        _fail(404, f"no graph <{graph}>")
    response = Response(outcome.body, status=outcome.status, content_type=outcome.content_type)
    response.vary.add("Accept")
    return response
