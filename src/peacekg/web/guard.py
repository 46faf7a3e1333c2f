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

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>(?:[^\W\d]|_)[\w\-.\u00b7]*(?::(?:[\w\-.:%\u00b7]|\\.)*)?
             |:(?:[\w\-.:%\u00b7]|\\.)*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


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
class Inspection:
    """What the tokens say about a query or an update."""

    services: list[str | None] = field(default_factory=list)
    has_dataset_clause: bool = False
    has_load: bool = False
    has_using_or_with: bool = False
    tokens: list[Token] = field(default_factory=list)


def _resolve(token: Token, base: str | None, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base else iri
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
            prefixes[name] = urljoin(base, iri) if base else iri
        elif word == "BASE" and following and following[0].kind == "iri":
            iri = following[0].text[1:-1]
            base = urljoin(base, iri) if base else iri
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


def check_query(text: str, allowlist: Sequence[str]) -> Inspection:
    """Inspect a query and apply the SERVICE policy; returns the inspection."""
    if "service" not in text.lower() and "\\u" not in text.lower():
        # Fast path: no SERVICE keyword (escaped or not) can hide in this text.
        result = Inspection(has_dataset_clause=_mentions_from(text))
        return result
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
