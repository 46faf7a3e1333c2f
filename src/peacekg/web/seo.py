"""For search engines (issue 12): ``/robots.txt``, ``/sitemap.xml`` of every entity page and
the listing pages, and ``/favicon.ico`` (browsers ask for it; the icon is an SVG)."""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from peacekg import describe
from peacekg.web import state

seo_bp = Blueprint("seo", __name__)

#: The sitemap protocol's limit of URLs in one file: more entities than that are left out.
SITEMAP_LIMIT = 50_000
#: The listing pages, listed in the sitemap before the entity pages.
PAGES = ("/", "/timeline", "/claims", "/index", "/dumps", "/ontology")
SAFE = "/:@-._~!$&'()*+,;="


@seo_bp.route("/robots.txt")
def robots() -> Response:
    """Pages may be crawled; the query and update endpoints may not (each hit runs a query)."""
    site = request.host_url.rstrip("/")
    body = (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /sparql\n"
        "Disallow: /update\n"
        "Disallow: /store\n"
        f"Sitemap: {site}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


def entity_pages(limit: int = SITEMAP_LIMIT) -> list[str]:
    """Local names of the entities with a page: IRIs under ``<base>id/`` that the asserted
    data or the provenance (source documents) name, sorted, at most ``limit``."""
    settings = state().settings
    prefix = settings.base_iri + "id/"
    rows = describe.select(
        state().store,
        f"""SELECT DISTINCT ?x WHERE {{
            VALUES ?g {{ {describe.iri_ref(settings.graphs.asserted)}
                         {describe.iri_ref(settings.graphs.provenance)} }}
            {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} }}
            FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{prefix}"))
        }} ORDER BY ?x LIMIT {int(limit)}""",
    )
    return [r["x"][len(prefix) :] for r in rows]


@seo_bp.route("/sitemap.xml")
def sitemap() -> Response:
    """The listing pages and every entity page (bounded by :data:`SITEMAP_LIMIT`)."""
    site = request.host_url.rstrip("/")
    urls = [site + page for page in PAGES]
    room = SITEMAP_LIMIT - len(urls)
    urls += [f"{site}/page/{quote(local, safe=SAFE)}" for local in entity_pages(room)]
    body = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
            *(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls),
            "</urlset>\n",
        ]
    )
    return Response(body, mimetype="application/xml")


@seo_bp.route("/favicon.ico")
def favicon() -> BaseResponse:
    """The SVG icon (every page links it; this answers browsers that ask anyway)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
