"""The Wikidata Query Service's own dialect, answered locally (issue 15).

A query copied from WDQS uses three things SPARQL 1.1 does not have, and this module turns
each into plain SPARQL 1.1 before the query reaches Oxigraph, so that it runs unchanged:

- ``SERVICE wikibase:label { bd:serviceParam wikibase:language "en,uk" . }``: WDQS's label
  service. It is never sent anywhere; it becomes sub-queries over our own graph (the
  asserted labels, the Wikidata-shaped view and the enrichment graph). As at WDQS
  (https://www.mediawiki.org/wiki/Wikidata_Query_Service/User_Manual#Label_service):
  automatic mode binds ``?xLabel``, ``?xDescription`` and ``?xAltLabel`` for every such
  variable of a ``SELECT`` clause whose ``?x`` the query uses; manual mode binds the
  variables named inside the block (``?x rdfs:label ?name``). The languages are tried in
  the order given, then a label without language tag; an entity with no label at all gets
  its local name (``Q212`` for ``wd:Q212``) as WDQS gives the QID. Descriptions and aliases
  have no such fallback; aliases of one language are joined with ", " as WDQS does.
- WDQS functions: ``wikibase:isSomeValue(?x)`` is supported (true for Wikidata's and our
  skolem IRIs of "unknown value", and for blank nodes); any other function in a WDQS
  namespace (``geof:distance``, ...) is refused with a 400 that names it, instead of an
  evaluation error on the first row, or none at all when no row reaches it.
- WDQS's other services (``wikibase:around``, ``wikibase:mwapi``, ...) are refused with a
  400 naming them: they need Wikidata's own search and geo indexes.

A prefix that is neither declared nor predefined is reported by name and position
(:func:`check_prefixes`) rather than with the parser's list of expected characters.

The rewrite works on tokens (:mod:`peacekg.web.guard`), keeps every line of the query
where it was, and only adds text inside the group that held the label service.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from peacekg.web.guard import Names, Token, decode_escapes, names, tokens
from peacekg.web.prefixes import PREFIXES

__all__ = ["LABEL_SERVICE", "SUPPORTED_FUNCTIONS", "WdqsError", "check_prefixes", "rewrite"]

WIKIBASE = "http://wikiba.se/ontology#"
BD = "http://www.bigdata.com/rdf#"
LABEL_SERVICE = WIKIBASE + "label"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_SCHEMA_DESCRIPTION = "http://schema.org/description"
#: Wikidata's own skolem IRIs for "unknown value" (RDF dump format, "somevalue").
WIKIDATA_GENID = "http://www.wikidata.org/.well-known/genid/"

#: Namespaces whose functions and services only WDQS (Blazegraph) evaluates.
WDQS_NAMESPACES = (
    WIKIBASE,
    BD,
    "http://www.opengis.net/def/function/geosparql/",
    "http://www.bigdata.com/rdf/search#",
    "http://www.bigdata.com/queryHints#",
    "https://www.mediawiki.org/ontology#API/",
)
SUPPORTED_FUNCTIONS = (WIKIBASE + "isSomeValue",)

#: Label-service variable suffix -> the property WDQS reads for it.
_SUFFIXES = (("AltLabel", _SKOS_ALT), ("Description", _SCHEMA_DESCRIPTION), ("Label", _RDFS_LABEL))
_MANUAL = {_RDFS_LABEL, _SKOS_ALT, _SCHEMA_DESCRIPTION}
#: Text that any WDQS construct must contain (a prefix or a namespace); else nothing to do.
_MARKS = ("wikiba", "bigdata", "bd:", "geof", "geosparql", "hint:", "bds:", "mwapi", "mediawiki")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


class WdqsError(ValueError):
    """A WDQS construct this endpoint cannot answer (a 400, with the construct named)."""


@dataclass(frozen=True)
class _Wanted:
    """One variable the label service binds: from which entity, which property."""

    entity: str
    target: str
    prop: str


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _declared(toks: Sequence[Token]) -> dict[str, str]:
    declared: dict[str, str] = {}
    for index, token in enumerate(toks[:-2]):
        name, iri = toks[index + 1], toks[index + 2]
        if token.keyword == "PREFIX" and name.kind == "name" and iri.kind == "iri":
            declared[name.text.rstrip(":")] = iri.text[1:-1]
    return declared


def _resolve(token: Token, declared: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        namespace = declared.get(prefix, PREFIXES.get(prefix))
        return None if namespace is None else namespace + local.replace("\\", "")
    return None


def check_prefixes(text: str, found: Names | None = None) -> None:
    """Refuse a prefixed name whose prefix is neither declared nor predefined.

    ``found``: the :func:`~peacekg.web.guard.names` of ``text`` (without escapes), when the
    endpoint has them already (one scan per query, issue 18).

    Raises:
        WdqsError: naming the first such prefix, where it is, and how to declare it.
    """
    found = found or names(decode_escapes(text))
    declared = {n.text.rstrip(":"): n.iri for n in found.names if n.iri is not None}
    for token in found.names:
        if token.after_prefix or ":" not in token.text:
            continue
        prefix = token.text.partition(":")[0]
        if prefix in declared or prefix in PREFIXES:
            continue
        if prefix == "_":
            continue  # a blank node label, _:b1
        known = ", ".join(f"{name}:" for name in sorted(PREFIXES))
        raise WdqsError(
            f"unknown prefix {prefix}: in {token.text!r} at {_position(text, token.start)}; "
            f"declare it (PREFIX {prefix}: <...>) or use one of the predefined prefixes: {known}"
        )


def rewrite(text: str, *, somevalue_bases: Sequence[str] = ()) -> str:
    """``text`` with WDQS's label service and functions turned into SPARQL 1.1.

    Args:
        text: the query as the user sent it.
        somevalue_bases: the prefixes of our own "unknown value" skolem IRIs
            (``<base>.well-known/genid/``), which ``wikibase:isSomeValue`` recognises
            beside Wikidata's.

    Raises:
        WdqsError: a WDQS-only function or service that is not supported, or a label
            service block that cannot be read.
    """
    lowered = text.lower()
    if "\\u" not in lowered and not any(mark in lowered for mark in _MARKS):
        return text
    decoded = decode_escapes(text)
    toks = list(tokens(decoded))
    declared = _declared(toks)
    if not any(_in_wdqs(_resolve(t, declared)) for t in toks if t.kind in {"iri", "name"}):
        return text
    _check_functions(decoded, toks, declared)
    services = _label_services(decoded, toks, declared)
    if not services and not _uses_some_value(toks, declared):
        return text
    out = decoded
    edits: list[tuple[int, int, str]] = []
    selected = _selected_variables(toks)
    used = {t.text[1:] for t in toks if t.kind == "var"}
    for start, end, close, languages, manual in services:
        inside = {t.text[1:] for t in toks if t.kind == "var" and start <= t.start < end}
        bound = _bound_variables(toks, (start, end))
        wanted = manual or [w for w in _automatic(selected, used - inside) if w.target not in bound]
        edits.append((start, end, _blank(decoded[start:end])))
        edits.append((close, close, _patterns(wanted, languages, len(edits))))
    for index, token in enumerate(toks):
        if token.kind == "name" and _resolve(token, declared) in SUPPORTED_FUNCTIONS:
            stop = _call_end(toks, index)
            argument = decoded[toks[index + 1].start + 1 : toks[stop].start]
            edits.append(
                (token.start, toks[stop].start + 1, _some_value(argument, somevalue_bases))
            )
    for begin, finish, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:begin] + replacement + out[finish:]
    return out


def _in_wdqs(iri: str | None) -> bool:
    return iri is not None and iri.startswith(WDQS_NAMESPACES)


def _uses_some_value(toks: Sequence[Token], declared: dict[str, str]) -> bool:
    return any(_resolve(t, declared) in SUPPORTED_FUNCTIONS for t in toks if t.kind == "name")


def _check_functions(text: str, toks: Sequence[Token], declared: dict[str, str]) -> None:
    """Refuse calls of WDQS functions we do not support, and WDQS services but the label one."""
    for index, token in enumerate(toks):
        iri = _resolve(token, declared) if token.kind in {"iri", "name"} else None
        if not _in_wdqs(iri):
            continue
        previous = toks[index - 1].keyword if index else ""
        if previous == "SILENT":
            previous = toks[index - 2].keyword if index > 1 else ""
        if previous == "SERVICE" and iri != LABEL_SERVICE:
            raise WdqsError(
                f"SERVICE {token.text} at {_position(text, token.start)} is a Wikidata Query "
                "Service extension this endpoint does not have (it needs Wikidata's own "
                "search and geo indexes); only SERVICE wikibase:label is answered here"
            )
        following = toks[index + 1] if index + 1 < len(toks) else None
        is_call = following is not None and following.text == "(" and previous != "PREFIX"
        if is_call and iri not in SUPPORTED_FUNCTIONS:
            supported = ", ".join(f"<{f}>" for f in SUPPORTED_FUNCTIONS)
            raise WdqsError(
                f"function {token.text} (<{iri}>) at {_position(text, token.start)} is a "
                f"Wikidata Query Service function this endpoint does not support; "
                f"supported WDQS functions: {supported}"
            )


def _matching(toks: Sequence[Token], index: int, opening: str, closing: str) -> int:
    """Index of the token closing the bracket opened at ``toks[index]``."""
    depth = 0
    for position in range(index, len(toks)):
        text = toks[position].text
        if toks[position].kind == "other" and text == opening:
            depth += 1
        elif toks[position].kind == "other" and text == closing:
            depth -= 1
            if depth == 0:
                return position
    raise WdqsError(f"unbalanced {opening!r} in the query")


def _call_end(toks: Sequence[Token], index: int) -> int:
    return _matching(toks, index + 1, "(", ")")


def _label_services(
    text: str, toks: Sequence[Token], declared: dict[str, str]
) -> list[tuple[int, int, int, list[str], list[_Wanted]]]:
    """Each label service: (start, end) of its text, where its group closes, languages,
    the manual-mode bindings."""
    found = []
    for index, token in enumerate(toks):
        if token.keyword != "SERVICE":
            continue
        target = index + 1
        if target < len(toks) and toks[target].keyword == "SILENT":
            target += 1
        if target >= len(toks) or _resolve(toks[target], declared) != LABEL_SERVICE:
            continue
        if target + 1 >= len(toks) or toks[target + 1].text != "{":
            raise WdqsError(f"SERVICE wikibase:label at {_position(text, token.start)}: no block")
        block_end = _matching(toks, target + 1, "{", "}")
        languages, manual = _read_block(text, toks[target + 2 : block_end], declared)
        close = _group_close(toks, index, block_end)
        found.append((token.start, toks[block_end].start + 1, toks[close].start, languages, manual))
    return found


def _group_close(toks: Sequence[Token], service: int, block_end: int) -> int:
    """The ``}`` of the group the SERVICE clause stands in."""
    depth = 0
    for position in range(block_end + 1, len(toks)):
        token = toks[position]
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            if depth == 0:
                return position
            depth -= 1
    raise WdqsError(f"SERVICE wikibase:label at token {service}: its group is not closed")


def _read_block(
    text: str, body: Sequence[Token], declared: dict[str, str]
) -> tuple[list[str], list[_Wanted]]:
    """The languages and the manual bindings (``?x rdfs:label ?name``) of a block."""
    languages: list[str] = []
    manual: list[_Wanted] = []
    statements: list[list[Token]] = [[]]
    for token in body:
        if token.kind == "other" and token.text == ".":
            statements.append([])
        else:
            statements[-1].append(token)
    for statement in (s for s in statements if s):
        subject, rest = statement[0], statement[1:]
        pairs: list[list[Token]] = [[]]
        for token in rest:
            if token.kind == "other" and token.text == ";":
                pairs.append([])
            else:
                pairs[-1].append(token)
        for pair in (p for p in pairs if p):
            where = _position(text, pair[0].start)
            if len(pair) != 2:
                raise WdqsError(f"SERVICE wikibase:label at {where}: cannot read this statement")
            prop = _resolve(pair[0], declared)
            value = pair[1]
            if _resolve(subject, declared) == BD + "serviceParam":
                if prop != WIKIBASE + "language" or value.kind != "string":
                    raise WdqsError(
                        f"SERVICE wikibase:label at {where}: only bd:serviceParam "
                        'wikibase:language "..." is understood'
                    )
                languages += _languages(value.text, where)
            elif subject.kind == "var" and value.kind == "var" and prop in _MANUAL:
                manual.append(_Wanted(subject.text[1:], value.text[1:], prop))
            else:
                raise WdqsError(
                    f"SERVICE wikibase:label at {where}: expected ?item rdfs:label, "
                    "schema:description or skos:altLabel ?variable"
                )
    if not languages:
        raise WdqsError('SERVICE wikibase:label needs bd:serviceParam wikibase:language "en"')
    return languages, manual


def _languages(literal: str, where: str) -> list[str]:
    quote = literal[:3] if literal[:3] in {'"""', "'''"} else literal[0]
    inner = literal[len(quote) : -len(quote)]
    found = []
    for part in (p.strip() for p in inner.split(",")):
        if part == "[AUTO_LANGUAGE]":
            part = "en"  # WDQS: the user interface's language; we have no user interface
        if not _LANGUAGE.match(part):
            raise WdqsError(f"SERVICE wikibase:label at {where}: {part!r} is no language tag")
        if part.lower() not in found:
            found.append(part.lower())
    return found


