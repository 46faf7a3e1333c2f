"""Linked data (issue 6): dereferenceable IRIs, entity pages, timeline, claims, index, dumps,
VoID/DCAT and the ontology reference.

IRIs and local URLs. The graph keeps its canonical IRIs (``Settings.base_iri``, by default
``https://w3id.org/peacekg/``). The server answers for every IRI under the base at the same
path: ``<base>id/x`` at ``/id/x``, ``<base>ontology#T`` at ``/ontology#T``,
``<base>graph/asserted`` at ``/graph/asserted``, ``<base>dataset`` at ``/dataset``.

- ``/id/<x>`` answers 303 See Other: to ``/page/<x>`` for HTML, to ``/data/<x>.<ext>`` for RDF
  (Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads), chosen by Accept with the shared table
  of :mod:`peacekg.mediatypes`; a suffix (``/id/<x>.ttl``) overrides Accept. Every answer
  carries ``Vary: Accept`` and ``Link: <...>; rel="alternate"; type="..."`` for each format.
- RDF documents keep the canonical IRIs, so they merge with the dumps and the endpoint's
  results; ``?iris=local`` rewrites every IRI under the base to this server's URL so that a
  program can follow them here. Pages always link locally.
- Asserted vs inferred: TriG, N-Quads and JSON-LD keep each statement's named graph
  (``<base>graph/asserted``, ``.../inferred``, ``.../ontology``); Turtle, N-Triples and RDF/XML
  hold the asserted (and ontology) statements only, unless ``?inferred=true``.
  ``?inferred=false`` drops the inferred graph from the dataset formats too.
- Provenance per statement (issue 10): a page shows, for each statement, the documents of the
  assertions holding it (the passage's exact words on hover and in a numbered list), marks
  curator inferences with their reason and reasoner inferences as inferred. The RDF documents
  add each statement's assertion graph (dataset formats) and the assertions' provenance.
  ``<base>assertion/<x>`` answers 303 to ``/assertions/<x>`` (its triples, document, passage
  and kind) or ``/assertions/<x>.<ext>`` (the graph and its provenance).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote, urlencode

import pyoxigraph
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from peacekg import __version__, describe, mediatypes
from peacekg.config import Settings
from peacekg.export import CONTEXT_FILE, split_counts
from peacekg.store import stored_graph
from peacekg.web import state
from peacekg.web.datasets import (
    ensure_dumps,
    reference_path,
    void_dcat,
)
from peacekg.web.httpcache import send_dump, store_version
from peacekg.web.pages import dumps_script, item_list_script, schema_org, sections
from peacekg.web.pictures import (
    MONTHS,
    PRECISION_COLOURS,
    STANCE_STYLE,
    claim_numbers,
    claims_svg,
    timeline_svg,
)

resource_bp = Blueprint("resource", __name__)


def _html() -> mediatypes.MediaFormat:
    fmt = mediatypes.by_name("html")
    assert fmt is not None
    return fmt


HTML = _html()
RDF_FORMATS = mediatypes.GRAPH_FORMATS
PAGE_AND_RDF = (HTML, *RDF_FORMATS)
TRIPLE_KINDS = {mediatypes.Kind.GRAPH}
SAFE = "/:@-._~!$&'()*+,;="


def _lock() -> threading.Lock:
    """The app's lock for writing dumps and the ontology reference (kept on the app)."""
    lock = current_app.extensions.setdefault("peacekg-linked-data-lock", threading.Lock())
    assert isinstance(lock, type(threading.Lock()))
    return lock


def _settings() -> Settings:
    return state().settings


def local_url(iri: str, *, page: bool = True) -> str:
    """Where ``iri`` is answered on this server: entity IRIs go to their page (or ``/id/``
    when ``page`` is false), other IRIs under the base to the same path; others unchanged."""
    base = _settings().base_iri
    if iri.startswith(base + "id/"):
        rest = quote(iri[len(base) + 3 :], safe=SAFE)
        return ("/page/" if page else "/id/") + rest
    if iri.startswith(base):
        return "/" + quote(iri[len(base) :], safe=SAFE + "#")
    return iri


def _entity_iri(local: str) -> str:
    return _settings().base_iri + "id/" + local


