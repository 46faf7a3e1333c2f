"""The query UI at ``/``: an editor, the example catalogue, a results table (issue 5).

The page is server-rendered and works offline: the catalogue comes from the same ``.rq``
headers the README and the tests read (``peacekg.queries``), and ``?example=`` / ``?query=``
prefill the editor on the server, so every example link works without JavaScript and can be
shared. ``static/query.js`` then runs queries against ``/sparql`` in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request

from peacekg import mediatypes
from peacekg.queries import CatalogueQuery, load_catalogue
from peacekg.web import state

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
        text = current.text if current else (examples[0].text if examples else DEFAULT_QUERY)
    else:
        current = examples[0] if examples else None
        text = current.text if current else DEFAULT_QUERY
    html = render_template(
        "query.html",
        examples=examples,
        example_texts={example.slug: example.text for example in examples},
        current=current,
        query_text=text,
        notice=notice,
        base_iri=state().settings.base_iri,
        result_downloads=RESULT_DOWNLOADS,
        graph_downloads=GRAPH_DOWNLOADS,
    )
    return html, status
