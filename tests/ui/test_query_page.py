"""The query page as the server renders it, through Flask's test client (issue 5)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from flask.testing import FlaskClient

import peacekg.web
from peacekg import mediatypes
from peacekg.config import Settings
from peacekg.web import create_app
from tests.ui.conftest import EXAMPLES, SHOWN


@dataclass
class Example:
    """One entry of the examples list as a reader sees it."""

    href: str
    slug: str
    current: bool
    title: str = ""
    description: str = ""


@dataclass
class Page:
    """What the tests look at in the rendered page."""

    textarea: str = ""
    examples: list[Example] = field(default_factory=list)
    example_texts: dict[str, str] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    nav: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects the parts of the page the tests assert on, with entities decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._into: str | None = None
        self._nav = False
        self._nav_href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "textarea" and a.get("id") == "query":
            self._into = "textarea"
        elif tag == "a" and "data-slug" in a:
            self.page.examples.append(
                Example(a["href"], a["data-slug"], a.get("aria-current") == "true")
            )
        elif tag == "span" and self.page.examples and {"title", "description"} & set(classes):
            self._into = classes[0]
        elif tag == "script" and a.get("id") == "example-texts":
            self._into = "json"
        elif tag == "script" and "src" in a:
            self.page.assets.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.page.assets.append(a["href"])
        elif tag == "nav":
            self._nav = True
        elif tag == "a" and self._nav:
            self._nav_href = a["href"]
            self._into = "nav"
        elif a.get("role") == "alert" and "hidden" not in a:
            self._into = "alert"
            self.page.alerts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav = False
        if tag in {"textarea", "span", "script", "a", "p"}:
            self._into = None

    def handle_data(self, data: str) -> None:
        if self._into == "textarea":
            self.page.textarea += data
        elif self._into == "title":
            self.page.examples[-1].title += data
        elif self._into == "description":
            self.page.examples[-1].description += data
        elif self._into == "json":
            self.page.example_texts = json.loads(data)
        elif self._into == "nav":
            self.page.nav.append((self._nav_href, data))
        elif self._into == "alert":
            self.page.alerts[-1] += data


def parse(html: str) -> Page:
    """The page's parts; the one newline a browser drops after ``<textarea>`` is dropped too."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    page = parser.page
    page.textarea = page.textarea.removeprefix("\n")
    return page


