"""The row cap as a LIMIT in the query text, so Oxigraph stops where the cap does (issue 18).

The worker serialises SELECT results with Oxigraph's own serializers, which take the whole
solution sequence; to keep reading bounded by ``max_rows`` (issue 13) the query itself asks
for at most one row more than the cap (the extra row tells that the cap was hit). A top-level
``LIMIT`` already under the cap is kept as it is; a larger one is lowered; without one,
``LIMIT cap+1`` goes after the solution modifiers, before a trailing ``VALUES`` block, as the
grammar orders them (SPARQL 1.1 section 19.8, rules 7, 18 and 28).

The scan is lexical, like :mod:`peacekg.web.guard`'s: comments, strings, IRIs and language
tags are skipped and braces counted, so a ``LIMIT`` inside a sub-query or a string is never
taken for the query's own. A text it cannot read with certainty (codepoint escapes, a
``LIMIT`` not followed by digits) is left alone: the worker then reads the rows unbounded
by the text and still applies the cap itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEXEME = re.compile(
    r"""
    (?P<skip>\#[^\n\r]*
      |<[^<>"{}|^`\\\x00-\x20]*>
      |'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
      |@[A-Za-z]+(?:-[A-Za-z0-9]+)*
      |[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<word>(?:[^\W\d]|_)[\w\-.\u00b7]*(?::(?:[\w\-.:%\u00b7]|\\.)*)?|:(?:[\w\-.:%\u00b7]|\\.)*)
    """,
    re.VERBOSE | re.DOTALL,
)
_DIGITS = re.compile(r"\s*(\d+)")
_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})


@dataclass(frozen=True)
class Limited:
    """A SELECT query whose text asks for at most ``max_rows + 1`` rows.

    Attributes:
        text: the query, with its LIMIT lowered or added (or as it was).
        within_cap: the query's own LIMIT is at most the cap: no result of it is ever cut.
    """

    text: str
    within_cap: bool


def limit_rows(text: str, max_rows: int) -> Limited | None:
    """``text`` bounded to ``max_rows + 1`` rows, or None when it is no SELECT read for sure."""
    if "\\u" in text or "\\U" in text:
        return None  # an escaped keyword would escape this scan (SPARQL 19.2)
    depth = 0
    form: str | None = None
    after_body = False  # the WHERE clause's group closed: solution modifiers may follow
    limit_end: int | None = None
    values_start: int | None = None
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            after_body = after_body or depth == 0
        elif kind == "word" and depth == 0:
            word = match.group(0).upper()
            if form is None:
                if word in _FORMS:
                    form = word
                    if form != "SELECT":
                        return None
                continue
            if not after_body:
                continue
            if word == "LIMIT" and limit_end is None:
                limit_end = match.end()
            elif word == "VALUES" and values_start is None:
                values_start = match.start()
    if form is None or not after_body:
        return None
    cap = max_rows + 1
    if limit_end is not None:
        digits = _DIGITS.match(text, limit_end)
        if digits is None:
            return None
        if int(digits.group(1)) <= max_rows:
            return Limited(text, within_cap=True)
        return Limited(text[: digits.start(1)] + str(cap) + text[digits.end(1) :], False)
    at = len(text) if values_start is None else values_start
    # On lines of its own: the text may end in a comment, and VALUES must stay a word.
    return Limited(f"{text[:at]}\nLIMIT {cap}\n{text[at:]}", within_cap=False)
