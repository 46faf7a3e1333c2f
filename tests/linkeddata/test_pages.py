"""Entity pages: labels not IRIs, the type-specific sections, schema.org JSON-LD, the 404."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient


class _Page(HTMLParser):
    """Collects links (href, text), JSON-LD scripts and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self.text: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href") is not None:
            self._href, self._link_text = values["href"], []
        if tag == "script":
            self._script = values.get("type") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script == "application/ld+json":
            self.jsonld.append(data)
            return
        if self._script is not None:
            return
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text)).replace(" :", ":")


def _page(client: FlaskClient, path: str) -> _Page:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Page()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_event_page(client: FlaskClient) -> None:
    page = _page(client, "/page/istanbul-meeting-2022")
    text = page.plain
    assert "late March 2022 (part of month: 2022-03-21 – 2022-03-31)" in text
    assert "Dolmabahçe Palace (in Istanbul, Turkey)" in text
    assert ("/page/turkey", "Turkey") in page.links
    assert re.search(r"mediator Turkey", text)
    assert re.search(r"party Russia", text) and re.search(r"party Ukraine", text)
    assert ("/page/istanbul-communique", "Istanbul Communiqué") in page.links
    assert (
        "/page/claim-nuland-us-uk-advised",
        "Nuland: US and UK advised Ukraine to abandon the Istanbul agreement",
    ) in page.links
    assert ("/page/russia-ukraine-talks-2022", "Russia–Ukraine talks of 2022") in page.links
    [script] = page.jsonld
    data = json.loads(script)
    assert data["@type"] == "Event"
    assert data["@id"] == "https://w3id.org/peacekg/id/istanbul-meeting-2022"
    assert (data["startDate"], data["endDate"]) == ("2022-03-21", "2022-03-31")
    assert data["location"][0]["name"] == "Dolmabahçe Palace"


def test_claim_page(client: FlaskClient) -> None:
    page = _page(client, "/page/claim-nuland-us-uk-advised")
    text = page.plain
    assert "The US and UK advised Ukraine to abandon the Istanbul peace agreement." in text
    assert "claimant Victoria Nuland" in text
    assert "relayed by Glenn Diesen" in text
    assert (
        "Victoria Nuland confirms the US and UK “advised” Ukraine"
        " to abandon the Istanbul peace agreement…" in text
    )
    assert ("/page/source-diesen-post", "Post by Glenn Diesen") in page.links
    assert ("https://x.com/example/status/1", "original") in page.links
    assert "disputes Reply: it was a framework, not an agreement" in text
    assert (
        "/page/claim-reply-framework-not-agreement",
        "Reply: it was a framework, not an agreement",
    ) in page.links
    data = json.loads(page.jsonld[0])
    assert data["@type"] == "Claim"
    assert data["author"] == [
        {"@id": "https://w3id.org/peacekg/id/victoria-nuland", "name": "Victoria Nuland"}
    ]
    assert data["appearance"][0]["url"] == "https://x.com/example/status/1"


def test_supporting_claim_is_shown_both_ways(client: FlaskClient) -> None:
    supported = _page(client, "/page/claim-reply-framework-not-agreement").plain
    assert "is supported by Reply: advising is not blocking" in supported
    supporting = _page(client, "/page/claim-reply-advising-not-blocking").plain
    assert "supports Reply: it was a framework, not an agreement" in supporting


def test_actor_page(client: FlaskClient) -> None:
    page = _page(client, "/page/turkey")
    text = page.plain
    assert "2022-03-21 Istanbul meeting mediator" in text
    assert "2022-03-21 Istanbul meeting host" in text
    assert "Istanbul Communiqué (guarantor)" in text
    assert ("/page/mandate-erdogan-president", "Erdoğan, President of Turkey") in page.links
    assert "https://www.wikidata.org/wiki/Q43" not in text
    assert ("http://www.wikidata.org/entity/Q43", "Wikidata Q43") in page.links
    assert json.loads(page.jsonld[0])["@type"] == "Country"
    nuland = _page(client, "/page/victoria-nuland").plain
    assert "made: Nuland: US and UK advised Ukraine" in nuland
    diesen = _page(client, "/page/glenn-diesen").plain
    assert "relayed: Nuland: US and UK advised Ukraine" in diesen


def test_proposal_page(client: FlaskClient) -> None:
    page = _page(client, "/page/istanbul-communique")
    text = page.plain
    assert (
        "Istanbul Communiqué: permanent neutrality Ukraine would become a permanently neutral"
        " state neutrality, security guarantees" in text
    )
    assert (
        "Russia's response to the Istanbul Communiqué Russia considered Summary of the talks"
        in text
    )
    assert "guarantor Turkey" in text
    assert "Reply: it was a framework, not an agreement (Author of the reply)" in text


