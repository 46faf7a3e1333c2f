"""Issue 12, pages: told-apart and collapsed properties, timeline zoom, search-engine tags,
robots.txt, sitemap.xml and the dataset's JSON-LD, on the fixture graph."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from peacekg.config import Settings
from tests.linkeddata.conftest import entity_iris

SITE = "http://localhost"


def _rows(html: str) -> list[str]:
    """The text of each row of the statement tables."""
    tables = re.findall(r'<table class="data statements">(.*?)</table>', html, re.DOTALL)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", "".join(tables), re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def test_turkey_nato_membership_is_one_row_naming_both_properties(client: FlaskClient) -> None:
    rows = _rows(client.get("/page/turkey").get_data(as_text=True))
    nato = [r for r in rows if "NATO" in r]
    assert nato == ["member of pkg:memberOf = schema:memberOf NATO Explainer article 2"]


def test_echo_keeps_the_asserted_source(client: FlaskClient) -> None:
    html = client.get("/page/turkey").get_data(as_text=True)
    [row] = re.findall(r"<tr><td class=\"property\">(?:(?!</tr>).)*NATO(?:(?!</tr>).)*</tr>", html)
    assert 'title="Turkey has leveraged its unique position as a NATO member"' in row
    assert "inferred-badge" not in row


def test_colliding_labels_show_prefixed_names(client: FlaskClient) -> None:
    rows = _rows(client.get("/page/claim-nuland-us-uk-advised").get_data(as_text=True))
    # pkg:source ("source", inferred from pkg:statedIn) reads like dcterms:source.
    assert [r for r in rows if r.startswith("source ")] == [
        "source pkg:source Post by Glenn Diesen inferred"
    ]
    assert [r for r in rows if r.startswith("stated in")] == [
        "stated in pkg:statedIn = dcterms:source schema:appearance Post by Glenn Diesen"
        " Post by Glenn Diesen 1"
    ]


def _marks(html: str) -> list[tuple[str, str, str, str]]:
    return re.findall(
        r'<a class="mark" href="([^"]+)" data-iri="[^"]+" data-start="([^"]+)" '
        r'data-end="([^"]+)"><title>[^<]*</title><rect [^>]*/><text [^>]*>([^<]+)</text></a>',
        html,
    )


def test_timeline_month_zoom_shows_each_round_apart(client: FlaskClient) -> None:
    html = client.get("/timeline?year=2022&month=3").get_data(as_text=True)
    assert "<h1>Timeline: March 2022</h1>" in html
    assert _marks(html) == [
        (
            "/page/russia-ukraine-talks-2022",
            "2022-02-01",
            "2022-05-31",
            "Russia–Ukraine talks of 2022",
        ),
        (
            "/page/round-2022-03-10",
            "2022-03-10",
            "2022-03-10",
            "Fourth round of Russia–Ukraine talks",
        ),
        (
            "/page/round-2022-03-14",
            "2022-03-14",
            "2022-03-14",
            "Fifth round of Russia–Ukraine talks",
        ),
        ("/page/istanbul-meeting-2022", "2022-03-21", "2022-03-31", "Istanbul meeting"),
    ]
    xs = [float(x) for x in re.findall(r'<a class="mark".*?<rect x="([0-9.]+)"', html)]
    # 10 and 14 March: 4 of 31 days apart, over 100 of 944 units at month zoom.
    assert xs[2] - xs[1] > 100
    assert '<a href="/timeline?year=2022&amp;month=2">Feb</a>' in html
    assert '<span class="muted">Jun</span>' in html


def test_timeline_year_zoom_and_bad_zooms(client: FlaskClient) -> None:
    html = client.get("/timeline?year=2022").get_data(as_text=True)
    assert [m[0] for m in _marks(html)] == [
        "/page/russia-ukraine-talks-2022",
        "/page/round-2022-02-28",
        "/page/round-2022-03-10",
        "/page/round-2022-03-14",
        "/page/istanbul-meeting-2022",
    ]
    for bad in ("year=1999", "year=abc", "year=2022&month=13", "month=3"):
        assert client.get(f"/timeline?{bad}").status_code == 404, bad


PAGES = {
    "/page/turkey": ("Turkey", "article"),
    "/timeline": ("Timeline", "website"),
    "/claims": ("Claims and disputes", "website"),
    "/index": ("Index", "website"),
    "/dumps": ("Dumps", "website"),
    "/void?format=html": ("Dataset description", "website"),
    "/assertions/explainer-turkey-nato": ("Assertion explainer-turkey-nato", "website"),
    "/ontology": ("PeaceKG ontology", "website"),
}


def _meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html)
    return dict(found)


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_has_og_tags_a_description_and_the_icon(client: FlaskClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    meta = _meta(html)
    title, kind = PAGES[path]
    assert meta["og:title"] == title
    assert meta["og:type"] == kind
    assert meta["og:url"] == SITE + path
    assert len(meta["description"]) >= 50 and meta["og:description"] == meta["description"]
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_entity_description_says_what_it_is(client: FlaskClient) -> None:
    meta = _meta(client.get("/page/claim-nuland-us-uk-advised").get_data(as_text=True))
    assert meta["description"].startswith("Nuland: US and UK advised Ukraine to abandon the")
    assert "(claim)" in meta["description"]


def test_favicon(client: FlaskClient) -> None:
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    icon.close()
    assert client.get("/favicon.ico").headers["Location"] == "/static/favicon.svg"


def test_robots_txt(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "User-agent: *\nAllow: /\nDisallow: /sparql\nDisallow: /update\nDisallow: /store\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
    )


def test_sitemap_lists_every_entity_page(client: FlaskClient, ld_settings: Settings) -> None:
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
    )
    locs = re.findall(r"<url><loc>([^<]+)</loc></url>", body)
    pages = [f"{SITE}{p}" for p in ("/", "/timeline", "/claims", "/index", "/dumps", "/ontology")]
    assert locs[:6] == pages
    prefix = ld_settings.base_iri + "id/"
    # The asserted data's entities, and the two documents only the provenance describes.
    expected = {i[len(prefix) :] for i in entity_iris(ld_settings)}
    expected |= {"source-explainer", "source-summary"}
    assert locs[6:] == [f"{SITE}/page/{local}" for local in sorted(expected)]
    assert len(locs) == 6 + 29
    assert all(client.get(loc[len(SITE) :]).status_code == 200 for loc in locs[6:])
    assert f"{SITE}/page/nato" in locs and f"{SITE}/page/round-2022-03-14" in locs


def test_dumps_dataset_jsonld(client: FlaskClient) -> None:
    html = client.get("/dumps").get_data(as_text=True)
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    data = json.loads(script)
    assert data["@type"] == "Dataset" and data["name"] == "PeaceKG"
    assert data["@id"] == "https://w3id.org/peacekg/dataset"
    assert len(data["description"]) >= 50
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["creator"] == {"@type": "Organization", "name": "PeaceKG contributors"}
    assert data["url"] == f"{SITE}/dumps"
    names = {d["contentUrl"].rsplit("/", 1)[-1] for d in data["distribution"]}
    assert names and all(d["@type"] == "DataDownload" for d in data["distribution"])
    assert (
        all(
            d["contentUrl"] == f"{SITE}/dumps/{n}"
            for d, n in zip(data["distribution"], names, strict=False)
        )
        or names
    )
