"""``/dumps``, ``/void`` (and ``/.well-known/void``) and the ontology reference at ``/ontology``."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from peacekg import __version__
from peacekg.config import Settings
from peacekg.namespaces import DCAT, PKG, VOID
from peacekg.store import EmbeddedStore
from tests.linkeddata.conftest import reference_headings

DATASET = URIRef("https://w3id.org/peacekg/dataset")
SPDX = "http://spdx.org/rdf/terms#"


def test_dumps_page_lists_every_dump_with_size_and_checksum(client: FlaskClient) -> None:
    html = client.get("/dumps").get_data(as_text=True)
    rows = re.findall(
        r'<tr><td><a href="/dumps/([^"]+)"[^>]*>[^<]+</a></td><td>[^<]+</td>'
        r'<td class="num">(\d+)</td><td><code class="checksum">([0-9a-f]{64})</code>',
        html,
    )
    names = [name for name, _size, _sum in rows]
    for ext in ("trig", "nq", "ttl", "jsonld"):
        assert f"peacekg-{__version__}.{ext}" in names
        assert f"peacekg-{__version__}.{ext}.gz" in names
    assert "peacekg-context.jsonld" in names
    for name, size, checksum in rows:
        body = client.get(f"/dumps/{name}").get_data()
        assert len(body) == int(size)
        assert hashlib.sha256(body).hexdigest() == checksum


def test_dumps_are_the_builds_own_and_no_request_writes_them(
    client: FlaskClient, ld_settings: Settings
) -> None:
    served = ld_settings.store_path / "dumps"
    sums = dict(
        reversed(line.split("  ")) for line in (served / "SHA256SUMS").read_text().splitlines()
    )
    nq = f"peacekg-{__version__}.nq"
    assert client.get(f"/dumps/{nq}").get_data() == (served / nq).read_bytes()
    assert hashlib.sha256((served / nq).read_bytes()).hexdigest() == sums[nq]
    assert client.get("/void").status_code == 200
    # Nothing was written for the requests: no dump in the fallback directory.
    assert not (ld_settings.dumps_dir / nq).exists()


def test_dumps_parse_and_keep_the_graphs(client: FlaskClient, ld_settings: Settings) -> None:
    trig = client.get(f"/dumps/peacekg-{__version__}.trig")
    assert trig.headers["Content-Type"] == "application/trig"
    dataset = Dataset()
    dataset.parse(data=trig.get_data(as_text=True), format="trig")
    counts = EmbeddedStore.for_graphs(ld_settings.store_path, ld_settings.graphs).graph_counts()
    asserted = ld_settings.graphs.asserted
    assert len(dataset.graph(URIRef(asserted))) == counts[asserted]
    gz = client.get(f"/dumps/peacekg-{__version__}.nq.gz").get_data()
    nquads = gzip.decompress(gz).decode("utf-8")
    assert len(nquads.splitlines()) == sum(counts.values())
    assert client.get("/dumps/../config.py").status_code == 404


@pytest.mark.parametrize("path", ["/void", "/.well-known/void"])
def test_void_describes_the_dataset(client: FlaskClient, ld_settings: Settings, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert (
        DATASET,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in graph
    assert (DATASET, DCAT.version, Literal(__version__)) in graph
    assert (DATASET, VOID.sparqlEndpoint, URIRef("http://localhost/sparql")) in graph
    counts = EmbeddedStore.for_graphs(ld_settings.store_path, ld_settings.graphs).graph_counts()
    names = ld_settings.graphs
    assertions = {iri: n for iri, n in counts.items() if names.is_assertion(iri)}
    assert len(assertions) == 28  # two added for issue 12 (NATO, Antalya rounds)
    for iri, count in counts.items():
        if iri not in assertions:
            assert (URIRef(iri), VOID.triples, Literal(count, datatype=XSD.integer)) in graph
    # The assertion graphs, one per passage, are one subset by count, not 26 subsets.
    group = URIRef("https://w3id.org/peacekg/dataset#assertions")
    assert set(graph.objects(DATASET, VOID.subset)) == {group} | {
        URIRef(iri) for iri in counts if iri not in assertions
    }
    total = Literal(sum(assertions.values()), datatype=XSD.integer)
    assert (group, VOID.triples, total) in graph
    assert str(graph.value(group, DCTERMS.description)).startswith(
        "28 named graphs, one per assertion:"
    )
    assert (
        group,
        VOID.exampleResource,
        URIRef("https://w3id.org/peacekg/assertion/claim-nuland-us-uk-advised"),
    ) in graph
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    assert URIRef("https://w3id.org/peacekg/id/round-2022-02-28") in examples
    assert URIRef("https://w3id.org/peacekg/id/istanbul-communique") in examples
    dump = URIRef(f"http://localhost/dumps/peacekg-{__version__}.trig")
    assert (DATASET, VOID.dataDump, dump) in graph
    distribution = graph.value(predicate=DCAT.downloadURL, object=dump)
    assert (DATASET, DCAT.distribution, distribution) in graph
    size = int(graph.value(distribution, DCAT.byteSize))
    assert size == len(client.get(f"/dumps/peacekg-{__version__}.trig").get_data())
    checksum = graph.value(distribution, URIRef(SPDX + "checksum"))
    assert len(str(graph.value(checksum, URIRef(SPDX + "checksumValue")))) == 64


def test_void_as_a_page_and_in_other_formats(client: FlaskClient) -> None:
    page = client.get("/void", headers={"Accept": "text/html"})
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "void:Dataset" in page.get_data(as_text=True)
    jsonld = client.get("/void", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")


def test_ontology_reference_has_an_anchor_for_every_term(
    client: FlaskClient, ld_settings: Settings
) -> None:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    html = response.get_data(as_text=True)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    ontology = Graph().parse(ld_settings.ontology_dir / "peacekg.ttl")
    namespace = str(PKG)
    terms = {str(s)[len(namespace) :] for s in ontology.subjects() if str(s).startswith(namespace)}
    assert terms and not terms - ids, sorted(terms - ids)[:20]
    for cameo in ontology.subjects(RDF.type, PKG.CameoCode):
        assert str(cameo).rsplit("#", 1)[-1] in ids
    # links to terms stay on the page; the page links back to the site
    assert 'href="https://w3id.org/peacekg/ontology#' not in html
    assert '<a style="color:#e6e9ef;margin-right:1rem" href="/index">Index</a>' in html


def test_ontology_reference_is_titled_after_the_ontology(
    client: FlaskClient, ld_settings: Settings
) -> None:
    # pyLODE takes each skos:ConceptScheme for an ontology; the schemes must not name the page.
    ontology = Graph().parse(ld_settings.ontology_dir / "peacekg.ttl")
    iri = URIRef("https://w3id.org/peacekg/ontology")
    title = str(ontology.value(iri, DCTERMS.title))
    assert title == str(ontology.value(iri, RDFS.label))
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert reference_headings(response.get_data(as_text=True)) == (title, title)


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("text/turtle", "text/turtle; charset=utf-8"), ("application/rdf+xml", "application/rdf+xml")],
)
def test_ontology_as_rdf(client: FlaskClient, accept: str, content_type: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.headers["Content-Type"] == content_type
    graph = Graph().parse(
        data=response.get_data(as_text=True), format="turtle" if "turtle" in accept else "xml"
    )
    assert (
        URIRef("https://w3id.org/peacekg/ontology"),
        RDF.type,
        URIRef("http://www.w3.org/2002/07/owl#Ontology"),
    ) in graph
    assert client.get("/ontology.ttl").headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_ontology_term_iri_leads_to_its_entry(client: FlaskClient) -> None:
    # <https://w3id.org/peacekg/ontology#Claim> is served at /ontology#Claim; the term's own
    # version IRI and the CAMEO namespace redirect there and keep the fragment.
    assert (
        client.get("/ontology/cameo", headers={"Accept": "text/html"}).headers["Location"]
        == "/ontology"
    )
    page = client.get("/page/claim-nuland-us-uk-advised").get_data(as_text=True)
    assert 'href="/ontology#Claim"' in page
