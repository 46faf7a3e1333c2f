"""Sentence tables: every sentence of every source document, and what it became (issue 11).

Coverage is only measurable sentence by sentence. For each document part a table
``data/sentences/<part>.tsv`` lists every sentence that pysbd (a maintained rule-based sentence
splitter) finds in the part's repaired text, by character offsets, with a few opening words to
find it by (never the whole sentence: the project keeps short quotes only), the assertions whose
passages lie in it, and a curator's status: ``modelled``, ``partly`` or ``out-of-scope``, with a
note saying what is left out and why wherever the status is not ``modelled``.

The assertions column is derived (``peacekg sentences --write`` fills it from the passages); the
status and note columns are the curator's and are kept when the tables are rewritten.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pysbd
from rdflib import Graph, Literal

from peacekg.passages import DocumentText

__all__ = [
    "SENTENCES_DIR",
    "STATUSES",
    "Sentence",
    "SentenceRow",
    "TableProblem",
    "check_tables",
    "coverage",
    "passage_spans",
    "read_table",
    "refreshed",
    "split_sentences",
    "table_path",
    "table_rows",
    "write_table",
]

#: The folder of ``data_dir`` that holds the sentence tables.
SENTENCES_DIR = "sentences"
#: What a curator says of a sentence.
STATUSES = ("modelled", "partly", "out-of-scope", "todo")
_COLUMNS = ["start", "end", "opening", "status", "assertions", "note"]
_OPENING_WORDS = 6

_PASSAGE_SPANS = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?assertion ?doc ?start ?end WHERE {
    ?assertion pkg:passage ?passage .
    ?passage oa:hasSource ?doc ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
"""


@dataclass(frozen=True, order=True)
class Sentence:
    """One sentence of a document: its span in the document's repaired text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SentenceRow:
    """One row of a sentence table."""

    start: int
    end: int
    opening: str
    status: str
    assertions: tuple[str, ...]
    note: str


@dataclass(frozen=True, order=True)
class TableProblem:
    """A row (or a missing row) that does not account for its sentence."""

    document: str
    start: int
    problem: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their offsets; a line break always ends a sentence.

    pysbd segments each line (headings and paragraphs are lines in these texts); each segment
    is then found in the text from where the previous one ended, so offsets are exact even
    when a sentence recurs.
    """
    segmenter = pysbd.Segmenter(language="en", clean=False)
    sentences: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        cursor = 0
        for segment in segmenter.segment(line) if line.strip() else []:
            stripped = segment.strip()
            if not stripped:
                continue
            start = line.index(stripped, cursor)
            cursor = start + len(stripped)
            sentences.append(Sentence(offset + start, offset + cursor, stripped))
        offset += len(line) + 1
    return sentences


def table_path(tables_dir: Path, document: str) -> Path:
    """``<tables_dir>/<part>.tsv`` for ``…/id/source-<part>``."""
    return tables_dir / f"{document.rsplit('/', 1)[-1].removeprefix('source-')}.tsv"


def _curie(iri: str) -> str:
    return "pkga:" + iri.rsplit("/", 1)[-1]


