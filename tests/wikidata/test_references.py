"""References come only from the assertions that state a statement (issue 10).

The oracle here reads the assertion graphs and their provenance directly, apart from the
view's reference code: for a statement it finds the asserted triples it is made of, the
assertions holding them, and their documents and passages. Every reference in the model (and
every QuickStatements line) must cite exactly those documents with exactly those passages; a
statement that only reasoning supports has no reference and is not offered for upload.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from peacekg.config import Settings
from peacekg.load import LoadedSources
from peacekg.namespaces import OA, PKG, PKGR, WD
from peacekg.reason import reason
from peacekg.store import EmbeddedStore, stored_graph, stored_sources
from peacekg.wikidata import linked_ids
from peacekg.wikidata.view import (
    ITEM_PROPERTIES,
    MANDATE_PROPERTIES,
    ROLE_PROPERTIES,
    Statement,
    TimeValue,
    WikidataModel,
    quickstatements_text,
    statements,
    upload,
)
from tests.wikidata.conftest import fixture_sources

Triple = tuple[Node, Node, Node]

#: Our properties behind each Wikidata property of an item statement (claims included).
_PROPERTIES: dict[str, set[URIRef]] = {}
for _prop, _pid in {**ITEM_PROPERTIES, PKG.claimant: "P50", PKG.claimSubject: "P921"}.items():
    _PROPERTIES.setdefault(_pid, set()).add(_prop)
_DATES = (PKG.dateAsStated, PKG.earliestDate, PKG.latestDate, PKG.datePrecision)
_DATE_PIDS = {"P580", "P582", "P585"}


@dataclass(frozen=True)
class Oracle:
    """Which assertions state which triple, and each assertion's document and passage."""

    sources: LoadedSources
    stating: dict[Triple, set[str]]
    passage: dict[str, tuple[URIRef, str]]
    ours: dict[Node, set[Node]]
    links: dict[Node, Node]
    class_items: dict[Node, Node]

    @classmethod
    def of(cls, sources: LoadedSources) -> Oracle:
        stating: dict[Triple, set[str]] = {}
        for name, graph in sources.assertions.items():
            for triple in graph:
                stating.setdefault(triple, set()).add(name)
        passage: dict[str, tuple[URIRef, str]] = {}
        prov = sources.provenance
        for assertion, target in prov.subject_objects(PKG.passage):
            document = prov.value(target, OA.hasSource)
            for selector in prov.objects(target, OA.hasSelector):
                exact = prov.value(selector, OA.exact)
                if isinstance(document, URIRef) and exact is not None:
                    passage[str(assertion)] = (document, str(exact))
        links: dict[Node, Node] = {
            URIRef(iri): WD[qid] for iri, qid in linked_ids(sources.curated).items()
        }
        ours: dict[Node, set[Node]] = {}
        for node, item in links.items():
            ours.setdefault(item, set()).add(node)
        class_items: dict[Node, Node] = {
            URIRef(c): WD[q] for c, q in linked_ids(sources.ontology).items()
        }
        return cls(sources, stating, passage, ours, links, class_items)

    def nodes(self, term: object) -> set[Node]:
        """Our nodes behind a statement's subject or value (a linked item, or our IRI)."""
        if isinstance(term, URIRef):
            return self.ours.get(term, set()) | {term}
        return {term} if isinstance(term, Literal) else set()

    def triples(self, statement: Statement) -> list[Triple] | None:
        """The asserted triples ``statement`` is made of; None for kinds not covered here."""
        asserted = self.sources.asserted
        subjects = self.nodes(statement.subject)
        pid, value = statement.pid, statement.value
        if pid == "P31":
            return [
                (s, RDF.type, c)
                for s in subjects
                for c in asserted.objects(s, RDF.type)
                if c == value or self.class_items.get(c) == value
            ]
        if pid in MANDATE_PROPERTIES.values():
            found: list[Triple] = []
            for office in subjects:
                for mandate in asserted.subjects(PKG.mandateOf, office):
                    kind = asserted.value(mandate, PKG.mandateKind)
                    holders = set(asserted.objects(mandate, PKG.holder)) & self.nodes(value)
                    fits = isinstance(kind, URIRef) and MANDATE_PROPERTIES.get(kind) == pid
                    if fits and holders:
                        parts = (PKG.holder, PKG.mandateOf, PKG.mandateKind, *_DATES)
                        found += [
                            (mandate, p, o) for p in parts for o in asserted.objects(mandate, p)
                        ]
            return found
        if pid in _DATE_PIDS:
            return [(s, p, o) for s in subjects for p in _DATES for o in asserted.objects(s, p)]
        if pid == "P1683":
            return [
                (s, PKG.quote, q)
                for s in subjects
                for q in asserted.objects(s, PKG.quote)
                if str(value) in {str(e) for e in asserted.objects(q, OA.exact)}
            ]
        if not isinstance(value, URIRef):
            return None  # literal values (titles, counts, ordinals): not covered
        roles = [role for qpid, role in statement.qualifiers if qpid == "P3831"]
        props = (
            {p for p, r in ROLE_PROPERTIES.items() if r in roles}
            if pid == "P710" and roles
            else _PROPERTIES.get(pid, set())
        )
        return [
            (s, p, o)
            for s in subjects
            for p in props
            for o in self.nodes(value)
            if (s, p, o) in asserted
        ]

    def documents(self, triples: list[Triple]) -> dict[URIRef, set[str]]:
        """``{document: passages}`` of the assertions holding any of ``triples``."""
        found: dict[URIRef, set[str]] = {}
        for triple in triples:
            for assertion in self.stating.get(triple, ()):
                document, exact = self.passage[assertion]
                found.setdefault(document, set()).add(exact)
        return found

    def cited(self, statement: Statement) -> dict[URIRef, set[str]]:
        """``{document: quotations}`` as the statement's references give them."""
        found: dict[URIRef, set[str]] = {}
        for reference in statement.references:
            snaks = dict(reference.snaks)
            (document,) = {
                d
                for d in self.nodes(snaks["P248"])
                if (d, RDF.type, PKG.SourceDocument) in self.sources.provenance
            }
            quotes = {str(v) for pid, v in reference.snaks if pid == "P1683"}
            assert isinstance(document, URIRef)
            assert document not in found, f"two references cite {document}"
            found[document] = quotes
        return found


