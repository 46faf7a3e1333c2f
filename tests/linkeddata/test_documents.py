"""RDF documents of entities: they parse, hold outgoing and incoming statements and the
neighbours' labels, and keep asserted and inferred apart."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from peacekg.namespaces import PKG, PKGR, PROV

CLAIM = PKGR["claim-nuland-us-uk-advised"]
ASSERTED = URIRef("https://w3id.org/peacekg/graph/asserted")
INFERRED = URIRef("https://w3id.org/peacekg/graph/inferred")
OA_EXACT = URIRef("http://www.w3.org/ns/oa#exact")

EXPECTED_ASSERTED = {
    (CLAIM, PKG.claimant, PKGR["victoria-nuland"]),
    (CLAIM, PKG.relayedBy, PKGR["glenn-diesen"]),
    (CLAIM, PKG.statedIn, PKGR["source-diesen-post"]),
    # incoming: the reply disputes the claim (asserted once, from the later claim)
    (PKGR["claim-reply-framework-not-agreement"], PKG.disputes, CLAIM),
    (PKGR["claim-reply-advising-not-blocking"], PKG.disputes, CLAIM),
    # labels of the neighbours
    (PKGR["victoria-nuland"], RDFS.label, Literal("Victoria Nuland", lang="en")),
    (PKGR["glenn-diesen"], RDFS.label, Literal("Glenn Diesen", lang="en")),
    (PKG.claimant, RDFS.label, Literal("claimant", lang="en")),
}
EXPECTED_INFERRED = {
    (CLAIM, PROV.wasAttributedTo, PKGR["victoria-nuland"]),
    (CLAIM, PKG.disputes, PKGR["claim-reply-framework-not-agreement"]),
}

TRIPLE_FORMATS = [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml")]
DATASET_FORMATS = [("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")]


def _graph(client: FlaskClient, url: str, rdflib_format: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)


@pytest.mark.parametrize(("ext", "rdflib_format"), TRIPLE_FORMATS)
def test_triple_formats_hold_asserted_statements_only(
    client: FlaskClient, ext: str, rdflib_format: str
) -> None:
    graph = _graph(client, f"/data/claim-nuland-us-uk-advised.{ext}", rdflib_format)
    assert set(graph) >= EXPECTED_ASSERTED
    assert not EXPECTED_INFERRED & set(graph)
    quote = graph.value(CLAIM, PKG.quote)
    assert graph.value(quote, OA_EXACT) == Literal(
        "Victoria Nuland confirms the US and UK “advised” Ukraine"
    )


@pytest.mark.parametrize(("ext", "rdflib_format"), TRIPLE_FORMATS)
def test_inferred_parameter_adds_the_inferred_statements(
    client: FlaskClient, ext: str, rdflib_format: str
) -> None:
    graph = _graph(client, f"/data/claim-nuland-us-uk-advised.{ext}?inferred=true", rdflib_format)
    assert set(graph) >= EXPECTED_ASSERTED | EXPECTED_INFERRED


@pytest.mark.parametrize(("ext", "rdflib_format"), DATASET_FORMATS)
def test_dataset_formats_keep_the_named_graphs(
    client: FlaskClient, ext: str, rdflib_format: str
) -> None:
    response = client.get(f"/data/claim-nuland-us-uk-advised.{ext}")
    dataset = Dataset()
    dataset.parse(data=response.get_data(as_text=True), format=rdflib_format)
    asserted = set(dataset.graph(ASSERTED))
    inferred = set(dataset.graph(INFERRED))
    ontology = set(dataset.graph(URIRef("https://w3id.org/peacekg/graph/ontology")))
    assert {t for t in EXPECTED_ASSERTED if t[0] != PKG.claimant} <= asserted
    assert (PKG.claimant, RDFS.label, Literal("claimant", lang="en")) in ontology
    assert inferred >= EXPECTED_INFERRED
    assert not EXPECTED_INFERRED & asserted


def test_inferred_false_drops_the_inferred_graph(client: FlaskClient) -> None:
    response = client.get("/data/claim-nuland-us-uk-advised.nq?inferred=false")
    assert "graph/inferred" not in response.get_data(as_text=True)


def test_local_iris_on_request(client: FlaskClient) -> None:
    graph = _graph(client, "/data/claim-nuland-us-uk-advised.ttl?iris=local", "turtle")
    local = URIRef("http://localhost/id/claim-nuland-us-uk-advised")
    assert (
        local,
        URIRef("http://localhost/ontology#claimant"),
        URIRef("http://localhost/id/victoria-nuland"),
    ) in graph
    assert not any(
        str(t).startswith("https://w3id.org/peacekg/") for triple in graph for t in triple
    )
    # and the rewritten IRI dereferences here
    assert client.get("/id/claim-nuland-us-uk-advised").status_code == 303


def test_event_document_holds_dates_and_incoming_claims(client: FlaskClient) -> None:
    graph = _graph(client, "/data/istanbul-meeting-2022.ttl", "turtle")
    event = PKGR["istanbul-meeting-2022"]
    xsd_date = URIRef("http://www.w3.org/2001/XMLSchema#date")
    assert (event, PKG.earliestDate, Literal("2022-03-21", datatype=xsd_date)) in graph
    assert (event, PKG.latestDate, Literal("2022-03-31", datatype=xsd_date)) in graph
    assert (event, PKG.datePrecision, PKG["precision-part-of-month"]) in graph
    assert (CLAIM, PKG.about, event) in graph
    assert (PKGR["dolmabahce-palace"], RDFS.label, Literal("Dolmabahçe Palace", lang="en")) in graph
