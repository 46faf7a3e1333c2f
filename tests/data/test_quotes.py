"""Tests for peacekg.quotes: mojibake repair, source loading, the quote check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib

from peacekg.quotes import (
    REASON_CONTEXT,
    REASON_NO_HASH,
    REASON_NO_SOURCE,
    REASON_NO_TEXT,
    REASON_NOT_FOUND,
    QuoteProblem,
    check_quotes,
    load_sources,
    quote_context,
    repair_text,
)
from tests.conftest import SEEDS

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_SOURCES = FIXTURES / "sources"
FIXTURE_SHA = "70d6ca66cc72931cce7fa748e2ef4757be73ba20d81e7851430507229c1e135a"
SOURCES_DIR = SEEDS
ID = "https://w3id.org/peacekg/id/"


def test_repair_text_fixes_latin1_and_windows1250_mojibake() -> None:
    raw = (FIXTURE_SOURCES / "talks.txt").read_text(encoding="utf-8")
    repaired = repair_text(raw)
    assert "President Erdoğan offered" in repaired
    assert "Secretary-General António Guterres" in repaired
    assert "over café au lait." in repaired
    assert "Ä" not in repaired and "Ă" not in repaired and "Ã" not in repaired


def test_repair_text_keeps_typography() -> None:
    """Curly quotes, dashes and legitimate accents must survive: quotes are verbatim."""
    text = "“consider[ing] far-reaching concessions” – Erdoğan, Communiqué — it’s"
    assert repair_text(text) == text


def test_repair_text_on_seed_documents() -> None:
    sources = load_sources(SOURCES_DIR)
    assert len(sources) == 2
    article = next(s for s in sources.values() if "Current Status" in s.repaired)
    assert "President Erdoğan has been consistently proactive" in article.repaired
    assert "Secretary-General António Guterres" in article.repaired
    for source in sources.values():
        assert not {"Ä", "Ă", "Ã"} & set(source.repaired)


def test_load_sources_keys_by_sha256_of_raw_bytes() -> None:
    sources = load_sources(FIXTURE_SOURCES)
    assert list(sources) == [FIXTURE_SHA]
    source = sources[FIXTURE_SHA]
    assert source.path == FIXTURE_SOURCES / "talks.txt"
    assert hashlib.sha256(source.raw).hexdigest() == FIXTURE_SHA
    assert source.repaired.startswith("Talks in Istanbul\n")


def test_quote_context() -> None:
    text = "abcdefghij"
    assert quote_context(text, "def", 2) == ("bc", "gh")
    assert quote_context(text, "abc", 5) == ("", "defgh")
    with pytest.raises(ValueError, match="not in text"):
        quote_context(text, "xyz")
    with pytest.raises(ValueError, match="empty"):
        quote_context(text, "")


def _graph(turtle: str) -> rdflib.Graph:
    prefixes = f"""
        @prefix pkg: <https://w3id.org/peacekg/ontology#> .
        @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix pkgr: <{ID}> .
        pkgr:src-talks a pkg:SourceDocument ; pkg:sha256 "{FIXTURE_SHA}" .
        pkgr:src-elsewhere a pkg:SourceDocument ; pkg:sha256 "{"0" * 64}" .
        pkgr:src-unhashed a pkg:SourceDocument .
    """
    return rdflib.Graph().parse(data=prefixes + turtle, format="turtle")


GOOD = """
    pkgr:claim-venue pkg:statedIn pkgr:src-talks ;
        pkg:quote [ oa:exact "President Erdoğan offered Istanbul as a venue." ] .
    pkgr:claim-concessions pkg:statedIn pkgr:src-talks ;
        pkg:quote [ oa:exact "“consider[ing] far-reaching concessions”" ] .
"""


def test_check_quotes_good_graph_gives_no_problems() -> None:
    assert check_quotes(_graph(GOOD), FIXTURE_SOURCES) == []


def test_check_quotes_names_claim_and_quote() -> None:
    bad = """
        pkgr:claim-mojibake pkg:statedIn pkgr:src-talks ;
            pkg:quote [ oa:exact "President ErdoÄźan offered" ] .
        pkgr:claim-straight pkg:statedIn pkgr:src-talks ;
            pkg:quote [ oa:exact "\\"consider[ing] far-reaching concessions\\"" ] .
        pkgr:claim-elsewhere pkg:statedIn pkgr:src-elsewhere ;
            pkg:quote [ oa:exact "called for peace" ] .
        pkgr:claim-unhashed pkg:statedIn pkgr:src-unhashed ;
            pkg:quote [ oa:exact "called for peace" ] .
        pkgr:claim-unsourced pkg:quote [ oa:exact "called for peace" ] .
    """
    assert check_quotes(_graph(GOOD + bad), FIXTURE_SOURCES) == [
        QuoteProblem(
            f"{ID}claim-elsewhere", "called for peace", f"{ID}src-elsewhere", REASON_NO_TEXT
        ),
        QuoteProblem(
            f"{ID}claim-mojibake", "President ErdoÄźan offered", f"{ID}src-talks", REASON_NOT_FOUND
        ),
        QuoteProblem(
            f"{ID}claim-straight",
            '"consider[ing] far-reaching concessions"',
            f"{ID}src-talks",
            REASON_NOT_FOUND,
        ),
        QuoteProblem(
            f"{ID}claim-unhashed", "called for peace", f"{ID}src-unhashed", REASON_NO_HASH
        ),
        QuoteProblem(f"{ID}claim-unsourced", "called for peace", "", REASON_NO_SOURCE),
    ]


def test_check_quotes_verifies_prefix_and_suffix() -> None:
    text = repair_text((FIXTURE_SOURCES / "talks.txt").read_text(encoding="utf-8"))
    prefix, suffix = quote_context(text, "offered Istanbul", 10)
    assert (prefix, suffix) == ("t Erdoğan ", " as a venu")
    selectors = f"""
        pkgr:claim-anchored pkg:statedIn pkgr:src-talks ;
            pkg:quote [ oa:prefix "{prefix}" ; oa:exact "offered Istanbul" ;
                        oa:suffix "{suffix}" ] .
        pkgr:claim-misanchored pkg:statedIn pkgr:src-talks ;
            pkg:quote [ oa:exact "offered Istanbul" ; oa:suffix " as a summit" ] .
    """
    assert check_quotes(_graph(selectors), FIXTURE_SOURCES) == [
        QuoteProblem(f"{ID}claim-misanchored", "offered Istanbul", f"{ID}src-talks", REASON_CONTEXT)
    ]
