"""Passages: where each assertion's words are in its own document part, found and verified.

Every assertion names its passage as a Web Annotation target (``pkg:passage``): the source
document, a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end)
counting characters of that document's repaired text. A document that is part of a compiled
file (the summary, the X post, the reply) is only its own span of that file (``pkg:textSpan``),
so a quote moved to another part fails here even though it is in the same file.

:func:`find_passages` is what ``peacekg passage`` runs for a curator; :func:`check_passages`
is the build's quote check for assertions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from peacekg.load import ALIGNMENT_GRAPH, ASSERTED_GRAPH, PROVENANCE_GRAPH, LoadedSources
from peacekg.namespaces import PKG
from peacekg.quotes import QuoteProblem, SourceText, check_quotes, load_sources
from peacekg.store import GraphsView, select_rows

__all__ = [
    "CONTEXT_WIDTH",
    "DocumentText",
    "Passage",
    "PassageProblem",
    "check_passages",
    "document_texts",
    "find_passages",
    "verify_quotes",
]

#: Characters of context kept as oa:prefix / oa:suffix (cut at the document's edges).
CONTEXT_WIDTH = 32

_DOCUMENTS = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?doc ?sha ?start ?end ?label ?whole WHERE {
    ?doc a pkg:SourceDocument ; pkg:sha256 ?sha .
    OPTIONAL { ?doc pkg:textSpan ?span . ?span oa:start ?start ; oa:end ?end }
    OPTIONAL { ?doc rdfs:label ?label }
    OPTIONAL { ?part pkg:partOf ?doc . BIND (true AS ?whole) }
}
"""

_PASSAGES = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?assertion ?doc ?derived ?exact ?prefix ?suffix ?start ?end WHERE {
    ?assertion pkg:passage ?passage .
    OPTIONAL { ?assertion prov:wasDerivedFrom ?derived }
    OPTIONAL { ?passage oa:hasSource ?doc }
    OPTIONAL { ?passage oa:hasSelector ?quote . ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
               OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix } }
    OPTIONAL { ?passage oa:hasSelector ?position . ?position a oa:TextPositionSelector ;
               oa:start ?start ; oa:end ?end }
}
"""


@dataclass(frozen=True)
class DocumentText:
    """The repaired text of one source document (a whole file, or its part's span)."""

    iri: str
    label: str
    text: str
    #: Where ``text`` starts in the repaired text of its file.
    offset: int
    file: SourceText
    #: True for a compilation that has parts: quotes belong in a part, not in it.
    has_parts: bool = False


@dataclass(frozen=True, order=True)
class Passage:
    """One occurrence of a quote in one document, with everything a selector needs."""

    document: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str

    def trig(self, assertion: str = "pkga:NAME") -> str:
        """The provenance a curator pastes next to the assertion graph ``assertion``."""
        return (
            f"{assertion} a pkg:StatedAssertion ;\n"
            f"    prov:wasDerivedFrom {_curie(self.document)} ;\n"
            f"    pkg:passage [ oa:hasSource {_curie(self.document)} ;\n"
            f"        oa:hasSelector [ a oa:TextQuoteSelector ;\n"
            f"            oa:exact {_turtle_string(self.exact)} ;\n"
            f"            oa:prefix {_turtle_string(self.prefix)} ;\n"
            f"            oa:suffix {_turtle_string(self.suffix)} ] ,\n"
            f"          [ a oa:TextPositionSelector ; oa:start {self.start} ; "
            f"oa:end {self.end} ] ] .\n"
        )


@dataclass(frozen=True, order=True)
class PassageProblem:
    """An assertion whose passage is not verified in its own document."""

    assertion: str
    document: str
    exact: str
    reason: str


def _curie(iri: str) -> str:
    base = str(PKG).replace("ontology#", "id/")
    return f"pkgr:{iri[len(base) :]}" if iri.startswith(base) else f"<{iri}>"


def _turtle_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def document_texts(
    documents: Graph | GraphsView, sources_dir: Path, files: dict[str, SourceText] | None = None
) -> dict[str, DocumentText]:
    """Every source document in ``documents`` whose file is in ``sources_dir``, by IRI
    (``files``: the files already read from it)."""
    files = files if files is not None else load_sources(sources_dir)
    texts: dict[str, DocumentText] = {}
    for row in select_rows(documents, _DOCUMENTS):
        doc, sha, start, end, label, whole = row
        source = files.get(str(sha).lower())
        if source is None:
            continue
        first = int(start) if isinstance(start, Literal) else 0
        last = int(end) if isinstance(end, Literal) else len(source.repaired)
        previous = texts.get(str(doc))
        texts[str(doc)] = DocumentText(
            iri=str(doc),
            label=str(label) if label is not None else str(doc),
            text=source.repaired[first:last],
            offset=first,
            file=source,
            has_parts=bool(whole) or (previous is not None and previous.has_parts),
        )
    return texts


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT_WIDTH) : start], text[end : end + CONTEXT_WIDTH]