def _check_model(oracle: Oracle, model: WikidataModel) -> int:
    """Every covered statement cites exactly its stating documents with their passages."""
    covered = 0
    for statement in model.statements:
        triples = oracle.triples(statement)
        if triples is None:
            continue
        covered += 1
        where = (statement.subject, statement.pid, statement.value, statement.qualifiers)
        assert oracle.cited(statement) == oracle.documents(triples), where
    return covered


def _document_cells(sources: LoadedSources) -> dict[tuple[str, str], URIRef]:
    """The QuickStatements reference cells (S854 URL, S1476 title) naming each document."""
    cells: dict[tuple[str, str], URIRef] = {}
    prov = sources.provenance
    for document in prov.subjects(RDF.type, PKG.SourceDocument):
        assert isinstance(document, URIRef)
        for url in prov.objects(document, PKG.url):
            cells[("S854", f'"{url}"')] = document
        for title in prov.objects(document, PKG.title):
            language = prov.value(document, PKG.language)
            cells[("S1476", f'{language}:"{title}"')] = document
    return cells


def _check_quickstatements(oracle: Oracle, model: WikidataModel) -> dict[str, set[URIRef]]:
    """Each line cites a document stating its statement, with that document's passages
    (S1683); together the lines of a statement cite every citable stating document."""
    text, _ = quickstatements_text(model)
    cells = _document_cells(oracle.sources)
    by_head: dict[str, set[URIRef]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        first = next(i for i, cell in enumerate(parts) if cell.startswith("S"))
        head, refs = (
            "\t".join(parts[:first]),
            list(zip(parts[first::2], parts[first + 1 :: 2], strict=True)),
        )
        named = {cells[pair] for pair in refs if pair in cells}
        assert len(named) == 1, f"cites no document or several: {line}"
        (document,) = named
        quotes = {value.split(":", 1)[1][1:-1] for pid, value in refs if pid == "S1683"}
        by_head.setdefault(head, set()).add(document)
        (statement,) = [s for s in model.statements if _head(s) == head]
        triples = oracle.triples(statement)
        assert triples is not None, line
        stated = oracle.documents(triples)
        assert document in stated, line
        assert quotes == stated[document], line
    for head, documents in by_head.items():
        (statement,) = [s for s in model.statements if _head(s) == head]
        stated = oracle.documents(oracle.triples(statement) or [])
        citable = {d for d in stated if d in cells.values()}
        assert documents == citable, head
    return by_head


def _head(statement: Statement) -> str:
    """The first cells of the statement's QuickStatements lines (no qualifier without a QID)."""
    text, _ = quickstatements_text(WikidataModel(statements=[statement]))
    line = text.splitlines()[0] if text else ""
    parts = line.split("\t")
    first = next((i for i, cell in enumerate(parts) if cell.startswith("S")), len(parts))
    return "\t".join(parts[:first])


# --- the test dataset ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_case() -> tuple[Oracle, Graph, WikidataModel]:
    sources = fixture_sources()
    inferred = reason(sources.ontology, sources.asserted).inferred
    return Oracle.of(sources), inferred, statements(sources, inferred)


def test_fixture_references_are_exactly_the_stating_assertions(
    fixture_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    oracle, _, model = fixture_case
    assert _check_model(oracle, model) == len(model.statements) - 1  # all but "P1545 '4'"
    # The explainer, the only document stating these, has a title but no URL and no item:
    # an editor could not check it, so nothing is offered for upload (issue 15).
    assert _check_quickstatements(oracle, model) == {}
    assert sorted(
        (str(st.subject), st.pid, why)
        for st, why in upload(model).left_out
        if why.startswith("no citable")
    ) == [
        (str(WD.Q110999040), "P585", "no citable reference (no reference URL or source item)"),
        (str(WD.Q110999040), "P710", "no citable reference (no reference URL or source item)"),
        (str(WD.Q110999040), "P710", "no citable reference (no reference URL or source item)"),
        (str(WD.Q43), "P35", "no citable reference (no reference URL or source item)"),
        (str(WD.Q43), "P463", "no citable reference (no reference URL or source item)"),
    ]


def test_fixture_statement_only_reasoning_supports_has_no_reference_and_no_line(
    fixture_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    """Ukraine takes part in the invasion only by reasoning (pkg:party's inverse): both have
    QIDs, yet no reference and no QuickStatements line may come of it."""
    oracle, inferred, model = fixture_case
    invasion, ukraine = PKGR["russian-invasion-of-ukraine"], PKGR.ukraine
    triple = (ukraine, PKG.participatesIn, invasion)
    assert triple in inferred and triple not in oracle.sources.asserted
    assert oracle.documents([triple]) == {}
    assert oracle.documents([(invasion, PKG.party, ukraine)]) != {}
    found = [
        s
        for s in model.statements
        if (s.subject, s.pid, s.value) == (WD.Q212, "P1344", WD.Q110999040)
    ]
    assert all(not s.references for s in found)
    text, _ = quickstatements_text(model)
    assert not [line for line in text.splitlines() if line.startswith("Q212\tP1344\t")]
    # The closure's plain participant (no role) is no statement with a reference either.
    plain = [
        s
        for s in model.statements
        if (s.subject, s.pid, s.qualifiers) == (WD.Q110999040, "P710", ()) and s.references
    ]
    assert plain == []


def test_fixture_quotation_is_the_passage_not_the_nodes_own_quote(
    fixture_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    """The invasion keeps its own pkg:quote; its date's reference quotes the assertion's
    passage, the words that state the date."""
    _, _, model = fixture_case
    (date,) = [s for s in model.statements if (s.subject, s.pid) == (WD.Q110999040, "P585")]
    assert date.value == TimeValue(date.value.day, 10)  # type: ignore[union-attr]
    (reference,) = date.references
    quotes = [str(v) for pid, v in reference.snaks if pid == "P1683"]
    assert quotes == ["the full-scale invasion in February 2022"]


# --- the real graph --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_case(
    built_settings: Settings, built_store: EmbeddedStore
) -> tuple[Oracle, Graph, WikidataModel]:
    names = built_settings.graphs
    sources = stored_sources(built_store, names)
    inferred = stored_graph(built_store, names.inferred)
    return Oracle.of(sources), inferred, statements(sources, inferred)


def test_real_references_are_exactly_the_stating_assertions(
    real_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    """Every covered statement's references (documents and P1683 passages) are those of the
    assertions that hold its triples, and every QuickStatements line cites one of them."""
    oracle, _, model = real_case
    assert _check_model(oracle, model) > 400
    # No document of the real data that states something about an item has a URL or an
    # item of its own, so no line may be written (each is left out with its reason).
    assert _check_quickstatements(oracle, model) == {}


def test_real_turkey_nato_membership_cites_the_explainer_only(
    real_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    """The summary and the X post name Turkey, but only the explainer says it is in NATO."""
    oracle, _, model = real_case
    turkey, nato = PKGR.turkey, PKGR.nato
    naming = oracle.documents([(turkey, RDF.type, PKG.State)])
    assert {PKGR["source-encyclopedia-summary"], PKGR["source-diesen-post"]} <= set(naming)
    assert set(oracle.documents([(turkey, PKG.memberOf, nato)])) == {PKGR["source-explainer"]}
    left_out = {(st.subject, st.pid, st.value): why for st, why in upload(model).left_out}
    assert left_out[(WD.Q43, "P463", WD.Q7184)] == (
        "no citable reference (no reference URL or source item)"
    )
    (membership,) = [
        s for s in model.statements if (s.subject, s.pid, s.value) == (WD.Q43, "P463", WD.Q7184)
    ]
    (reference,) = membership.references
    assert dict(reference.snaks)["P248"] == PKGR["source-explainer"]


def test_real_statements_only_reasoning_supports_have_no_reference_nor_line(
    real_case: tuple[Oracle, Graph, WikidataModel],
) -> None:
    """Inferred triples (inverses such as pkg:participatesIn, pkg:hasPart) that no assertion
    states make no referenced statement and no QuickStatements line."""
    oracle, inferred, model = real_case
    asserted = oracle.sources.asserted
    by_key: dict[tuple[Node, str, object], Statement] = {
        (s.subject, s.pid, s.value): s for s in model.statements
    }
    text, _ = quickstatements_text(model)
    lines = text.splitlines()
    checked = 0
    for s, p, o in inferred:
        pid = ITEM_PROPERTIES.get(p) if isinstance(p, URIRef) else None
        if pid is None or (s, p, o) in asserted or not isinstance(o, URIRef):
            continue
        subject = oracle.links.get(s, s)
        value = oracle.links.get(o, o)
        statement = by_key.get((subject, pid, value))
        if statement is not None and oracle.documents(oracle.triples(statement) or []):
            continue  # also asserted in another form (e.g. the same item statement)
        checked += 1
        assert statement is None or not statement.references, (s, p, o)
        head = f"{str(subject).removeprefix(str(WD))}\t{pid}\t{str(value).removeprefix(str(WD))}\t"
        assert not [line for line in lines if line.startswith(head)], (s, p, o)
    assert checked > 50