def _alternates(local: str) -> str:
    """``Link`` header value: every representation of ``/id/<local>``, and the canonical IRI."""
    links = [f'<{_entity_iri(local)}>; rel="canonical"']
    links.append(f'</page/{quote(local, safe=SAFE)}>; rel="alternate"; type="text/html"')
    for fmt in RDF_FORMATS:
        links.append(
            f'</data/{quote(local, safe=SAFE)}.{fmt.extension}>; rel="alternate"; '
            f'type="{fmt.media_type}"'
        )
    return ", ".join(links)


def _negotiate(offered: tuple[mediatypes.MediaFormat, ...]) -> mediatypes.MediaFormat | None:
    """The format asked for by ``?format=`` (name, extension or media type), else by Accept."""
    named = request.args.get("format")
    if named:
        fmt = mediatypes.by_name(named)
        if fmt in offered:
            return fmt
        abort(
            Response(
                f"unknown or unavailable format {named!r}\n", status=400, mimetype="text/plain"
            )
        )
    try:
        return mediatypes.negotiate(request.headers.get("Accept"), offered)
    except mediatypes.AcceptError as error:
        abort(Response(f"{error}\n", status=400, mimetype="text/plain"))


def _not_acceptable(offered: Iterable[mediatypes.MediaFormat]) -> Response:
    listing = "\n".join(f"{f.media_type} ({f.label})" for f in offered)
    response = Response(
        f"406 Not Acceptable: this resource is available as\n{listing}\n",
        status=406,
        mimetype="text/plain",
    )
    response.headers["Vary"] = "Accept"
    return response


def _split_suffix(local: str) -> tuple[str, mediatypes.MediaFormat | None]:
    stem, dot, ext = local.rpartition(".")
    if not dot or not stem:
        return local, None
    fmt = mediatypes.by_extension(ext)
    if fmt is None or fmt not in PAGE_AND_RDF:
        return local, None
    return stem, fmt


def _resolve(local: str) -> tuple[str, mediatypes.MediaFormat | None] | None:
    """(entity local name, format named by a suffix) or None when no such entity exists."""
    store = state().store
    if describe.exists(store, _entity_iri(local)):
        return local, None
    stem, fmt = _split_suffix(local)
    if fmt is not None and describe.exists(store, _entity_iri(stem)):
        return stem, fmt
    return None


def _target(local: str, fmt: mediatypes.MediaFormat) -> str:
    if fmt is HTML:
        return f"/page/{quote(local, safe=SAFE)}"
    return f"/data/{quote(local, safe=SAFE)}.{fmt.extension}"


@resource_bp.route("/id/<path:local>")
def dereference(local: str) -> BaseResponse:
    """303 See Other to the page or RDF document of ``<base>id/<local>``."""
    found = _resolve(local)
    if found is None:
        return not_found(_entity_iri(local))
    name, fmt = found
    fmt = fmt or _negotiate(PAGE_AND_RDF)
    if fmt is None:
        return _not_acceptable(PAGE_AND_RDF)
    response = redirect(_target(name, fmt), code=303)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(name)
    return response


def _assertion_iri(local: str) -> str:
    return _settings().graphs.assertion_base + local


def _resolve_assertion(local: str) -> tuple[str, mediatypes.MediaFormat | None] | None:
    """(assertion local name, format named by a suffix) or None when there is no such one."""
    store, graphs = state().store, _settings().graphs
    if describe.is_assertion(store, _assertion_iri(local), graphs):
        return local, None
    stem, fmt = _split_suffix(local)
    if fmt is not None and describe.is_assertion(store, _assertion_iri(stem), graphs):
        return stem, fmt
    return None


@resource_bp.route("/assertion/<path:local>")
def dereference_assertion(local: str) -> BaseResponse:
    """303 See Other from an assertion's IRI (``<base>assertion/<x>``, also the name of its
    graph) to its page, ``/assertions/<x>``, or its RDF, ``/assertions/<x>.<ext>``."""
    found = _resolve_assertion(local)
    if found is None:
        return not_found(_assertion_iri(local))
    name, fmt = found
    fmt = fmt or _negotiate(PAGE_AND_RDF)
    if fmt is None:
        return _not_acceptable(PAGE_AND_RDF)
    quoted = quote(name, safe=SAFE)
    target = f"/assertions/{quoted}" + ("" if fmt is HTML else f".{fmt.extension}")
    response = redirect(target, code=303)
    response.headers["Vary"] = "Accept"
    return response