def _selected_variables(toks: Sequence[Token]) -> list[str]:
    """Variables named in any SELECT clause, in order (WDQS's automatic mode looks there)."""
    names: list[str] = []
    inside = False
    for token in toks:
        if token.keyword == "SELECT":
            inside = True
        elif inside and (token.keyword == "WHERE" or token.text == "{"):
            inside = False
        elif inside and token.kind == "var" and token.text[1:] not in names:
            names.append(token.text[1:])
    return names


def _bound_variables(toks: Sequence[Token], skip: tuple[int, int]) -> set[str]:
    """Variables the query binds itself: in a pattern of a group (outside brackets and
    SELECT clauses) or after ``AS``; automatic mode leaves them alone, as WDQS binds only
    unbound ones. ``skip`` is the label service's own text."""
    bound: set[str] = set()
    braces = parens = 0
    selecting = False
    previous = ""
    for token in toks:
        text = token.text if token.kind == "other" else ""
        if token.keyword == "SELECT":
            selecting = True
        elif selecting and (token.keyword == "WHERE" or text == "{"):
            selecting = False
        braces += (text == "{") - (text == "}")
        parens += (text == "(") - (text == ")")
        in_pattern = braces > 0 and not selecting and not skip[0] <= token.start < skip[1]
        if token.kind == "var" and in_pattern and (parens == 0 or previous == "AS"):
            bound.add(token.text[1:])
        previous = token.keyword
    return bound


