"""Sentence tables (issue 11): every sentence of both sources accounted for."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from peacekg.load import load
from peacekg.passages import DocumentText, document_texts
from peacekg.quotes import SourceText
from peacekg.sentences import (
    Sentence,
    SentenceRow,
    TableProblem,
    check_tables,
    read_table,
    split_sentences,
    table_rows,
    write_table,
)
from tests.conftest import ROOT, SEEDS

DOC = "https://w3id.org/peacekg/id/source-note"
TEXT = "Heading Without Stop\nTalks began in Minsk. Talks began in Minsk. Is this real?"
PROVENANCE = """
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix pkg: <https://w3id.org/peacekg/ontology#> .
<https://w3id.org/peacekg/assertion/note-talks> pkg:passage [
    oa:hasSource <https://w3id.org/peacekg/id/source-note> ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start 36 ; oa:end 41 ] ] .
"""


def _document() -> DocumentText:
    source = SourceText(path=Path("note.txt"), sha256="0" * 64, raw=b"", repaired=TEXT)
    return DocumentText(iri=DOC, label="A note", text=TEXT, offset=0, file=source)


def test_every_sentence_of_both_sources_is_accounted_for() -> None:
    sources = load(ROOT / "ontology", ROOT / "data", ROOT / "ontology" / "shapes.ttl")
    texts = document_texts(sources.provenance, SEEDS)
    assert check_tables(texts, sources.provenance, ROOT / "data" / "sentences") == []


def test_split_keeps_headings_apart_and_finds_repeated_sentences() -> None:
    assert split_sentences(TEXT) == [
        Sentence(0, 20, "Heading Without Stop"),
        Sentence(21, 42, "Talks began in Minsk."),
        Sentence(43, 64, "Talks began in Minsk."),
        Sentence(65, 78, "Is this real?"),
    ]


def test_rows_point_to_the_assertions_whose_passages_lie_in_them(tmp_path: Path) -> None:
    provenance = Graph().parse(data=PROVENANCE, format="turtle")
    document = _document()
    rows = table_rows(document, [(36, 41, "pkga:note-talks")], [])
    assert [(r.start, r.status, r.assertions) for r in rows] == [
        (0, "todo", ()),
        (21, "modelled", ("pkga:note-talks",)),
        (43, "todo", ()),
        (65, "todo", ()),
    ]
    path = tmp_path / "note.tsv"
    write_table(path, document, rows)
    assert read_table(path) == rows
    assert check_tables({DOC: document}, provenance, tmp_path) == [
        TableProblem(DOC, 0, "status 'todo': say what it became"),
        TableProblem(DOC, 43, "status 'todo': say what it became"),
        TableProblem(DOC, 65, "status 'todo': say what it became"),
    ]


def test_each_kind_of_unaccounted_sentence_is_named(tmp_path: Path) -> None:
    provenance = Graph().parse(data=PROVENANCE, format="turtle")
    document = _document()
    rows = [
        SentenceRow(0, 20, "Heading Without Stop", "out-of-scope", (), ""),
        SentenceRow(21, 42, "Talks began in Minsk.", "modelled", ("pkga:gone",), ""),
        SentenceRow(43, 64, "Talks began in Minsk.", "partly", (), "the repeat"),
        SentenceRow(66, 78, "s this real?", "out-of-scope", (), "a question"),
    ]
    write_table(tmp_path / "note.tsv", document, rows)
    assert check_tables({DOC: document}, provenance, tmp_path) == [
        TableProblem(DOC, 0, "out-of-scope needs a note saying why"),
        TableProblem(
            DOC,
            21,
            "assertions ['pkga:gone'] but the passages in it are ['pkga:note-talks']: "
            "run `peacekg sentences --write`",
        ),
        TableProblem(DOC, 43, "partly but no assertion lies in it"),
        TableProblem(DOC, 65, "sentence missing: 'Is this real?'"),
        TableProblem(DOC, 66, "no such sentence (offsets moved?)"),
    ]
    assert check_tables({DOC: document}, provenance, tmp_path / "none") == [
        TableProblem(DOC, 0, "no sentence table note.tsv"),
    ]