def find_passages(texts: dict[str, DocumentText], quote: str) -> list[Passage]:
    """Every occurrence of ``quote`` in every document that is not split into parts."""
    found: list[Passage] = []
    if not quote:
        return found
    for iri, document in sorted(texts.items()):
        if document.has_parts:
            continue
        start = document.text.find(quote)
        while start >= 0:
            end = start + len(quote)
            prefix, suffix = _context(document.text, start, end)
            found.append(Passage(iri, start, end, quote, prefix, suffix))
            start = document.text.find(quote, start + 1)
    return sorted(found)


def _where_else(texts: dict[str, DocumentText], exact: str, document: str) -> str:
    others = sorted(p.document for p in find_passages(texts, exact) if p.document != document)
    return f"; it is in <{others[0]}>" if others else ""


def _problem(
    texts: dict[str, DocumentText],
    document: str,
    exact: str,
    prefix: str,
    suffix: str,
    start: int | None,
    end: int | None,
) -> str | None:
    """Why the passage does not verify, or None when it does."""
    text = texts[document]
    if text.has_parts:
        return "the document is split into parts: cite the part the words are in"
    if exact not in text.text:
        return "quote not found in its document" + _where_else(texts, exact, document)
    if start is None or end is None:
        return "no oa:TextPositionSelector (oa:start, oa:end)"
    if text.text[start:end] != exact:
        actual = [p.start for p in find_passages({document: text}, exact)]
        return f"oa:start {start} / oa:end {end} do not select the quote (it starts at {actual})"
    if text.text[max(0, start - len(prefix)) : start] != prefix:
        return "oa:prefix is not the text before the quote"
    if text.text[end : end + len(suffix)] != suffix:
        return "oa:suffix is not the text after the quote"
    return None


def check_passages(
    provenance: Graph | GraphsView, texts: dict[str, DocumentText]
) -> list[PassageProblem]:
    """Verify every assertion's passage verbatim, in place, in its own document.

    Problems are sorted by assertion IRI. Shape errors (no selector at all) are SHACL's to
    report; this names what only the stored texts can tell.
    """
    problems: set[PassageProblem] = set()
    for row in select_rows(provenance, _PASSAGES):
        assertion, doc, derived, exact, prefix, suffix, start, end = row
        name = str(assertion)
        document = str(doc) if isinstance(doc, URIRef) else ""
        quote = str(exact) if exact is not None else ""
        if not document or not quote:
            continue
        if derived is not None and str(derived) != document:
            reason = f"prov:wasDerivedFrom <{derived}> is not the passage's source"
            problems.add(PassageProblem(name, document, quote, reason))
        if document not in texts:
            problems.add(PassageProblem(name, document, quote, "no stored text for the document"))
            continue
        reason_or_none = _problem(
            texts,
            document,
            quote,
            str(prefix or ""),
            str(suffix or ""),
            int(start) if isinstance(start, Literal) else None,
            int(end) if isinstance(end, Literal) else None,
        )
        if reason_or_none is not None:
            problems.add(PassageProblem(name, document, quote, reason_or_none))
    return sorted(problems)


def verify_quotes(sources: LoadedSources, sources_dir: Path) -> list[QuoteProblem]:
    """The build's quote check: every assertion's passage, and every claim's own quote.

    A claim (or provision, response) keeps the words it quotes in ``pkg:quote``; those must
    be in its ``pkg:statedIn`` part, as the passage of the assertion stating it must.
    """
    files = load_sources(sources_dir)
    dataset = sources.asserted_graph()  # queried in place: no rdflib copy of the sources
    provenance = GraphsView(dataset, (PROVENANCE_GRAPH,))
    curated = GraphsView(dataset, (ASSERTED_GRAPH, PROVENANCE_GRAPH, ALIGNMENT_GRAPH))
    texts = document_texts(provenance, sources_dir, files)
    problems = [
        QuoteProblem(p.assertion, p.exact, p.document, p.reason)
        for p in check_passages(provenance, texts)
    ]
    problems += check_quotes(curated, sources_dir, files)
    return sorted(set(problems), key=lambda p: (p.claim, p.quote, p.source, p.reason))
