"""SPARQL 1.1 Protocol at ``/sparql``: query via GET, POST form and POST sparql-query."""

from __future__ import annotations

import pyoxigraph
from flask import Blueprint, Response, request

from peacekg import mediatypes
from peacekg.store import StoreError
from peacekg.web import state

sparql_bp = Blueprint("sparql", __name__)


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _query_text() -> str | None:
    if request.method == "GET":
        return request.args.get("query")
    content_type = (request.mimetype or "").lower()
    if content_type == "application/sparql-query":
        return request.get_data(as_text=True)
    if content_type == "application/x-www-form-urlencoded":
        return request.form.get("query")
    return None


@sparql_bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Evaluate a query on the union of the named graphs (SPARQL 1.1 Protocol 2.1)."""
    if request.method == "POST" and request.mimetype not in {
        "application/sparql-query",
        "application/x-www-form-urlencoded",
    }:
        return _error(415, f"unsupported Content-Type {request.mimetype!r}")
    text = _query_text()
    if not text:
        return _error(400, "missing 'query' parameter")
    try:
        result = state().store.query(text)
    except SyntaxError as error:
        return _error(400, f"query syntax error: {error}")
    except StoreError as error:
        return _error(503, str(error))
    if isinstance(result, pyoxigraph.QueryTriples):
        fmt = mediatypes.negotiate(request.headers.get("Accept"), mediatypes.GRAPH_FORMATS)
        if fmt is None:
            return _error(406, "no acceptable RDF format")
        body = result.serialize(format=fmt.rdf_format())
    else:
        fmt = mediatypes.negotiate(request.headers.get("Accept"), mediatypes.RESULT_FORMATS)
        if fmt is None:
            return _error(406, "no acceptable results format")
        body = result.serialize(format=fmt.results_format())
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
