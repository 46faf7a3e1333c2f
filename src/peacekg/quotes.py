"""Source texts, mojibake repair and the verbatim-quote check.

PeaceKG keeps only short quotes from its source documents; the documents
themselves stay outside the repository (issue 4, "Quote check"). This module
reads them, repairs their mojibake with ftfy, and checks that every quote in
the graph is a verbatim substring of the repaired text of the document it is
attributed to. Source nodes are matched to files by the SHA-256 of the raw
file bytes, so the data never names a file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import ftfy
import rdflib
from ftfy.chardata import CHARMAP_ENCODINGS

from peacekg.store import GraphsView, select_rows

__all__ = [
    "REPAIR_CONFIG",
    "QuoteProblem",
    "SourceText",
    "check_quotes",
    "load_sources",
    "quote_context",
    "repair_text",
]

# Only encoding repairs are wanted: every typographic "cleanup" would make the
# repaired text differ from what the document shows, and quotes must stay
# verbatim. So curly quotes, ligatures and full-width forms are kept
# (ftfy's defaults would straighten or fold them), NFC normalisation stays
# (it changes no visible character and makes substring tests stable).
REPAIR_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)

#: Reasons reported in :class:`QuoteProblem`.
REASON_NOT_FOUND = "quote not found in source text"
REASON_NO_TEXT = "source document has no text in sources dir"
REASON_NO_HASH = "source has no SHA-256"
REASON_NO_SOURCE = "quote has no source document"
REASON_CONTEXT = "quote found, but not with its prefix/suffix"

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


@dataclass(frozen=True)
class SourceText:
    """One source document as read from the sources directory."""

    path: Path
    sha256: str
    raw: bytes
    repaired: str


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that cannot be verified against its source document.

    ``claim`` is the IRI of the node that carries the quote, ``source`` the
    IRI of the source document it is attributed to (empty when it has none).
    """

    claim: str
    quote: str
    source: str
    reason: str


def _redecode_run(run: str) -> str:
    """Undo one mojibake run that ftfy's heuristic did not flag.

    ftfy only attempts a re-decode when its badness heuristic fires, and
    UTF-8 read as windows-1250 ("ErdoÄźan" for "Erdoğan", "AntĂłnio" for
    "António") looks like plausible Central European text to it. We therefore
    try ftfy's own plans (encode with one of its single-byte charmaps, decode
    as UTF-8) on each run of non-ASCII characters, and accept a plan only if
    the bytes are strict UTF-8 and decode to letters alone. Legitimate text
    almost never re-encodes to valid multi-byte UTF-8, and ftfy's codecs do
    the work, so no hand-written replacement table is involved.
    """
    for encoding in CHARMAP_ENCODINGS:
        try:
            candidate = ftfy.apply_plan(run, [("encode", encoding), ("decode", "utf-8")])
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if candidate != run and all(
            unicodedata.category(ch).startswith(("L", "M")) for ch in candidate
        ):
            return candidate
    return run


def repair_text(text: str) -> str:
    """Repair mojibake in ``text`` and change nothing else.

    First ftfy.fix_text with :data:`REPAIR_CONFIG` (encoding fixes only, see
    there), then a pass over non-ASCII runs for the mojibake ftfy detects
    only when told the encoding (see :func:`_redecode_run`). NFC-normalised
    so that quotes typed in composed form match.
    """
    fixed = ftfy.fix_text(text, REPAIR_CONFIG)
    fixed = _NON_ASCII_RUN.sub(lambda match: _redecode_run(match.group(0)), fixed)
    return unicodedata.normalize("NFC", fixed)


def load_sources(sources_dir: Path) -> dict[str, SourceText]:
    """Read every ``*.txt`` in ``sources_dir``, keyed by SHA-256 of its bytes.

    The hash is taken over the raw bytes (before decoding and repair) so it
    identifies the file as published, independent of our repair.
    """
    sources: dict[str, SourceText] = {}
    for path in sorted(sources_dir.glob("*.txt")):
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        repaired = repair_text(raw.decode("utf-8", errors="strict"))
        sources[digest] = SourceText(path=path, sha256=digest, raw=raw, repaired=repaired)
    return sources


