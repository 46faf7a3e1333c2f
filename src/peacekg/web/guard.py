"""What a query or update may make the server do: the outbound-request policy (issue 5).

Oxigraph evaluates ``SERVICE`` by calling the remote endpoint over HTTP and ``LOAD`` by
fetching the IRI (with no timeout of its own), so both are checked *before* evaluation:

* ``SERVICE <iri>`` only to an IRI in ``Settings.service_allowlist``; a variable
  ``SERVICE ?x`` is refused, since its target is only known while the query runs.
* ``LOAD`` is always refused.
* ``FROM`` / ``FROM NAMED`` never fetch anything in Oxigraph (they select graphs of the
  store); they are only detected so that the endpoint honours them (see ``sparql.py``).

The check works on tokens, not on a full parse: a SPARQL lexer only has to tell IRIs,
strings, comments, variables and names apart, and every ``SERVICE`` clause the engine can
parse starts with a ``SERVICE`` keyword token. Anything unexpected after that keyword is
refused rather than guessed. Codepoint escapes (``\\u0053ERVICE``) are decoded first, as
SPARQL 1.1 section 19.2 says the engine does.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Every token kind but whitespace and `other` (one character of punctuation).
_SIGNIFICANT_KINDS = r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>(?:[^\W\d]|_)[\w\-.\u00b7]*(?::(?:[\w\-.:%\u00b7]|\\.)*)?
             |:(?:[\w\-.:%\u00b7]|\\.)*)
"""
_TOKEN = re.compile(
    r"(?P<space>\s+) |" + _SIGNIFICANT_KINDS + r"| (?P<other>.)", re.VERBOSE | re.DOTALL
)
# For a scan of names only: `finditer` skips the characters no alternative matches
# (whitespace, punctuation) one at a time, in C, as the `space` and `other` kinds consume them.
_SIGNIFICANT = re.compile(_SIGNIFICANT_KINDS, re.VERBOSE | re.DOTALL)


class PolicyError(Exception):
    """The request asks for something the endpoint does not do (answered with 403)."""


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (``iri``, ``string``, ``var``, ``name``, ``other``)."""

    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The upper-cased text of a name token (SPARQL keywords are case-insensitive)."""
        return self.text.upper() if self.kind == "name" else ""


