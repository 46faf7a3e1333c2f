"""The query UI at ``/``: an editor, the example catalogue, result views (issues 5 and 12).

The page is server-rendered and works offline: the catalogue comes from the same ``.rq``
headers the README and the tests read (``peacekg.queries``), and ``?example=`` / ``?query=``
prefill the editor on the server, so every example link works without JavaScript and can be
shared (``&view=`` picks the result view and runs the query at once). ``static/query.js``
runs queries against ``/sparql`` in place, in the CodeMirror 6 editor bundled under
``static/vendor/`` (built by ``scripts/build-editor.mjs``); ``/query/terms.json`` gives its
completion the ontology's terms, :data:`peacekg.web.prefixes.PREFIXES` its prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from peacekg import mediatypes
from peacekg.queries import CatalogueQuery, load_catalogue
from peacekg.store import EmbeddedStore, StoreError
from peacekg.web import state
from peacekg.web.prefixes import PREFIXES

ui_bp = Blueprint("ui", __name__)

# Shown when the catalogue is empty and nothing was asked for: a query that works on any graph.
DEFAULT_QUERY = """\
SELECT ?class (COUNT(?s) AS ?count) WHERE {
  ?s a ?class .
}
GROUP BY ?class
ORDER BY DESC(?count)
LIMIT 20
"""


@dataclass(frozen=True)
class DownloadFormat:
    """A download link offered under the results: the ``format`` value, label, extension."""

    name: str
    label: str
    extension: str


def _downloads(kinds: set[mediatypes.Kind]) -> list[DownloadFormat]:
    """Formats from the shared media-type table, so the links follow what ``/sparql`` offers.

    The table's labels say "SPARQL results JSON"; under a results table "JSON" is enough.
    """
    return [
        DownloadFormat(f.name, f.label.removeprefix("SPARQL results "), f.extension)
        for f in mediatypes.FORMATS
        if f.kind in kinds
    ]


# SELECT/ASK results, and the RDF formats of CONSTRUCT/DESCRIBE the issue asks for. TriG and
# N-Quads are left off: a CONSTRUCT result has no named graphs to carry.
RESULT_DOWNLOADS = _downloads({mediatypes.Kind.RESULTS})
GRAPH_DOWNLOADS = [
    d
    for d in _downloads({mediatypes.Kind.GRAPH, mediatypes.Kind.DATASET})
    if d.name not in {"trig", "nquads"}
]


# The catalogue's internal header lines, which a reader of the editor has no use for.
_INTERNAL = re.compile(r"^#\s*expect\s*:.*\n?", re.MULTILINE)
# Result views, by the names WDQS gives them in ``#defaultView:``.
VIEWS = ("Table", "Timeline", "Graph", "BarChart", "Map")


def editor_text(example: CatalogueQuery) -> str:
    """The example as the editor shows it: without the header's ``# expect:`` line."""
    header_end = 0
    for line in example.text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        header_end += len(line)
    return _INTERNAL.sub("", example.text[:header_end]) + example.text[header_end:]


def _examples() -> list[CatalogueQuery]:
    """The catalogue, read per request so that edited ``.rq`` files show without a restart."""
    return load_catalogue(state().settings.queries_dir / "examples")


@ui_bp.get("/")
def query_page() -> tuple[str, int]:
    """The query page; ``?query=`` wins over ``?example=<slug>``, else the first example."""
    examples = _examples()
    by_slug = {example.slug: example for example in examples}
    asked_query = request.args.get("query")
    asked_example = request.args.get("example")
    notice: str | None = None
    status = 200
    current: CatalogueQuery | None = None
    if asked_query:
        text = asked_query
    elif asked_example:
        current = by_slug.get(asked_example)
        if current is None:
            # A stale or mistyped link: say so, and still give a working page.
            notice = f"There is no example named {asked_example!r}."
            status = 404
        fallback = current or (examples[0] if examples else None)
        text = editor_text(fallback) if fallback else DEFAULT_QUERY
    else:
        current = examples[0] if examples else None
        text = editor_text(current) if current else DEFAULT_QUERY
    view = request.args.get("view", "")
    html = render_template(
        "query.html",
        examples=examples,
        example_texts={example.slug: editor_text(example) for example in examples},
        current=current,
        query_text=text,
        notice=notice,
        base_iri=state().settings.base_iri,
        result_downloads=RESULT_DOWNLOADS,
        graph_downloads=GRAPH_DOWNLOADS,
        prefixes=PREFIXES,
        view=view if view in VIEWS else "",
        views=VIEWS,
    )
    return html, status


_TERMS_QUERY = """\
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?kind ?label ?comment WHERE {
  VALUES (?type ?kind) {
    (owl:Class "class") (rdfs:Class "class") (owl:ObjectProperty "property")
    (owl:DatatypeProperty "property") (owl:AnnotationProperty "property")
    (rdf:Property "property") (skos:Concept "concept") (skos:ConceptScheme "concept")
    (owl:NamedIndividual "individual")
  }
  ?term a ?type .
  FILTER(isIRI(?term))
  OPTIONAL { ?term rdfs:label ?label FILTER(LANG(?label) IN ("en", "")) }
  OPTIONAL { ?term skos:definition|rdfs:comment ?comment FILTER(LANG(?comment) IN ("en", "")) }
}
ORDER BY ?term ?kind
"""
_TERMS_CACHE = "peacekg.ui.terms"


def ontology_terms() -> list[dict[str, str]]:
    """Classes, properties and concepts of the ontology graph with their English labels."""
    app_state = state()
    store = app_state.store
    key = str(store.directory) if isinstance(store, EmbeddedStore) else None
    cached = current_app.extensions.get(_TERMS_CACHE)
    if key is not None and isinstance(cached, tuple) and cached[0] == key:
        terms: list[dict[str, str]] = cached[1]
        return terms
    result = store.query(_TERMS_QUERY, default_graphs=[app_state.settings.graphs.ontology])
    assert isinstance(result, pyoxigraph.QuerySolutions)
    found: dict[str, dict[str, str]] = {}
    for row in result:
        term: Any = row["term"]
        entry = found.setdefault(term.value, {"iri": term.value, "kind": row["kind"].value})
        for name in ("label", "comment"):
            value = row[name]
            if value is not None and name not in entry:
                entry[name] = value.value
    terms = list(found.values())
    if key is not None:
        current_app.extensions[_TERMS_CACHE] = (key, terms)
    return terms


@ui_bp.get("/query/terms.json")
def terms() -> Response | tuple[str, int, dict[str, str]]:
    """The editor's completion list: ``[{iri, kind, label?, comment?}]`` of the ontology."""
    try:
        found = ontology_terms()
    except (StoreError, OSError) as error:
        return f"no ontology terms: {error}\n", 503, {"Content-Type": "text/plain"}
    response = jsonify(found)
    response.headers["Cache-Control"] = "max-age=300"
    return response