@resource_bp.route("/assertions/<path:local>")
def assertion(local: str) -> BaseResponse:
    """An assertion's page (its triples, document, passage and kind), or with a suffix its
    RDF: the assertion graph and its provenance (dataset formats keep the graphs)."""
    settings = _settings()
    found = _resolve_assertion(local)
    if found is None:
        return not_found(_assertion_iri(local))
    name, fmt = found
    view = describe.describe_assertion(state().store, _assertion_iri(name), settings.graphs)
    if fmt is None or fmt is HTML:
        quoted = quote(name, safe=SAFE)
        links = [(f, f"/assertions/{quoted}.{f.extension}") for f in RDF_FORMATS]
        return Response(
            render_template("assertion.html", a=view, data_links=links), mimetype="text/html"
        )
    response = Response(serialize_description(view.quads, fmt, settings, keep_inferred=True))
    response.headers["Content-Type"] = fmt.content_type
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(iri: str) -> Response:
    """The helpful 404: what was asked for, similar entities, and where to look instead."""
    words = [w for w in re.split(r"[^0-9A-Za-zÀ-ž]+", iri.rsplit("/", 1)[-1]) if w]
    prefix = _settings().base_iri + "id/"
    suggestions = describe.search(state().store, words, prefix) if words else []
    html = render_template(
        "notfound.html",
        iri=iri,
        suggestions=[(local_url(i), label) for i, label in suggestions],
        search=" ".join(words),
    )
    response = Response(html, status=404, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


@resource_bp.route("/page/<path:local>")
def page(local: str) -> BaseResponse:
    """The HTML page of an entity."""
    store = state().store
    iri = _entity_iri(local)
    if not describe.exists(store, iri):
        stem, fmt = _split_suffix(local)
        if fmt is HTML and describe.exists(store, _entity_iri(stem)):
            return redirect(f"/page/{quote(stem, safe=SAFE)}", code=301)
        return not_found(iri)
    quoted = quote(local, safe=SAFE)
    links = [(f, f"/data/{quoted}.{f.extension}") for f in RDF_FORMATS]
    response = _entity_page(iri, links, f"/id/{quoted}", every_graph=False)
    response.headers["Link"] = _alternates(local)
    return response


def _entity_page(
    iri: str,
    data_links: list[tuple[mediatypes.MediaFormat, str]],
    self_link: str,
    *,
    every_graph: bool,
) -> Response:
    settings = _settings()
    store = state().store
    desc = describe.describe(
        store, iri, settings.graphs, every_graph=every_graph, limit=settings.max_page_neighbours
    )
    secs = sections(store, desc, settings.graphs, settings.max_page_statements)
    page_url = request.host_url.rstrip("/") + self_link
    desc, more = bound_statements(desc, settings.max_page_statements)
    return Response(
        render_template(
            "entity.html",
            d=desc,
            s=secs,
            data_links=data_links,
            jsonld=schema_org(desc, secs, page_url),
            local_id=self_link,
            more=more,
        ),
        mimetype="text/html",
    )


def _bounded_document(
    desc: describe.Description, fmt: mediatypes.MediaFormat, settings: Settings
) -> Response:
    """An entity's RDF document with at most ``max_page_statements`` of its statements; a cut
    is announced as the endpoint announces one (``X-PeaceKG-Truncated``, a message)."""
    quads, more = bound_quads(desc, settings.max_page_statements)
    response = Response(serialize_description(quads, fmt, settings))
    response.headers["Content-Type"] = fmt.content_type
    if more is not None:
        response.headers["X-PeaceKG-Truncated"] = "true"
        response.headers["X-PeaceKG-Message"] = (
            f"{more.shown} of {more.total} statements (the server's max_page_statements); "
            f"every one: {request.host_url.rstrip('/')}{more.query_url}"
        )
    return response


def bound_quads(
    desc: describe.Description, cap: int
) -> tuple[list[pyoxigraph.Quad], MoreStatements | None]:
    """The quads of ``desc`` for at most ``cap`` statements: those of the entity's kept
    statements, and the labels and blank nodes of the neighbours they keep."""
    bounded, more = bound_statements(desc, cap)
    if more is None:
        return desc.quads, None
    me = desc.iri
    kept = {
        (side, _key(predicate), _key(st.node))
        for side, statements in (("out", bounded.outgoing), ("in", bounded.incoming))
        for st in statements
        for predicate in (st.predicate, *st.equivalents)  # the echoes a row stands for
    }
    neighbours = {_key(st.node) for st in (*bounded.outgoing, *bounded.incoming)}
    quads = []
    for quad in desc.quads:
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if isinstance(subject, pyoxigraph.NamedNode) and subject.value == me:
            if ("out", predicate, _key(obj)) in kept:
                quads.append(quad)
        elif isinstance(obj, pyoxigraph.NamedNode) and obj.value == me:
            if ("in", predicate, _key(subject)) in kept:
                quads.append(quad)
        elif _key(subject) in neighbours or isinstance(subject, pyoxigraph.BlankNode):
            quads.append(quad)
    return quads, more


def _key(term: object) -> str:
    """A term's lexical form, alike for a pyoxigraph term and a page's ``describe.Node``."""
    return str(getattr(term, "value", term))


@dataclass(frozen=True)
class MoreStatements:
    """What a bounded page leaves out: how many it shows of how many, and where the rest is."""

    shown: int
    total: int
    query_url: str


def bound_statements(
    desc: describe.Description, cap: int
) -> tuple[describe.Description, MoreStatements | None]:
    """At most ``cap`` statements of ``desc`` (its own first, then the links to it), and a
    link to a query listing every one when some were left out."""
    total = len(desc.outgoing) + len(desc.incoming)
    if total <= cap and desc.total is None:
        return desc, None
    outgoing = desc.outgoing[:cap]
    incoming = desc.incoming[: cap - len(outgoing)]
    total = max(total, desc.total or 0)
    ref = "<" + desc.iri + ">"
    query = (
        f"SELECT ?s ?p ?o WHERE {{ {{ {ref} ?p ?o BIND({ref} AS ?s) }}\n"
        f"  UNION {{ ?s ?p {ref} BIND({ref} AS ?o) }} }} ORDER BY ?s ?p ?o"
    )
    bounded = dataclasses.replace(desc, outgoing=outgoing, incoming=incoming)
    shown = len(outgoing) + len(incoming)
    return bounded, MoreStatements(shown, total, "/?" + urlencode({"query": query}))


@resource_bp.route("/resource")
def resource() -> BaseResponse:
    """Any other IRI under the base (e.g. the statement nodes of the Wikidata-shaped view that
    the dumps hold), by ``?iri=``: a page, or RDF by Accept or ``?format=``."""
    settings = _settings()
    iri = request.args.get("iri", "")
    if not iri.startswith(settings.base_iri) or not describe.exists(state().store, iri):
        return not_found(iri or settings.base_iri)
    fmt = _negotiate(PAGE_AND_RDF)
    if fmt is None:
        return _not_acceptable(PAGE_AND_RDF)
    if fmt is HTML:
        links = [(f, f"/resource?{urlencode({'iri': iri, 'format': f.name})}") for f in RDF_FORMATS]
        response = _entity_page(iri, links, local_url(iri), every_graph=True)
    else:
        desc = describe.describe(
            state().store,
            iri,
            settings.graphs,
            every_graph=True,
            limit=settings.max_page_neighbours,
        )
        response = _bounded_document(desc, fmt, settings)
    response.headers["Vary"] = "Accept"
    return response


@resource_bp.route("/wikidata/<path:rest>", defaults={"space": "wikidata"})
@resource_bp.route("/.well-known/genid/<path:rest>", defaults={"space": ".well-known/genid"})
def other_iri(space: str, rest: str) -> BaseResponse:
    """IRIs the derived graphs mint under the base: the Wikidata-shaped view's statement nodes
    (``<base>wikidata/…``) and its skolem IRIs for unknown values (``<base>.well-known/genid/…``,
    RDF 1.1 section 3.5). 303 to their description at ``/resource?iri=…``."""
    iri = f"{_settings().base_iri}{space}/{rest}"
    if not describe.exists(state().store, iri):
        return not_found(iri)
    fmt = _negotiate(PAGE_AND_RDF)
    if fmt is None:
        return _not_acceptable(PAGE_AND_RDF)
    query = {"iri": iri} | ({} if fmt is HTML else {"format": fmt.name})
    response = redirect("/resource?" + urlencode(query), code=303)
    response.headers["Vary"] = "Accept"
    return response


def _rewrite(term: pyoxigraph.NamedNode, base: str, site: str) -> pyoxigraph.NamedNode:
    if term.value.startswith(base):
        return pyoxigraph.NamedNode(site + "/" + term.value[len(base) :])
    return term


def _flag(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    return raw.lower() in {"1", "true", "yes", "on"}


def serialize_description(
    quads: list[pyoxigraph.Quad],
    fmt: mediatypes.MediaFormat,
    settings: Settings,
    *,
    keep_inferred: bool = False,
) -> bytes:
    """An entity's quads in ``fmt``: graphs kept for dataset formats, triples otherwise
    (``keep_inferred`` for documents that hold no inferred triples to leave out)."""
    inferred = True if keep_inferred else _flag("inferred")
    dataset = fmt.kind is not mediatypes.Kind.GRAPH
    keep_inferred = inferred if inferred is not None else dataset
    graphs = settings.graphs
    inferred_graph = str(pyoxigraph.NamedNode(graphs.inferred))
    quads = [q for q in quads if keep_inferred or str(q.graph_name) != inferred_graph]
    base = settings.base_iri
    local = request.args.get("iris") == "local"
    site = request.host_url.rstrip("/")
    prefixes = {
        "pkg": base + "ontology#",
        "pkgr": (site + "/" if local else base) + "id/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "oa": "http://www.w3.org/ns/oa#",
        "prov": "http://www.w3.org/ns/prov#",
        "schema": "http://schema.org/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "wd": "http://www.wikidata.org/entity/",
        "graph": (site + "/" if local else base) + "graph/",
        "pkga": (site + "/" if local else base) + "assertion/",
    }
    if local:
        prefixes["pkg"] = site + "/ontology#"

    def fix(term: pyoxigraph.NamedNode) -> pyoxigraph.NamedNode:
        return _rewrite(term, base, site) if local else term

    if dataset:
        out_quads = [
            pyoxigraph.Quad(
                fix(q.subject) if isinstance(q.subject, pyoxigraph.NamedNode) else q.subject,
                fix(q.predicate),
                fix(q.object) if isinstance(q.object, pyoxigraph.NamedNode) else q.object,
                fix(q.graph_name),  # type: ignore[arg-type]
            )
            for q in quads
        ]
        return pyoxigraph.serialize(out_quads, format=fmt.rdf_format(), prefixes=prefixes) or b""
    seen: set[tuple[str, str, str]] = set()
    triples = []
    for q in quads:
        key = (str(q.subject), str(q.predicate), str(q.object))
        if key in seen:
            continue
        seen.add(key)
        triples.append(
            pyoxigraph.Triple(
                fix(q.subject) if isinstance(q.subject, pyoxigraph.NamedNode) else q.subject,
                fix(q.predicate),
                fix(q.object) if isinstance(q.object, pyoxigraph.NamedNode) else q.object,
            )
        )
    return pyoxigraph.serialize(triples, format=fmt.rdf_format(), prefixes=prefixes) or b""


@resource_bp.route("/data/<path:local>")
def data(local: str) -> BaseResponse:
    """The RDF document of an entity: ``/data/<x>.<ext>``, or negotiated at ``/data/<x>``."""
    settings = _settings()
    found = _resolve(local)
    if found is None:
        return not_found(_entity_iri(local))
    name, fmt = found
    negotiated = fmt is None
    if fmt is HTML:
        return redirect(f"/page/{quote(name, safe=SAFE)}", code=303)
    if fmt is None:
        fmt = _negotiate(RDF_FORMATS)
        if fmt is None:
            return _not_acceptable(RDF_FORMATS)
    desc = describe.describe(
        state().store, _entity_iri(name), settings.graphs, limit=settings.max_page_neighbours
    )
    response = _bounded_document(desc, fmt, settings)
    response.headers["Link"] = _alternates(name)
    response.headers["Access-Control-Allow-Origin"] = "*"
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = _target(name, fmt)
    return response


# --- views over the whole graph -----------------------------------------------------------


def _years(entries: list[describe.TimelineEntry]) -> list[int]:
    """Every year some event may fall in (from its earliest to its latest date)."""
    return sorted(
        {
            y
            for e in entries
            if (s := e.dating.start()) is not None
            for y in range(s.year, (e.dating.end() or s).year + 1)
        }
    )


def _zoom(entries: list[describe.TimelineEntry]) -> tuple[int | None, int | None]:
    """The ``?year=`` and ``?month=`` asked for (404 for a year without events or a bad value)."""
    raw_year, raw_month = request.args.get("year"), request.args.get("month")
    if raw_year is None:
        if raw_month is not None:
            abort(404)
        return None, None
    if not re.fullmatch(r"\d{4}", raw_year) or int(raw_year) not in _years(entries):
        abort(404)
    if raw_month is None:
        return int(raw_year), None
    if not re.fullmatch(r"\d{1,2}", raw_month) or not 1 <= int(raw_month) <= 12:
        abort(404)
    return int(raw_year), int(raw_month)


@resource_bp.route("/timeline")
def timeline() -> Response:
    """Every event on one timeline, its date shown with its precision; ``?year=2022`` and
    ``?year=2022&month=3`` zoom to a year or a month (the events overlapping it)."""
    settings = _settings()
    entries = describe.timeline(state().store, settings.graphs)
    everything = entries
    year, month = _zoom(entries)
    window: tuple[date, date] | None = None
    title = "Timeline"
    if year is not None:
        first = date(year, month or 1, 1)
        last = date(year + 1, 1, 1) if month in (None, 12) else date(year, (month or 0) + 1, 1)
        window = (first, last)
        title = f"Timeline: {MONTHS[month - 1]} {year}" if month else f"Timeline: {year}"
        entries = [
            e
            for e in entries
            if (s := e.dating.start()) is not None and s < last and (e.dating.end() or s) >= first
        ]
    by_year: dict[str, list[describe.TimelineEntry]] = {}
    for entry in entries:
        by_year.setdefault(entry.dating.earliest[:4] or "undated", []).append(entry)
    years = _years(everything)
    months: list[tuple[int, str, bool]] = []
    if year is not None:
        busy = {
            m
            for e in entries
            if (s := e.dating.start()) is not None
            for m in range(1, 13)
            if s < (date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1))
            and (e.dating.end() or s) >= date(year, m, 1)
        }
        months = [(m, MONTHS[m - 1][:3], m in busy) for m in range(1, 13)]
    items = [
        {"@type": "Event", "@id": e.iri, "name": e.label, "startDate": e.dating.earliest}
        | ({"endDate": e.dating.latest} if e.dating.latest else {})
        for e in entries
    ]
    jsonld = item_list_script(title, items)
    return Response(
        render_template(
            "timeline.html",
            by_year=by_year,
            count=len(entries),
            svg=timeline_svg(entries, local_url, window=window),
            colours=PRECISION_COLOURS,
            jsonld=jsonld,
            title=title,
            year=year,
            month=month,
            years=years,
            months=months,
            month_name=MONTHS[month - 1] if month else "",
        ),
        mimetype="text/html",
    )


@resource_bp.route("/claims")
def claims() -> Response:
    """The claims and the stance links between them, as a picture and as a list."""
    settings = _settings()
    entries, stances = describe.claims(state().store, settings.graphs)
    numbers = claim_numbers(entries, stances)
    labels = {c.iri: c.label for c in entries}
    jsonld = item_list_script(
        "Claims", [{"@type": "Claim", "@id": c.iri, "name": c.label} for c in entries]
    )
    return Response(
        render_template(
            "claims.html",
            claims=entries,
            stances=stances,
            numbers=numbers,
            labels=labels,
            svg=claims_svg(entries, stances, local_url),
            styles=STANCE_STYLE,
            jsonld=jsonld,
        ),
        mimetype="text/html",
    )


@resource_bp.route("/index")
def index() -> Response:
    """Every entity, grouped by type."""
    settings = _settings()
    groups = describe.index(state().store, settings.graphs, settings.base_iri)
    jsonld = dumps_script(
        {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": "PeaceKG",
            "version": __version__,
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "url": request.host_url,
        }
    )
    return Response(
        render_template("index.html", groups=groups, jsonld=jsonld), mimetype="text/html"
    )


# --- dumps, VoID, ontology ------------------------------------------------------------------


#: What dataset search shows of the dataset (it asks for a description of 50 characters or more).
DATASET_DESCRIPTION = (
    "An open, provenance-first knowledge graph of the Russia–Ukraine peace talks: events, "
    "actors, proposals and attributed claims, each statement with the source document and "
    "the exact passage it comes from."
)


@resource_bp.route("/dumps")
def dumps() -> Response:
    """The downloads, with sizes and SHA-256 checksums (written on first request)."""
    files = ensure_dumps(state().store, _settings(), _lock())
    jsonld = dumps_script(
        {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "@id": _settings().base_iri + "dataset",
            "name": "PeaceKG",
            "description": DATASET_DESCRIPTION,
            "url": request.host_url + "dumps",
            "version": __version__,
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "isAccessibleForFree": True,
            "creator": {"@type": "Organization", "name": "PeaceKG contributors"},
            "keywords": ["Russia–Ukraine war", "peace talks", "knowledge graph", "provenance"],
            "distribution": [
                {
                    "@type": "DataDownload",
                    "contentUrl": request.host_url + "dumps/" + f.name,
                    "encodingFormat": f.media_type,
                    "contentSize": str(f.size),
                }
                for f in files
            ],
        }
    )
    return Response(
        render_template(
            "dumps.html", files=files, version=__version__, jsonld=jsonld, context_file=CONTEXT_FILE
        ),
        mimetype="text/html",
    )


@resource_bp.route("/dumps/<name>")
def dump_file(name: str) -> BaseResponse:
    """One dump file."""
    settings = _settings()
    known = {f.name: f for f in ensure_dumps(state().store, settings, _lock())}
    if name not in known:
        abort(404)
    return send_dump(known[name].path, known[name].media_type, store_version(state().store))


def _examples() -> list[str]:
    rows = describe.select(
        state().store,
        """SELECT (SAMPLE(?x) AS ?e) WHERE {
            VALUES ?c { pkg:NegotiationRound pkg:Claim pkg:Proposal pkg:Person pkg:State }
            ?x a ?c } GROUP BY ?c ORDER BY ?c""",
    )
    return [r["e"] for r in rows if r.get("e")]


@resource_bp.route("/void")
@resource_bp.route("/.well-known/void")
def void() -> Response:
    """VoID + DCAT description of the dataset, in any RDF format or as a page."""
    settings = _settings()
    store = state().store
    files = ensure_dumps(store, settings, _lock())
    site = request.host_url.rstrip("/")
    graph = void_dcat(store, settings, site, files, _examples())
    offered = (*RDF_FORMATS, HTML)
    fmt = _negotiate(offered)
    if fmt is None:
        return _not_acceptable(offered)
    turtle = graph.serialize(format="turtle")
    if fmt is HTML:
        named, assertions = split_counts(settings, store.graph_counts())
        body = render_template(
            "void.html",
            turtle=turtle,
            counts=sorted(named.items()),
            assertions=assertions,
            files=files,
            formats=RDF_FORMATS,
        )
        response = Response(body, mimetype="text/html")
    else:
        rdflib_name = fmt.rdflib_format
        data = turtle if fmt.name == "turtle" else graph.serialize(format=rdflib_name)
        response = Response(data, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'</void>; rel="alternate"; type="{f.media_type}"' for f in offered
    )
    return response


@resource_bp.route("/dataset")
@resource_bp.route("/graph/<path:name>")
def dataset(name: str | None = None) -> BaseResponse:
    """The dataset and named-graph IRIs: described by the VoID document."""
    response = redirect("/void", code=303)
    response.headers["Vary"] = "Accept"
    return response


@resource_bp.route("/ontology")
@resource_bp.route("/ontology.<ext>")
def ontology(ext: str | None = None) -> BaseResponse:
    """The ontology: pyLODE's reference for people, RDF for programs (Accept or suffix)."""
    settings = _settings()
    store = state().store
    offered = (HTML, *RDF_FORMATS)
    if ext is not None:
        fmt = mediatypes.by_extension(ext)
        if fmt not in offered:
            abort(404)
    else:
        fmt = _negotiate(offered)
        if fmt is None:
            return _not_acceptable(offered)
    assert fmt is not None
    if fmt is HTML:
        html = reference_path(store, settings, _lock()).read_text(encoding="utf-8")
        response = Response(_localise_reference(html, settings), mimetype="text/html")
    else:
        result = store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[settings.graphs.ontology]
        )
        assert isinstance(result, pyoxigraph.QueryTriples)
        if fmt.kind is mediatypes.Kind.GRAPH:
            body = result.serialize(format=fmt.rdf_format()) or b""
        else:
            body = stored_graph(store, settings.graphs.ontology).serialize(
                format=fmt.rdflib_format,
                encoding="utf-8",
            )
        response = Response(body, content_type=fmt.content_type)
    if ext is None:
        response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'</ontology.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offered
    )
    return response