def decode_escapes(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes by their characters (SPARQL 19.2)."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in {"space", "comment"}:
            continue
        value = match.group(0)
        if kind == "name":
            # A name cannot end with a dot (PN_PREFIX, PN_LOCAL): `ex:a.` is `ex:a` then `.`.
            value = value.rstrip(".")
        yield Token(kind, value, match.start())


@dataclass(frozen=True)
class Name:
    """A name token that is prefixed or follows ``PREFIX`` (what prefix checks look at)."""

    text: str
    start: int
    after_prefix: bool
    #: The IRI token right after it, when it follows ``PREFIX`` (its declaration).
    iri: str | None = None


@dataclass(frozen=True)
class Names:
    """One pass over a query's tokens for its prefix checks and its FROM clause (issue 18).

    The endpoint needs the prefixes a query declares and uses twice (the WDQS check of unknown
    prefixes, the prologue of predefined ones) and whether it has a FROM: one scan serves all
    three, where a tokenizer pass each cost a quarter of a cache miss's CPU.
    """

    names: list[Name]
    has_from: bool


def names(text: str) -> Names:
    """The :class:`Names` of ``text``, exactly as :func:`tokens` would give them.

    Escapes are not decoded: callers pass a text without ``\\u`` escapes, or decode first.
    """
    found: list[Name] = []
    has_from = False
    previous_prefix = False  # the previous token is the keyword PREFIX
    previous_end = 0
    declaring: int | None = None  # index of a name after PREFIX, waiting for its IRI
    for match in _SIGNIFICANT.finditer(text):
        start, kind = match.start(), match.lastgroup
        # Characters between two matches are whitespace or `other` tokens (punctuation).
        adjacent = start == previous_end or text[previous_end:start].isspace()
        previous_end = match.end()
        if kind == "comment":  # dropped by tokens(), as whitespace is
            if not adjacent:
                previous_prefix, declaring = False, None
            continue
        if declaring is not None and kind == "iri" and adjacent:
            name = found[declaring]
            found[declaring] = Name(name.text, name.start, True, match.group(0)[1:-1])
        after_prefix = previous_prefix and adjacent
        previous_prefix, declaring = False, None
        if kind != "name":
            continue
        value = match.group(0).rstrip(".")
        word = value.upper()
        previous_prefix = word == "PREFIX"
        has_from = has_from or word == "FROM"
        if ":" in value or after_prefix:
            found.append(Name(value, start, after_prefix))
            declaring = len(found) - 1 if after_prefix else None
    return Names(found, has_from)


@dataclass(frozen=True)
class Inspection:
    """What the tokens say about a query or an update."""

    services: list[str | None] = field(default_factory=list)
    has_dataset_clause: bool = False
    has_load: bool = False
    has_using_or_with: bool = False
    tokens: list[Token] = field(default_factory=list)


def _join(base: str | None, iri: str) -> str | None:
    """``iri`` resolved against ``base``; None when either is no URL urllib reads (``[``)."""
    if not base:
        return iri
    try:
        return urljoin(base, iri)
    except ValueError:
        return None


def _resolve(token: Token, base: str | None, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return _join(base, token.text[1:-1])
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + local.replace("\\", "")
    return None


def inspect(text: str) -> Inspection:
    """Find SERVICE targets, FROM/USING/WITH clauses and LOAD operations in ``text``.

    Raises:
        PolicyError: a SERVICE clause whose target cannot be read from the text.
    """
    toks = list(tokens(decode_escapes(text)))
    prefixes: dict[str, str] = {}
    base: str | None = None
    services: list[str | None] = []
    has_from = has_load = has_using = False
    for index, token in enumerate(toks):
        word = token.keyword
        following = toks[index + 1 : index + 3]
        if word == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            name = following[0].text.rstrip(":") if following[0].kind == "name" else ""
            iri = following[1].text[1:-1]
            # Unresolvable: left as written; a SERVICE through it is refused below.
            prefixes[name] = _join(base, iri) or iri
        elif word == "BASE" and following and following[0].kind == "iri":
            iri = following[0].text[1:-1]
            base = _join(base, iri) or iri
        elif word == "FROM":
            has_from = True
        elif word == "LOAD":
            has_load = True
        elif word in {"USING", "WITH"}:
            has_using = True
        elif word == "SERVICE":
            rest = toks[index + 1 :]
            if rest and rest[0].keyword == "SILENT":
                rest = rest[1:]
            if not rest:
                raise PolicyError("SERVICE without a target")
            target = rest[0]
            if target.kind == "var":
                services.append(None)
                continue
            resolved = _resolve(target, base, prefixes)
            if resolved is None:
                raise PolicyError(f"SERVICE target {target.text!r} is not an IRI this server reads")
            services.append(resolved)
    return Inspection(
        services=services,
        has_dataset_clause=has_from,
        has_load=has_load,
        has_using_or_with=has_using,
        tokens=toks,
    )


def check_services(services: Iterable[str | None], allowlist: Sequence[str]) -> None:
    """Refuse any SERVICE target that is a variable or not in ``allowlist``.

    Raises:
        PolicyError: naming the refused target and the allowed ones.
    """
    allowed = ", ".join(f"<{iri}>" for iri in allowlist) or "none"
    for target in services:
        if target is None:
            raise PolicyError(
                "SERVICE with a variable endpoint is not allowed; "
                f"name one of the allowed endpoints: {allowed}"
            )
        if target not in allowlist:
            raise PolicyError(
                f"SERVICE <{target}> is not allowed on this server; allowed endpoints: {allowed}"
            )


def check_query(text: str, allowlist: Sequence[str], has_from: bool | None = None) -> Inspection:
    """Inspect a query and apply the SERVICE policy; returns the inspection.

    ``has_from``: whether the text has a FROM keyword, when a :func:`names` scan knows it.
    """
    if "service" not in text.lower() and "\\u" not in text.lower():
        # Fast path: no SERVICE keyword (escaped or not) can hide in this text.
        return Inspection(has_dataset_clause=_mentions_from(text) if has_from is None else has_from)
    result = inspect(text)
    check_services(result.services, allowlist)
    return result


def _mentions_from(text: str) -> bool:
    if "from" not in text.lower():
        return False
    return any(t.keyword == "FROM" for t in tokens(text))


def check_update(text: str, allowlist: Sequence[str]) -> Inspection:
    """Inspect an update: LOAD is refused, SERVICE follows the allowlist.

    Raises:
        PolicyError: for LOAD or a refused SERVICE.
    """
    result = inspect(text)
    if result.has_load:
        raise PolicyError("LOAD is not allowed on this server: it would fetch a remote document")
    check_services(result.services, allowlist)
    return result


def add_using(
    text: str, tokens_: Sequence[Token], using: Sequence[str], using_named: Sequence[str]
) -> str:
    """Add ``USING``/``USING NAMED`` clauses before each ``WHERE`` of a DELETE/INSERT.

    The protocol's ``using-graph-uri``/``using-named-graph-uri`` parameters mean exactly
    that (SPARQL 1.1 Protocol 2.2.3). ``tokens_`` must come from ``text`` itself (its
    escapes already decoded, i.e. ``text == decode_escapes(text)``).
    """
    clause = "".join(f" USING <{g}>" for g in using)
    clause += "".join(f" USING NAMED <{g}>" for g in using_named)
    depth = 0
    cuts: list[int] = []
    previous: Token | None = None
    for token in tokens_:
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif (
            token.keyword == "WHERE"
            and depth == 0
            and previous is not None
            and previous.text == "}"
        ):
            cuts.append(token.start)
        previous = token
    for cut in reversed(cuts):
        text = text[:cut] + clause.lstrip() + " " + text[cut:]
    return text


# -- nesting depth ---------------------------------------------------------------------------

# Oxigraph's SPARQL and JSON-LD parsers recurse once per bracket and overflow the stack
# (a segfault, no exception) some thousands deep: 2,300 nested braces kill a process. The
# depth is therefore counted before any parser sees the text. Strings, IRIs and comments
# are skipped, so brackets inside them do not count.
_SPARQL_SKIP = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
      |<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*""",
    re.VERBOSE | re.DOTALL,
)
_JSON_SKIP = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_XML_SKIP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>", re.DOTALL)
_XML_TAG = re.compile(r"<(/?)[^>]*?(/?)>", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
_OPENING = str.maketrans({"{": "(", "[": "("})
_CLOSING = str.maketrans({"}": ")", "]": ")"})


class TooDeep(ValueError):
    """A text nests deeper than ``Settings.max_nesting_depth`` (answered with 400)."""


def nesting_depth(text: str, syntax: str = "sparql") -> int:
    """The deepest bracket nesting of ``text`` (element nesting for ``syntax="xml"``).

    ``syntax`` is ``sparql`` (also right for Turtle, TriG and N-Triples), ``json`` or ``xml``.
    Unbalanced closing brackets only lower the count: the parser reports them.
    """
    if syntax == "xml":
        marks = "".join(
            ")" if closing else ("" if empty else "(")
            for closing, empty in _XML_TAG.findall(_XML_SKIP.sub(" ", text))
        )
    else:
        skip = _JSON_SKIP if syntax == "json" else _SPARQL_SKIP
        marks = _NOT_BRACKET.sub("", skip.sub(" ", text))
        marks = marks.translate(_OPENING).translate(_CLOSING)
    # Runs of one kind at a time: a million brackets are a few thousand runs at most
    # in a real body, and two runs in the bomb.
    depth = deepest = 0
    for run in _RUNS.findall(marks):
        depth += len(run) if run[0] == "(" else -len(run)
        deepest = max(deepest, depth)
    return deepest


_RUNS = re.compile(r"\(+|\)+")


def within_depth(text: str, limit: int) -> bool:
    """True when ``text`` cannot nest deeper than ``limit``: it has no more opening marks.

    The cheap test that spares nearly every real query the full count.
    """
    return text.count("{") + text.count("(") + text.count("[") + text.count("<") <= limit


def check_depth(text: str, limit: int, what: str, syntax: str = "sparql") -> None:
    """Refuse ``text`` nested deeper than ``limit``.

    Raises:
        TooDeep: naming ``what`` the text is, its depth and the limit.
    """
    if within_depth(text, limit):
        return
    depth = nesting_depth(text, syntax)
    if depth > limit:
        unit = "elements" if syntax == "xml" else "brackets"
        raise TooDeep(
            f"{what} nests {unit} {depth} deep, deeper than the server's max_nesting_depth "
            f"of {limit}"
        )


# -- per-client concurrency ---------------------------------------------------------------------


class TooManyQueries(Exception):
    """The client already runs as many queries as it may (answered with 429)."""


class ClientSlots:
    """How many queries each client address runs now, at most ``limit`` each.

    A client looping runaway queries would otherwise hold every worker and push everyone
    else's cheap queries to the timeout; with a slot count per address it holds at most
    ``limit`` workers and its further queries are refused at once, without waiting.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[str, int] = {}
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Run the body in one of ``client``'s slots.

        Raises:
            TooManyQueries: all of ``client``'s slots are taken.
        """
        with self._changed:
            if self._running.get(client, 0) >= self.limit:
                raise TooManyQueries(client)
            self._running[client] = self._running.get(client, 0) + 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._running[client] -= 1
                if not self._running[client]:
                    del self._running[client]
                self._changed.notify_all()

    def running(self, client: str) -> int:
        """How many queries ``client`` runs now."""
        with self._changed:
            return self._running.get(client, 0)

    def wait_for(self, client: str, count: int, timeout: float) -> bool:
        """Block until ``client`` runs ``count`` queries (for tests and monitoring)."""
        with self._changed:
            return bool(
                self._changed.wait_for(lambda: self._running.get(client, 0) == count, timeout)
            )
