"""PeaceKG as a reconciliation service: the W3C Reconciliation Service API at ``/reconcile``.

OpenRefine (and any client of the API, https://www.w3.org/community/reports/reconciliation/
CG-FINAL-specs-0.2-20230410/) can match a column of names against our actors, events,
proposals and claims:

- ``GET /reconcile``: the service manifest (versions, identifier and schema spaces, default
  types, view, preview and suggest services); ``callback=`` wraps it as JSONP, as browsers
  running older OpenRefine ask.
- ``GET``/``POST /reconcile`` with ``queries={"q0": {"query": ..., "type": ...,
  "properties": [{"pid": ..., "v": ...}], "limit": ...}}``: candidates per query, scored by
  :mod:`peacekg.wikidata.matching`, ``match`` only for a single exact name. OpenRefine sends
  batches of ten as a form post.
- ``/reconcile/preview?id=``: a small HTML card; ``/reconcile/suggest/{entity,type,property}
  ?prefix=``: auto-completion.

Identifiers are our entity IRIs; properties are our ontology's (``pkg:`` names or full IRIs).
The index is read from the store once per store the ``store`` link points to.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from markupsafe import escape

from peacekg.namespaces import PKG
from peacekg.store import EmbeddedStore
from peacekg.web import state
from peacekg.wikidata.client import normalise
from peacekg.wikidata.matching import Entity, rank

reconcile_bp = Blueprint("reconcile", __name__)

#: The classes whose members can be reconciled, and the order they are offered in.
TOP_TYPES = (PKG.Agent, PKG.Event, PKG.Proposal, PKG.Claim)
_MAX_QUERIES = 100
_MAX_LIMIT = 100
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,99}$")
_PREFIXES = f"""PREFIX pkg: <{PKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_TOP_VALUES = " ".join(f"<{t}>" for t in TOP_TYPES)
_ENTITIES = (
    _PREFIXES
    + f"""SELECT ?e ?type ?name ?label ?about WHERE {{
  VALUES ?top {{ {_TOP_VALUES} }}
  ?e a ?top ; a ?type .
  FILTER(isIRI(?e) && STRSTARTS(STR(?type), STR(pkg:)))
  OPTIONAL {{ ?e rdfs:label|skos:altLabel|skos:prefLabel|pkg:nameAsStated ?name }}
  OPTIONAL {{ ?e rdfs:label ?label }}
  OPTIONAL {{ ?e pkg:statement|rdfs:comment ?about }}
}}"""
)
_VALUES = (
    _PREFIXES
    + f"""SELECT DISTINCT ?e ?p ?o ?label WHERE {{
  VALUES ?top {{ {_TOP_VALUES} }}
  ?e a ?top ; ?p ?o .
  FILTER(isIRI(?e) && STRSTARTS(STR(?p), STR(pkg:)))
  OPTIONAL {{ ?o rdfs:label ?label }}
}}"""
)
_VOCABULARY = (
    _PREFIXES
    + """SELECT ?term ?kind ?label WHERE {
  VALUES ?kind { <http://www.w3.org/2002/07/owl#Class>
                 <http://www.w3.org/2002/07/owl#ObjectProperty>
                 <http://www.w3.org/2002/07/owl#DatatypeProperty> }
  ?term a ?kind . FILTER(STRSTARTS(STR(?term), STR(pkg:)))
  OPTIONAL { ?term rdfs:label ?label FILTER(LANG(?label) IN ("en", "")) }
}"""
)


class BadRequest(Exception):
    """A request the service answers with 400 and the reason."""


@dataclass(frozen=True)
class Index:
    """Our entities with their names, and our classes and properties with theirs."""

    entities: tuple[Entity, ...]
    types: dict[str, str]
    properties: dict[str, str]


_CACHE: dict[tuple[int, str], Index] = {}
_LOCK = threading.Lock()


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def build_index(store: Any) -> Index:
    """Read the entities, their names, types and property values from ``store``."""
    names: dict[str, list[str]] = {}
    types: dict[str, set[str]] = {}
    about: dict[str, str] = {}
    shown: dict[str, str] = {}
    for row in store.query(_ENTITIES):
        iri = _text(row["e"])
        types.setdefault(iri, set()).add(_text(row["type"]))
        label = _text(row["name"])
        if label and label not in names.setdefault(iri, []):
            names[iri].append(label)
        if row["about"] is not None:
            about.setdefault(iri, _text(row["about"]))
        if row["label"] is not None:
            shown[iri] = min(shown.get(iri, _text(row["label"])), _text(row["label"]))
    values: dict[str, dict[str, set[str]]] = {}
    for row in store.query(_VALUES):
        found = values.setdefault(_text(row["e"]), {}).setdefault(_text(row["p"]), set())
        found.add(_text(row["o"]))
        if row["label"] is not None:
            found.add(_text(row["label"]))
    vocabulary: dict[str, dict[str, str]] = {"class": {}, "property": {}}
    for row in store.query(_VOCABULARY):
        kind = "class" if _text(row["kind"]).endswith("#Class") else "property"
        term = _text(row["term"])
        label = _text(row["label"]) or term[len(str(PKG)) :]
        vocabulary[kind].setdefault(term, label)
    entities = []
    for iri in sorted(types):
        labels = names.get(iri, [])
        entities.append(
            Entity(
                id=iri,
                name=shown.get(iri) or (min(labels) if labels else iri),
                names=tuple(sorted(labels)),
                types=frozenset(types[iri]),
                values={p: frozenset(v) for p, v in values.get(iri, {}).items()},
                description=about.get(iri, ""),
            )
        )
    return Index(tuple(entities), vocabulary["class"], vocabulary["property"])


def index() -> Index:
    """The index of the store the app serves now (rebuilt when the store changes)."""
    store = state().store
    where = str(store.directory) if isinstance(store, EmbeddedStore) else "remote"
    key = (id(store), where)
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = build_index(store)
            _CACHE.clear()  # one store at a time: the previous build's index is stale
            _CACHE[key] = found
        return found


def _json(payload: object, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    callback = request.args.get("callback")
    if callback is not None:
        if not _CALLBACK.match(callback):
            return _error("callback must be a JavaScript identifier")
        return Response(f"{callback}({body});", status=status, mimetype="application/javascript")
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message: str) -> Response:
    response = Response(message + "\n", status=400, mimetype="text/plain")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _root() -> str:
    return request.url_root.rstrip("/")


def manifest() -> dict[str, object]:
    """The service manifest (Reconciliation API 0.2, section 3)."""
    settings = state().settings
    types = index().types
    root = _root()
    return {
        "versions": ["0.1", "0.2"],
        "name": "PeaceKG: actors, events, proposals and claims of the Russia–Ukraine talks",
        "identifierSpace": settings.base_iri + "id/",
        "schemaSpace": str(PKG),
        "defaultTypes": [{"id": str(t), "name": types.get(str(t), str(t))} for t in TOP_TYPES],
        "view": {"url": "{{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": 400, "height": 120},
        "suggest": {
            kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
    }


def _expand(name: str) -> str:
    return str(PKG) + name[4:] if name.startswith("pkg:") else name


def _type_ids(value: object, where: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id")
        if not isinstance(item, str):
            raise BadRequest(f"{where}: type must be a type id or a list of them")
        found.append(_expand(item))
    return found


def _properties(value: object, where: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{where}: properties must be a list")
    found = []
    for number, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str):
            raise BadRequest(f"{where}: properties[{number}] needs a string pid")
        v = item.get("v")
        for single in v if isinstance(v, list) else [v]:
            if isinstance(single, dict):
                single = single.get("id")
            if not isinstance(single, str | int | float):
                raise BadRequest(f"{where}: properties[{number}].v must be text or an id")
            found.append((_expand(item["pid"]), str(single)))
    return found


def answer(queries: object) -> dict[str, object]:
    """The results of a batch of queries (Reconciliation API 0.2, section 4)."""
    if not isinstance(queries, dict):
        raise BadRequest("queries must be a JSON object of named queries")
    if len(queries) > _MAX_QUERIES:
        raise BadRequest(f"at most {_MAX_QUERIES} queries per request")
    found = index()
    results: dict[str, object] = {}
    for key, query in queries.items():
        where = f"queries[{key!r}]"
        if not isinstance(query, dict) or not isinstance(query.get("query"), str):
            raise BadRequest(f"{where}: needs a string 'query'")
        limit = query.get("limit", 3)
        if not isinstance(limit, int) or not 0 < limit <= _MAX_LIMIT:
            raise BadRequest(f"{where}: limit must be an integer from 1 to {_MAX_LIMIT}")
        candidates = rank(
            query["query"],
            found.entities,
            types=_type_ids(query.get("type"), where),
            properties=_properties(query.get("properties"), where),
            limit=limit,
        )
        results[key] = {
            "result": [
                {
                    "id": c.entity.id,
                    "name": c.entity.name,
                    "type": [
                        {"id": t, "name": found.types.get(t, t)} for t in sorted(c.entity.types)
                    ],
                    "score": c.score,
                    "match": c.match,
                    "description": c.entity.description,
                }
                for c in candidates
            ]
        }
    return results


@reconcile_bp.route("/reconcile", methods=["GET", "POST"])
def reconcile() -> Response:
    """The manifest, or the answers to ``queries`` (form post or query string)."""
    text = request.values.get("queries")
    if text is None:
        return _json(manifest())
    try:
        return _json(answer(json.loads(text)))
    except json.JSONDecodeError as error:
        return _error(f"queries is not JSON: {error}")
    except BadRequest as error:
        return _error(str(error))


@reconcile_bp.route("/reconcile/preview")
def preview() -> Response:
    """A small HTML card for one entity (what OpenRefine shows on hover)."""
    iri = request.args.get("id", "")
    entity = next((e for e in index().entities if e.id == iri), None)
    if entity is None:
        return Response(f"no entity {iri!r}\n", status=404, mimetype="text/plain")
    types = ", ".join(index().types.get(t, t) for t in sorted(entity.types))
    html = (
        '<html><body style="margin:0;font:14px sans-serif">'
        f'<p><a href="{escape(entity.id)}" target="_blank">{escape(entity.name)}</a>'
        f"<br><small>{escape(types)}</small></p>"
        f"<p>{escape(entity.description)}</p></body></html>"
    )
    return Response(html, mimetype="text/html")


def _starts(prefix: str, names: tuple[str, ...] | list[str]) -> bool:
    wanted = normalise(prefix)
    return any(any(w.startswith(wanted) for w in normalise(name).split()) for name in names)


@reconcile_bp.route("/reconcile/suggest/<kind>")
def suggest(kind: str) -> Response:
    """Names starting with ``prefix`` (any word of them): entities, types or properties."""
    prefix = request.args.get("prefix", "")
    cursor = request.args.get("cursor", "0")
    if not cursor.isdigit():
        return _error("cursor must be a non-negative integer")
    found = index()
    rows: list[dict[str, str]]
    if kind == "entity":
        rows = [
            {"id": e.id, "name": e.name, "description": e.description}
            for e in found.entities
            if _starts(prefix, e.names)
        ]
    elif kind in {"type", "property"}:
        terms = found.types if kind == "type" else found.properties
        rows = [{"id": t, "name": n} for t, n in sorted(terms.items()) if _starts(prefix, [n])]
    else:
        return Response(f"no suggest service {kind!r}\n", status=404, mimetype="text/plain")
    start = int(cursor)
    return _json({"result": rows[start : start + 10]})
