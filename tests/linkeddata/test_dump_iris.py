"""Issue 6's "done when": every IRI under the base in a dump leads to something readable here."""

from __future__ import annotations

import re
from urllib.parse import urldefrag

from flask.testing import FlaskClient
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS

from peacekg import __version__
from peacekg.config import Settings
from peacekg.export import export_reference
from peacekg.store import EmbeddedStore
from peacekg.web import create_app
from tests.linkeddata.conftest import reference_headings


def _follow(client: FlaskClient, path: str, accept: str) -> tuple[int, str, str]:
    """Status, final path and body after following redirects (at most five)."""
    for _ in range(5):
        response = client.get(path, headers={"Accept": accept})
        if response.status_code != 303:
            return response.status_code, path, response.get_data(as_text=True)
        path = response.headers["Location"]
    raise AssertionError(f"redirect loop at {path}")


def test_every_iri_in_the_dump_resolves(client: FlaskClient, ld_settings: Settings) -> None:
    _check_dump(client, ld_settings)


def test_every_iri_in_the_real_dump_resolves(built_settings: Settings) -> None:
    _check_dump(create_app(built_settings).test_client(), built_settings)


def _check_dump(client: FlaskClient, ld_settings: Settings) -> None:
    dump = client.get(f"/dumps/peacekg-{__version__}.trig").get_data(as_text=True)
    dataset = Dataset()
    dataset.parse(data=dump, format="trig")
    base = ld_settings.base_iri
    iris = {
        str(term)
        for quad in dataset.quads()
        for term in quad
        if isinstance(term, URIRef) and str(term).startswith(base)
    }
    assert len(iris) > 100
    pages: dict[str, set[str]] = {}
    seen: set[str] = set()
    for iri in sorted(iris):
        path, fragment = urldefrag("/" + iri[len(base) :])
        if path in seen:
            assert fragment in pages[path], iri
            continue
        seen.add(path)
        status, final, html = _follow(client, path, "text/html")
        assert status == 200, (iri, final, status)
        pages[path] = set(re.findall(r'\sid="([^"]+)"', html))
        if fragment:
            assert fragment in pages[path], iri
        status, final, body = _follow(client, path, "text/turtle")
        assert status == 200, (iri, final, status)
        Graph().parse(data=body, format="turtle")


def test_export_writes_the_ontology_reference(ld_settings: Settings) -> None:
    path = export_reference(
        EmbeddedStore.for_graphs(ld_settings.store_path, ld_settings.graphs), ld_settings
    )
    assert path.name == f"peacekg-ontology-{__version__}.html"
    html = path.read_text(encoding="utf-8")
    assert 'id="Claim"' in html and 'id="issue-neutrality"' in html
    ontology = Graph().parse(ld_settings.ontology_dir / "peacekg.ttl")
    title = str(ontology.value(URIRef("https://w3id.org/peacekg/ontology"), DCTERMS.title))
    assert reference_headings(html) == (title, title)