@resource_bp.route("/ontology/<path:rest>")
def ontology_part(rest: str) -> BaseResponse:
    """Version IRIs and the CAMEO namespace: the fragment survives the redirect (RFC 9110)."""
    response = redirect("/ontology", code=303)
    response.headers["Vary"] = "Accept"
    return response


_NAV = (
    '<nav class="pkg-reference-nav" style="font-family:sans-serif;padding:.5rem 1rem;'
    'background:#1d2330;"><a style="color:#fff;margin-right:1rem" href="/">PeaceKG</a>'
    '<a style="color:#e6e9ef;margin-right:1rem" href="/index">Index</a>'
    '<a style="color:#e6e9ef;margin-right:1rem" href="/timeline">Timeline</a>'
    '<a style="color:#e6e9ef;margin-right:1rem" href="/claims">Claims</a>'
    '<a style="color:#e6e9ef;margin-right:1rem" href="/ontology.ttl">Turtle</a></nav>'
)


ONTOLOGY_DESCRIPTION = (
    "The PeaceKG ontology: the classes and properties of the knowledge graph of the "
    "Russia–Ukraine peace talks (events, actors, proposals, claims, dates and sources)."
)
# pyLODE's page is made for wide screens: on a phone its long IRIs and tables must wrap or
# scroll inside their box, never the page sideways.
_REFERENCE_PHONE_CSS = (
    "html,body{max-width:100%;overflow-wrap:anywhere}"
    "@media (max-width:700px){body{margin:0;padding:0 .5rem}"
    "table,pre{display:block;max-width:100%;overflow-x:auto}"
    "#toc{position:static!important;width:auto!important;max-height:none!important}"
    "#content,.section{margin:0!important;padding:0!important;width:auto!important;"
    "max-width:100%!important}img,svg{max-width:100%;height:auto}}"
)