def passage_spans(provenance: Graph) -> dict[str, list[tuple[int, int, str]]]:
    """Document IRI -> (start, end, assertion CURIE) of every passage in it."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for row in provenance.query(_PASSAGE_SPANS):
        assertion, doc, start, end = row  # type: ignore[misc]
        if isinstance(start, Literal) and isinstance(end, Literal):
            spans.setdefault(str(doc), []).append((int(start), int(end), _curie(str(assertion))))
    return spans


def _assertions_in(sentence: Sentence, spans: Iterable[tuple[int, int, str]]) -> tuple[str, ...]:
    """The assertions whose passage overlaps the sentence."""
    return tuple(
        sorted(
            {name for start, end, name in spans if start < sentence.end and sentence.start < end}
        )
    )


def read_table(path: Path) -> list[SentenceRow]:
    """The rows of one table (``#`` lines are comments)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    rows = []
    for record in csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"):
        rows.append(
            SentenceRow(
                start=int(record["start"]),
                end=int(record["end"]),
                opening=record["opening"],
                status=record["status"],
                assertions=tuple(record["assertions"].split()),
                note=record["note"] or "",
            )
        )
    return rows


def table_rows(
    document: DocumentText, spans: list[tuple[int, int, str]], previous: list[SentenceRow]
) -> list[SentenceRow]:
    """The table of ``document`` as it should be: derived columns recomputed, the curator's
    status and note kept for the sentences they were written for."""
    kept = {(row.start, row.end): row for row in previous}
    rows = []
    for sentence in split_sentences(document.text):
        assertions = _assertions_in(sentence, spans)
        opening = " ".join(sentence.text.split()[:_OPENING_WORDS])
        old = kept.get((sentence.start, sentence.end))
        status = old.status if old else ("todo" if not assertions else "modelled")
        note = old.note if old else ""
        rows.append(SentenceRow(sentence.start, sentence.end, opening, status, assertions, note))
    return rows


def write_table(path: Path, document: DocumentText, rows: list[SentenceRow]) -> None:
    """Write one table with a header that says what it is."""
    out = io.StringIO()
    out.write(
        f"# Every sentence of <{document.iri}> ({document.label}), as pysbd splits its repaired\n"
        "# text: character offsets, the opening words, what it became (the assertions whose\n"
        "# passages lie in it) and the curator's status: modelled, partly or out-of-scope (the\n"
        "# note says what is left out and why). `peacekg sentences --write` recomputes the\n"
        "# offsets and assertions and keeps status and note.\n"
    )
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(_COLUMNS)
    for row in rows:
        writer.writerow(
            [row.start, row.end, row.opening, row.status, " ".join(row.assertions), row.note]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


def check_tables(
    texts: dict[str, DocumentText], provenance: Graph, tables_dir: Path
) -> list[TableProblem]:
    """Every sentence of every document part accounted for, pointing only to what exists."""
    spans = passage_spans(provenance)
    problems: list[TableProblem] = []
    for iri, document in sorted(texts.items()):
        if document.has_parts:
            continue
        path = table_path(tables_dir, iri)
        if not path.is_file():
            problems.append(TableProblem(iri, 0, f"no sentence table {path.name}"))
            continue
        actual = read_table(path)
        expected = table_rows(document, spans.get(iri, []), actual)
        by_span = {(row.start, row.end) for row in actual}
        for row in expected:
            if (row.start, row.end) not in by_span:
                problems.append(TableProblem(iri, row.start, f"sentence missing: {row.opening!r}"))
        wanted = {(row.start, row.end): row for row in expected}
        for row in actual:
            should = wanted.get((row.start, row.end))
            if should is None:
                problems.append(TableProblem(iri, row.start, "no such sentence (offsets moved?)"))
                continue
            if row.assertions != should.assertions:
                problems.append(
                    TableProblem(
                        iri,
                        row.start,
                        f"assertions {list(row.assertions)} but the passages in it are "
                        f"{list(should.assertions)}: run `peacekg sentences --write`",
                    )
                )
            problems.extend(_status_problems(iri, row))
    return sorted(problems)


def _status_problems(iri: str, row: SentenceRow) -> list[TableProblem]:
    if row.status not in STATUSES or row.status == "todo":
        return [TableProblem(iri, row.start, f"status {row.status!r}: say what it became")]
    if row.status in {"modelled", "partly"} and not row.assertions:
        return [TableProblem(iri, row.start, f"{row.status} but no assertion lies in it")]
    if row.status in {"partly", "out-of-scope"} and not row.note.strip():
        return [TableProblem(iri, row.start, f"{row.status} needs a note saying why")]
    return []


def coverage(tables_dir: Path, documents: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per document: how many sentences have each status (for ``peacekg stats``)."""
    result: dict[str, dict[str, int]] = {}
    for iri in sorted(documents):
        path = table_path(tables_dir, iri)
        if not path.is_file():
            continue
        counts = dict.fromkeys(STATUSES, 0)
        for row in read_table(path):
            counts[row.status] = counts.get(row.status, 0) + 1
        result[iri] = counts
    return result


def refreshed(
    texts: dict[str, DocumentText], provenance: Graph, tables_dir: Path
) -> dict[Path, tuple[DocumentText, list[SentenceRow]]]:
    """Every table as ``peacekg sentences --write`` would write it."""
    spans = passage_spans(provenance)
    tables = {}
    for iri, document in sorted(texts.items()):
        if document.has_parts:
            continue
        path = table_path(tables_dir, iri)
        previous = read_table(path) if path.is_file() else []
        tables[path] = (document, table_rows(document, spans.get(iri, []), previous))
    return tables
