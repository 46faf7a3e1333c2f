"""The prefixes every query at ``/sparql`` may use undeclared, as the Wikidata Query Service does.

One table for the endpoint (undeclared prefixes a query uses get their ``PREFIX`` line), the
service description (``sh:declare``) and the query page's editor (completion, short IRIs).
The project's namespaces come from :mod:`peacekg.namespaces`; the Wikidata ones are WDQS's.
"""

from __future__ import annotations

import re

from peacekg import namespaces as ns
from peacekg.web.guard import Names, names

PREFIXES: dict[str, str] = {
    "pkg": str(ns.PKG),
    "pkgr": str(ns.PKGR),
    "pkga": str(ns.PKGA),
    "schema": str(ns.SCHEMA),
    "prov": str(ns.PROV),
    "oa": str(ns.OA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "time": "http://www.w3.org/2006/time#",
    "dcat": str(ns.DCAT),
    "void": str(ns.VOID),
    "dcterms": "http://purl.org/dc/terms/",
    "sd": str(ns.SD),
    "wd": str(ns.WD),
    "wdt": str(ns.WDT),
    "p": str(ns.WDP),
    "ps": str(ns.PS),
    "pq": str(ns.PQ),
    "pr": str(ns.PR),
    "psv": str(ns.PSV),
    "pqv": str(ns.PQV),
    "prv": str(ns.PRV),
    "wikibase": str(ns.WIKIBASE),
    "bd": "http://www.bigdata.com/rdf#",
    # The rest of WDQS's predefined prefixes for Wikidata's RDF model
    # (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format#Prefixes_used).
    "wds": "http://www.wikidata.org/entity/statement/",
    "wdv": "http://www.wikidata.org/value/",
    "wdref": "http://www.wikidata.org/reference/",
    "wdno": "http://www.wikidata.org/prop/novalue/",
    "wdtn": "http://www.wikidata.org/prop/direct-normalized/",
    "psn": "http://www.wikidata.org/prop/statement/value-normalized/",
    "pqn": "http://www.wikidata.org/prop/qualifier/value-normalized/",
    "prn": "http://www.wikidata.org/prop/reference/value-normalized/",
    "wdata": "http://www.wikidata.org/wiki/Special:EntityData/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/function/geosparql/",
    "hint": "http://www.bigdata.com/queryHints#",
    "bds": "http://www.bigdata.com/rdf/search#",
    "mwapi": "https://www.mediawiki.org/ontology#API/",
}

_PREFIXED = re.compile(r"^([^\W\d][\w\-.]*)?:")
_POSITION = re.compile(r"\bat 1:(\d+)(?:-1:(\d+))?")


def missing_prologue(text: str, found: Names | None = None) -> str:
    """``PREFIX`` declarations for the known prefixes ``text`` uses but does not declare.

    Returned as one line without a newline, to go in front of the query's first line, so that
    every line keeps its number (:func:`shift_position` mends a column on line 1). ``found``:
    the :func:`~peacekg.web.guard.names` of ``text``, when the caller has them already.
    """
    declared: set[str] = set()
    used: set[str] = set()
    for name in (found or names(text)).names:
        match = _PREFIXED.match(name.text)
        if match:
            (declared if name.after_prefix else used).add(match[1] or "")
    needed = sorted(name for name in used - declared if name in PREFIXES)
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}> " for name in needed)


def shift_position(message: str, prologue: str) -> str:
    """A parser message about the prefixed query, with line 1 columns as the user wrote them."""
    if not prologue:
        return message

    def column(value: str) -> int:
        return max(int(value) - len(prologue), 1)

    def mend(match: re.Match[str]) -> str:
        end = f"-1:{column(match[2])}" if match[2] else ""
        return f"at 1:{column(match[1])}{end}"

    return _POSITION.sub(mend, message)