def get(client: FlaskClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return parse(response.get_data(as_text=True))


def test_lists_every_example_with_title_and_description(ui_client: FlaskClient) -> None:
    page = get(ui_client, "/")
    assert [(e.href, e.title, e.description) for e in page.examples] == [
        (
            "/?example=01-rounds",
            "Rounds and their labels",
            "Every round of the talks with its label and the label's length, in label order.",
        ),
        (
            "/?example=02-part-of",
            "What is part of what",
            "The partOf links as a graph (CONSTRUCT), asserted & inferred.",
        ),
        (
            "/?example=03-markup",
            "Escaping <b>check</b>",
            'A title & description with <script>alert("x")</script> markup in them.',
        ),
    ]
    assert page.example_texts == SHOWN


def test_first_example_prefills_the_editor_by_default(ui_client: FlaskClient) -> None:
    page = get(ui_client, "/")
    assert page.textarea == SHOWN["01-rounds"]
    assert [e.slug for e in page.examples if e.current] == ["01-rounds"]


def test_example_parameter_prefills_that_example(ui_client: FlaskClient) -> None:
    page = get(ui_client, "/?example=02-part-of")
    assert page.textarea == SHOWN["02-part-of"]
    assert [e.slug for e in page.examples if e.current] == ["02-part-of"]
    assert page.alerts == []


def test_query_parameter_prefills_and_wins_over_example(ui_client: FlaskClient) -> None:
    text = "\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n"
    response = ui_client.get("/", query_string={"query": text, "example": "02-part-of"})
    page = parse(response.get_data(as_text=True))
    assert page.textarea == text
    assert [e.slug for e in page.examples if e.current] == []


def test_unknown_example_is_a_404_that_still_offers_the_page(ui_client: FlaskClient) -> None:
    page = get(ui_client, "/?example=99-missing", status=404)
    assert page.alerts == ["There is no example named '99-missing'."]
    assert page.textarea == SHOWN["01-rounds"]
    assert len(page.examples) == len(EXAMPLES)


def test_markup_in_examples_and_query_is_escaped(ui_client: FlaskClient) -> None:
    hostile = '</textarea><script>alert("q")</script>'
    html = ui_client.get("/", query_string={"query": hostile}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<b>check</b>" not in html
    assert "&lt;b&gt;check&lt;/b&gt;" in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;" in html
    # The JSON island holding the example texts must not be closable from inside either.
    island = html.split('id="example-texts">', 1)[1].split("</script>", 1)[0]
    assert "<" not in island
    assert parse(html).textarea == hostile


def test_page_works_offline_with_its_own_assets(ui_client: FlaskClient) -> None:
    page = get(ui_client, "/")
    assert page.assets == [
        "/static/peacekg.css",
        "/static/vendor/codemirror.js",
        "/static/query.js",
    ]
    static = Path(peacekg.web.__file__).resolve().parent / "static"
    for asset in page.assets:
        response = ui_client.get(asset)
        assert response.status_code == 200
        assert response.data == (static / asset.removeprefix("/static/")).read_bytes(), asset
        response.close()


def test_base_template_has_the_site_navigation_and_licence(ui_client: FlaskClient) -> None:
    response = ui_client.get("/")
    page = parse(response.get_data(as_text=True))
    assert page.nav == [
        ("/", "Query"),
        ("/timeline", "Timeline"),
        ("/claims", "Claims"),
        ("/index", "Index"),
        ("/dumps", "Dumps"),
        ("/ontology", "Ontology"),
    ]
    html = response.get_data(as_text=True)
    assert '<a href="/" aria-current="page">Query</a>' in html
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in html


def test_download_links_offer_every_format(ui_client: FlaskClient) -> None:
    html = ui_client.get("/").get_data(as_text=True)
    results = html.split('id="downloads-results"', 1)[1].split("</span>\n", 2)[1]
    graph = html.split('id="downloads-graph"', 1)[1].split("</span>\n", 2)[1]
    assert [_formats(results), _formats(graph)] == [
        ["json", "xml", "csv", "tsv"],
        ["turtle", "ntriples", "rdfxml", "jsonld"],
    ]


def _formats(fragment: str) -> list[str]:
    return [part.split('"', 1)[0] for part in fragment.split('data-format="')[1:]]


def test_empty_catalogue_gives_a_working_default_query(ui_settings: Settings) -> None:
    settings = replace(ui_settings, queries_dir=ui_settings.queries_dir / "nowhere")
    client = create_app(settings).test_client()
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    assert page.examples == []
    assert "No example queries yet." in response.get_data(as_text=True)
    assert page.textarea.startswith("SELECT ?class (COUNT(?s) AS ?count)")
    assert client.post("/sparql", data={"query": page.textarea}).status_code == 200


SELECT_ROUNDS = EXAMPLES["01-rounds.rq"]
CONSTRUCT_PARTS = EXAMPLES["02-part-of.rq"]


def test_every_download_link_gets_its_format(ui_client: FlaskClient) -> None:
    """The page's download links are ``/sparql?query=…&format=<name>``; each must answer in
    the format it names, whatever the browser's Accept header says."""
    html = ui_client.get("/").get_data(as_text=True)
    for box, query in (("downloads-results", SELECT_ROUNDS), ("downloads-graph", CONSTRUCT_PARTS)):
        fragment = html.split(f'id="{box}"', 1)[1].split("</span>\n", 2)[1]
        for name in _formats(fragment):
            fmt = mediatypes.by_name(name)
            assert fmt is not None
            response = ui_client.get(
                "/sparql",
                query_string={"query": query, "format": name},
                headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
            )
            assert (name, response.status_code, response.mimetype) == (
                name,
                200,
                fmt.media_type,
            )


def test_the_editor_never_shows_the_catalogues_expect_line(ui_client: FlaskClient) -> None:
    assert "# expect:" in EXAMPLES["01-rounds.rq"]
    page = get(ui_client, "/?example=01-rounds")
    assert "# expect" not in page.textarea
    assert "# expect" not in json.dumps(page.example_texts)
    assert page.textarea.startswith("# title: Rounds and their labels\n# description:")


def test_the_bundled_editor_keeps_its_licences_beside_it() -> None:
    vendor = Path(peacekg.web.__file__).resolve().parent / "static" / "vendor"
    bundle = (vendor / "codemirror.js").read_text(encoding="utf-8")
    assert "PeaceKGEditor" in bundle
    assert "http://" not in bundle.replace("http://www.w3.org/", "")  # nothing fetched
    licences = (vendor / "codemirror.LICENSES.txt").read_text(encoding="utf-8")
    for package in ("@codemirror/view", "@codemirror/autocomplete", "@codemirror/legacy-modes"):
        assert f"\n{package} " in licences
    assert "Permission is hereby granted" in licences


def test_a_share_link_names_its_view(ui_client: FlaskClient) -> None:
    html = ui_client.get("/", query_string={"query": "ASK {}", "view": "Graph"}).get_data(True)
    assert 'data-view="Graph"' in html
    html = ui_client.get("/", query_string={"query": "ASK {}", "view": "<x>"}).get_data(True)
    assert 'data-view=""' in html