def _localise_reference(html: str, settings: Settings) -> str:
    """Point the reference's links to terms and entities under the base at this server."""
    namespace = settings.base_iri + "ontology#"

    def link(match: re.Match[str]) -> str:
        iri = match.group(1)
        if iri.startswith(namespace):
            return f'href="#{iri[len(namespace) :]}"'
        return f'href="{local_url(iri)}"'

    html = re.sub(r'href="(' + re.escape(settings.base_iri) + r'[^"]*)"', link, html)
    head = (
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="description" content="{ONTOLOGY_DESCRIPTION}">'
        '<meta property="og:site_name" content="PeaceKG">'
        '<meta property="og:title" content="PeaceKG ontology">'
        f'<meta property="og:description" content="{ONTOLOGY_DESCRIPTION}">'
        '<meta property="og:type" content="website">'
        f'<meta property="og:url" content="{escape(request.url)}">'
        f'<link rel="icon" href="{url_for("static", filename="favicon.svg")}" type="image/svg+xml">'
        f"<style>{_REFERENCE_PHONE_CSS}</style>"
    )
    html = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + head, html, count=1)
    return re.sub(r"(<body[^>]*>)", r"\1" + _NAV, html, count=1)


@resource_bp.app_template_global("href")
def href(iri: str) -> str:
    """Template helper: the local link for ``iri``."""
    return local_url(iri)


@resource_bp.app_template_global("ld_static")
def ld_static(filename: str) -> str:
    """URL of a static file of the linked-data pages."""
    return url_for("static", filename=filename)
