"""Validators, compression and byte ranges of pages, documents and dumps (issue 18)."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyoxigraph
import pytest
from flask.testing import FlaskClient

from peacekg import __version__
from peacekg.config import Settings
from peacekg.web import create_app
from peacekg.web.sparql import shutdown
from tests.linkeddata.conftest import BASE

TRIG = f"/dumps/peacekg-{__version__}.trig"


@pytest.mark.parametrize("path", ["/index", "/timeline", "/void", "/dumps", "/ontology.ttl"])
def test_a_page_the_client_holds_is_304(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert first.headers["Last-Modified"]
    held = client.get(path, headers={"If-None-Match": tag})
    assert (held.status_code, held.data, held.headers["ETag"]) == (304, b"", tag)
    # Another representation (Accept) has another tag: the old one is no match.
    other = client.get(path, headers={"If-None-Match": tag, "Accept": "application/n-triples"})
    assert other.status_code in {200, 406}
    assert other.headers.get("ETag") != tag


def test_a_compressed_page_decodes_to_the_same_bytes(client: FlaskClient) -> None:
    plain = client.get("/index")
    packed = client.get("/index", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    held = client.get("/index", headers={"If-None-Match": packed.headers["ETag"]})
    assert held.status_code == 304


def test_a_range_of_a_dump_is_the_exact_slice(client: FlaskClient) -> None:
    whole = client.get(TRIG)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    data = whole.data
    part = client.get(TRIG, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-99/{len(data)}"
    assert part.data == data[10:100]
    tail = client.get(TRIG, headers={"Range": "bytes=-7"})
    assert (tail.status_code, tail.data) == (206, data[-7:])
    beyond = client.get(TRIG, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    # If-Range with the current tag keeps the range; an old tag gets the whole file.
    kept = client.get(TRIG, headers={"Range": "bytes=0-3", "If-Range": whole.headers["ETag"]})
    assert (kept.status_code, kept.data) == (206, data[:4])
    stale = client.get(TRIG, headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert (stale.status_code, stale.data) == (200, data)
    held = client.get(TRIG, headers={"If-None-Match": whole.headers["ETag"]})
    assert (held.status_code, held.data) == (304, b"")


def test_a_dump_is_gzipped_when_accepted(client: FlaskClient, ld_settings: Settings) -> None:
    plain = client.get(TRIG).data
    packed = client.get(TRIG, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"].startswith("application/trig")
    assert gzip.decompress(packed.data) == plain
    # The range of a gzipped answer is a range of the compressed bytes, never re-encoded.
    part = client.get(TRIG, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert (part.status_code, part.data) == (206, packed.data[:10])
    # The pre-compressed N-Quads file is served as it is, named by its own type.
    name = f"peacekg-{__version__}.nq.gz"
    on_disk = (ld_settings.store_path / "dumps" / name).read_bytes()
    archive = client.get(f"/dumps/{name}", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in archive.headers
    assert archive.data == on_disk


def test_a_page_lists_at_most_max_page_statements(ld_settings: Settings) -> None:
    page = "/page/claim-nuland-us-uk-advised"
    whole = create_app(ld_settings).test_client().get(page).get_data(as_text=True)
    rows = _statement_rows(whole)
    assert len(rows) > 3
    assert 'id="more-statements"' not in whole
    bounded_app = create_app(dataclasses.replace(ld_settings, max_page_statements=3))
    html = bounded_app.test_client().get(page).get_data(as_text=True)
    assert _statement_rows(html) == rows[:3]
    notice = re.search(r'<p class="notice" id="more-statements">(.*?)</p>', html)
    assert notice is not None
    assert notice.group(1).startswith(f"3 of {len(rows)} statements shown")
    link = re.search(r'href="(/\?query=[^"]+)"', notice.group(1))
    assert link is not None
    query = parse_qs(urlsplit(unescape(link.group(1))).query)["query"][0]
    iri = BASE + "id/claim-nuland-us-uk-advised"
    try:
        answer = bounded_app.test_client().get("/sparql", query_string={"query": query})
    finally:
        shutdown(bounded_app)
    bindings = json.loads(answer.data)["results"]["bindings"]
    assert {b["s"]["value"] for b in bindings} | {b["o"]["value"] for b in bindings} >= {iri}
    assert len(bindings) >= len(rows)


def test_a_source_page_lists_at_most_max_page_statements_assertions(
    ld_settings: Settings,
) -> None:
    """The list "Stated in this document" is bounded like the statements: the first ones in passage
    order, a count and a query for every one (issue 18)."""
    page = "/page/source-reply"
    whole = create_app(ld_settings).test_client().get(page).get_data(as_text=True)
    items = _stated_items(whole)
    assert len(items) == 3
    assert 'id="more-stated"' not in whole
    bounded_app = create_app(dataclasses.replace(ld_settings, max_page_statements=2))
    try:
        client = bounded_app.test_client()
        html = client.get(page).get_data(as_text=True)
        assert _stated_items(html) == items[:2]
        notice = re.search(r'<p class="notice" id="more-stated">(.*?)</p>', html)
        assert notice is not None
        assert notice.group(1).startswith("2 of 3 assertions shown")
        link = re.search(r'href="(/\?query=[^"]+)"', notice.group(1))
        assert link is not None
        query = parse_qs(urlsplit(unescape(link.group(1))).query)["query"][0]
        answer = client.get("/sparql", query_string={"query": query})
    finally:
        shutdown(bounded_app)
    assert answer.status_code == 200
    listed = [b["a"]["value"] for b in json.loads(answer.data)["results"]["bindings"]]
    linked = [re.findall(r'class="assertion-link" href="([^"]+)"', item)[0] for item in items]
    slugs = [iri.rsplit("/", 1)[1] for iri in dict.fromkeys(listed)]
    assert slugs == [href.rsplit("/", 1)[1] for href in linked]  # all three, in page order


def _stated_items(html: str) -> list[str]:
    """The items of a source page's "Stated in this document" list."""
    section = html[html.index('<section id="stated-here">') :]
    section = section[: section.index("</section>")]
    return re.findall(r"<li class=.*?</li>", section)