def test_source_page_lists_what_is_stated_in_it(client: FlaskClient) -> None:
    """The assertions derived from the document, in the order of their passages."""
    page = _page(client, "/page/source-reply")
    section = page.plain[page.plain.index("Stated in this document") :]
    section = section[: section.index("All statements")]
    assert section == (
        "Stated in this document The assertions derived from this document, in the order of"
        " their passages."
        " So there was a framework and not an agreement. →"
        " Reply: it was a framework, not an agreement (assertion)"
        " So there was a framework and not an agreement. → Author of the reply"
        " curator inference (assertion)"
        " This is not the same as them blocking an agreement. →"
        " Reply: advising is not blocking (assertion) "
    )
    assert ("/assertion/reply-author", "(assertion)") in page.links


@pytest.mark.parametrize(
    "path",
    [
        "/page/istanbul-meeting-2022",
        "/page/claim-nuland-us-uk-advised",
        "/page/turkey",
        "/page/istanbul-communique",
        "/timeline",
        "/claims",
        "/index",
    ],
)
def test_links_show_labels_not_iris(client: FlaskClient, path: str) -> None:
    page = _page(client, path)
    bare = [(href, text) for href, text in page.links if text.startswith(("http://", "https://"))]
    # The only IRI shown as link text is the page's own canonical IRI.
    assert all(href.startswith("/id/") for href, _text in bare), bare
    assert page.jsonld, "every page embeds schema.org JSON-LD"
    json.loads(page.jsonld[0])


def test_inferred_statements_are_marked(client: FlaskClient) -> None:
    html = client.get("/page/claim-nuland-us-uk-advised").get_data(as_text=True)
    # pkg:disputes is symmetric: the reasoner adds the reverse link, marked inferred.
    row = re.search(
        r'<tr class="inferred"><td class="property"><a href="/ontology#disputes"'
        r'[^>]*>disputes</a></td><td><a href="/page/claim-reply-advising-not-blocking"',
        html,
    )
    assert row
    # prov:wasAttributedTo (inferred from pkg:claimant) is an echo: no row of its own, it is
    # named in the claimant row (issue 12).
    assert not re.search(
        r'<td class="property"><a href="http://www.w3.org/ns/prov#wasAttributedTo"', html
    )


def test_unknown_iri_is_a_helpful_404(client: FlaskClient) -> None:
    response = client.get("/id/istanbul-talks-2099", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    parser = _Page()
    parser.feed(response.get_data(as_text=True))
    assert "https://w3id.org/peacekg/id/istanbul-talks-2099" in parser.plain
    assert ("/page/istanbul-meeting-2022", "Istanbul meeting") in parser.links
    assert ("/index", "index of all entities") in parser.links
    assert client.get("/page/nobody").status_code == 404
    assert client.get("/data/nobody.ttl").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/id/foo%20bar",
        "/id/a%3Eb",
        "/id/a%00b",
        "/id/a%7Fb",
        "/id/a%25ZZ",
        "/page/a%3Eb",
        "/page/a%00b",
        "/data/a%3Eb.ttl",
        "/data/a%00b",
        "/resource?iri=https://w3id.org/peacekg/id/x%20y",
        "/resource?iri=https://w3id.org/peacekg/id/x%00y",
        "/wikidata/a%3E{",
        "/.well-known/genid/a%3E{",
    ],
)
def test_path_that_is_no_iri_is_the_helpful_404(client: FlaskClient, path: str) -> None:
    """A URL path with a character an IRI cannot hold names no entity: 404, not 500."""
    response = client.get(path)
    assert response.status_code == 404, path
    assert "index of all entities" in response.get_data(as_text=True)


def test_timeline_shows_every_event_with_precision(client: FlaskClient) -> None:
    page = _page(client, "/timeline")
    text = page.plain
    assert "late March 2022 part of month: 2022-03-21 – 2022-03-31 Istanbul meeting" in text
    assert "28 February 2022 day: 2022-02-28 First round" in text
    hrefs = [h for h, _t in page.links]
    assert hrefs.index("/page/round-2022-02-28") < hrefs.index("/page/istanbul-meeting-2022")


def test_claims_view_draws_the_dispute_network(client: FlaskClient) -> None:
    html = client.get("/claims").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="claim-node"') == 3
    assert svg.count('stroke="#c0392b"') == 2  # two disputes
    assert svg.count('stroke="#2e8b57"') == 1  # one supports
    assert 'href="/page/claim-nuland-us-uk-advised"' in svg


def test_index_groups_entities_by_type(client: FlaskClient) -> None:
    page = _page(client, "/index")
    assert "state (5)" in page.plain
    assert ("/page/belarus", "Belarus") in page.links
