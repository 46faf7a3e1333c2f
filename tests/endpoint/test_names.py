"""The one-pass name scan (guard.names) gives what the token stream gives (issue 18).

The endpoint checks prefixes and FROM from one scan instead of three tokenizer passes; these
tests hold it to the tokens: exact names on the tricky cases, and agreement with a reading of
``tokens()`` on every query of the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacekg.web.guard import Name, Names, names, tokens
from peacekg.web.prefixes import PREFIXES, missing_prologue
from peacekg.web.wdqs import WdqsError, check_prefixes

ROOT = Path(__file__).resolve().parents[2]


def _from_tokens(text: str) -> Names:
    """The same facts read from the full token stream (the reference)."""
    toks = list(tokens(text))
    found: list[Name] = []
    has_from = False
    for index, token in enumerate(toks):
        if token.kind != "name":
            continue
        has_from = has_from or token.keyword == "FROM"
        after = index > 0 and toks[index - 1].keyword == "PREFIX"
        if ":" in token.text or after:
            following = toks[index + 1] if index + 1 < len(toks) else None
            iri = following.text[1:-1] if after and following and following.kind == "iri" else None
            found.append(Name(token.text, token.start, after, iri))
    return Names(found, has_from)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "PREFIX ex: <http://e/> SELECT * { ?s ex:p wd:Q1 . }",
            Names(
                [
                    Name("ex:", 7, True, "http://e/"),
                    Name("ex:p", 37, False),
                    Name("wd:Q1", 42, False),
                ],
                False,
            ),
        ),
        # A comment between PREFIX and its name is no token: still a declaration.
        (
            "PREFIX # c\n ex: <http://e/> ASK {}",
            Names([Name("ex:", 12, True, "http://e/")], False),
        ),
        # Punctuation between them is a token: not a declaration.
        ("PREFIX { ex: <http://e/>", Names([Name("ex:", 9, False)], False)),
        # Trailing dots are not part of a name; names in strings, IRIs, comments do not count.
        (
            "SELECT * { ?s pkg:p pkg:o. 'skos:x' <rdfs:y> } # owl:z",
            Names([Name("pkg:p", 14, False), Name("pkg:o", 20, False)], False),
        ),
        ("SELECT * FROM <http://g/> { ?s ?p ?o }", Names([], True)),
        ("SELECT * { ?s ?p 'FROM' } # from", Names([], False)),
        ("select ?from { ?from ?p ?o }", Names([], False)),
    ],
)
def test_names_of_tricky_texts(text: str, expected: Names) -> None:
    assert names(text) == expected
    assert _from_tokens(text) == expected


def _queries() -> list[Path]:
    return sorted(ROOT.glob("queries/**/*.rq"))


@pytest.mark.parametrize("path", _queries(), ids=lambda p: p.name)
def test_names_agree_with_tokens_on_the_catalogue(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert names(text) == _from_tokens(text)


def test_prologue_and_prefix_check_from_one_scan() -> None:
    text = "PREFIX ex: <http://e/> SELECT * { ?s ex:p pkg:x ; rdfs:label ?l }"
    found = names(text)
    assert missing_prologue(text, found) == (
        f"PREFIX pkg: <{PREFIXES['pkg']}> PREFIX rdfs: <{PREFIXES['rdfs']}> "
    )
    check_prefixes(text, found)
    unknown = "SELECT * {\n ?s nope:p ?o }"
    with pytest.raises(WdqsError, match=r"unknown prefix nope: in 'nope:p' at line 2, column 5"):
        check_prefixes(unknown, names(unknown))