def _statement_rows(html: str) -> list[str]:
    """The rows of the "All statements" tables of an entity page."""
    section = html[html.index('<section id="statements">') :]
    section = section[: section.index("</section>")]
    return re.findall(r"<tr(?: class=\"inferred\")?><td.*?</tr>", section)


def test_an_rdf_document_holds_at_most_max_page_statements(ld_settings: Settings) -> None:
    document = "/data/claim-nuland-us-uk-advised.nq"
    iri = BASE + "id/claim-nuland-us-uk-advised"
    whole = create_app(ld_settings).test_client().get(document)
    assert "X-PeaceKG-Truncated" not in whole.headers
    about = _triples_about(whole.data, iri)
    assert len(about) > 3
    app = create_app(dataclasses.replace(ld_settings, max_page_statements=3))
    cut = app.test_client().get(document)
    assert cut.status_code == 200
    assert cut.headers["X-PeaceKG-Truncated"] == "true"
    assert cut.headers["X-PeaceKG-Message"].startswith("3 of ")
    kept = _triples_about(cut.data, iri)
    assert 3 <= len(kept) < len(about)  # three rows, and the echoes each row stands for
    assert kept < about


def _triples_about(nquads: bytes, iri: str) -> set[tuple[str, str, str]]:
    """The distinct triples of an N-Quads document with ``iri`` as subject or object."""
    found = set()
    for quad in pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS):
        if iri in (getattr(quad.subject, "value", ""), getattr(quad.object, "value", "")):
            found.add((str(quad.subject), str(quad.predicate), str(quad.object)))
    return found


def test_a_page_reads_at_most_max_page_neighbours_each_way(ld_settings: Settings) -> None:
    """Past ``max_page_neighbours`` a page and a document show a subset, with every statement
    counted, and say so; the rows they show are the entity's own (issue 18)."""
    name = "claim-nuland-us-uk-advised"
    iri = BASE + "id/" + name
    whole_app = create_app(ld_settings)
    whole = whole_app.test_client().get(f"/page/{name}").get_data(as_text=True)
    about = _triples_about(whole_app.test_client().get(f"/data/{name}.nq").data, iri)
    app = create_app(dataclasses.replace(ld_settings, max_page_neighbours=2))
    html = app.test_client().get(f"/page/{name}").get_data(as_text=True)
    shown = _statement_rows(html)
    assert 0 < len(shown) < len(_statement_rows(whole))
    assert set(shown) <= set(_statement_rows(whole))
    notice = re.search(r'<p class="notice" id="more-statements">(.*?)</p>', html)
    assert notice is not None
    assert notice.group(1).startswith(f"{len(shown)} of {len(about)} statements shown")
    cut = app.test_client().get(f"/data/{name}.nq")
    assert cut.headers["X-PeaceKG-Truncated"] == "true"
    assert f" of {len(about)} statements " in cut.headers["X-PeaceKG-Message"]
    assert _triples_about(cut.data, iri) < about