def _automatic(selected: Sequence[str], used: set[str]) -> list[_Wanted]:
    wanted = []
    for name in selected:
        for suffix, prop in _SUFFIXES:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base and base in used:
                wanted.append(_Wanted(base, name, prop))
                break
    return wanted


def _blank(text: str) -> str:
    """Spaces for every character but line breaks, so the lines keep their numbers."""
    return re.sub(r"[^\n\r]", " ", text)


def _patterns(wanted: Sequence[_Wanted], languages: Sequence[str], serial: int) -> str:
    """One line of SPARQL 1.1 binding every wanted variable, for the end of the group."""
    parts: list[str] = []
    for number, item in enumerate(wanted):
        choices: list[str] = []
        tags = [*languages, ""]
        for position, language in enumerate(tags):
            value = f"?peacekg_label_{serial}_{number}_{position}"
            inner = "?peacekg_label_value"
            if item.prop == _SKOS_ALT:
                chosen = f'(GROUP_CONCAT(DISTINCT STR({inner}); separator=", ") AS {value})'
            else:
                chosen = f"(MIN({inner}) AS {value})"
            parts.append(
                f"OPTIONAL {{ SELECT ?{item.entity} {chosen} WHERE {{ "
                f"?{item.entity} <{item.prop}> {inner} "
                f'FILTER(LANG({inner}) = "{language}") }} GROUP BY ?{item.entity} }}'
            )
            choices.append(value)
        if item.prop == _RDFS_LABEL:
            # WDQS: an item without a label in any of the languages is labelled by its ID.
            entity = f"?{item.entity}"
            choices.append(
                f'IF(isIRI({entity}), REPLACE(STR({entity}), "^.*[/#]", ""), STR({entity}))'
            )
        parts.append(f"BIND(COALESCE({', '.join(choices)}) AS ?{item.target})")
    return " " + " ".join(parts) + " "


def _some_value(argument: str, bases: Sequence[str]) -> str:
    """``wikibase:isSomeValue(x)``: a blank node or a skolem IRI of an unknown value."""
    prefixes = [WIKIDATA_GENID, *(f"{base}.well-known/genid/" for base in bases)]
    tests = " || ".join(f'STRSTARTS(STR({argument}), "{prefix}")' for prefix in prefixes)
    return f"(isBLANK({argument}) || (isIRI({argument}) && ({tests})))"