def quote_context(text: str, exact: str, width: int = 32) -> tuple[str, str]:
    """Return up to ``width`` characters before and after ``exact`` in ``text``.

    Fills a Web Annotation TextQuoteSelector's prefix and suffix. Uses the
    first occurrence, as the selector spec resolves ambiguity by context.

    Raises:
        ValueError: if ``exact`` is empty or not in ``text``.
    """
    if not exact:
        raise ValueError("exact must not be empty")
    start = text.find(exact)
    if start < 0:
        raise ValueError(f"quote not in text: {exact!r}")
    end = start + len(exact)
    return text[max(0, start - width) : start], text[end : end + width]


# ontology/README.md, "Quote design": a node points with pkg:quote to a pkg:Quote (a Web
# Annotation TextQuoteSelector) holding oa:exact and optionally oa:prefix / oa:suffix; the document
# the quote selects from is the node's pkg:statedIn, which carries the SHA-256 of its stored text.
# Only asserted predicates are used, because the pipeline checks quotes before reasoning.
_QUOTES_QUERY = """
PREFIX pkg: <https://w3id.org/peacekg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?claim ?quote ?prefix ?suffix ?source ?sha ?start ?end WHERE {
    ?claim pkg:quote ?selector .
    ?selector oa:exact ?quote .
    OPTIONAL { ?selector oa:prefix ?prefix }
    OPTIONAL { ?selector oa:suffix ?suffix }
    OPTIONAL { ?claim pkg:statedIn ?source .
               OPTIONAL { ?source pkg:sha256 ?sha }
               OPTIONAL { ?source pkg:textSpan ?span . ?span oa:start ?start ; oa:end ?end } }
}
"""


def _text(term: object) -> str | None:
    """The lexical form of an optional SPARQL binding."""
    return None if term is None else str(term)


def check_quotes(
    graph: rdflib.Graph | GraphsView, sources_dir: Path, texts: dict[str, SourceText] | None = None
) -> list[QuoteProblem]:
    """List every quote in ``graph`` that is not verbatim in its source text.

    A quote must occur in the repaired text of the document named by the
    quoting node's ``pkg:statedIn`` (only in its ``pkg:textSpan`` when the document
    is part of a compiled file); where the selector has ``oa:prefix`` or
    ``oa:suffix``, prefix + exact + suffix must occur as one string. An empty
    list means every quote was found. Problems are sorted by claim IRI, then
    quote, so that callers and tests get a stable order. ``texts`` are the files already
    read from ``sources_dir`` (:func:`load_sources`), to read and repair them once.
    """
    sources = texts if texts is not None else load_sources(sources_dir)
    problems: set[QuoteProblem] = set()
    for row in select_rows(graph, _QUOTES_QUERY):
        claim, quote, prefix, suffix, source, sha, start, end = (_text(term) for term in row)
        if claim is None or quote is None:  # both are required by the pattern
            continue
        text = sources[sha.lower()].repaired if sha is not None and sha.lower() in sources else ""
        if start is not None and end is not None:
            text = text[int(start) : int(end)]
        if source is None:
            problems.add(QuoteProblem(claim, quote, "", REASON_NO_SOURCE))
        elif sha is None:
            problems.add(QuoteProblem(claim, quote, source, REASON_NO_HASH))
        elif sha.lower() not in sources:
            problems.add(QuoteProblem(claim, quote, source, REASON_NO_TEXT))
        elif f"{prefix or ''}{quote}{suffix or ''}" not in text:
            reason = REASON_NOT_FOUND if quote not in text else REASON_CONTEXT
            problems.add(QuoteProblem(claim, quote, source, reason))
    return sorted(problems, key=lambda p: (p.claim, p.quote, p.source, p.reason))
