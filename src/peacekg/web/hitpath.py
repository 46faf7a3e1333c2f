"""Plain queries to ``/sparql`` answered before Flask (issue 18).

A cache hit costs next to nothing to find, so what it costs is Flask's own per-request work
(contexts, URL matching, hooks, the response object): about as much as Oxigraph's server
spends on a cheap query. This WSGI middleware answers the plain case, a GET with one
``query`` and without conditional headers, whose answer the cache holds for the current
store version, with exactly the headers the blueprint would send: uncompressed, or in the
coding Flask-Compress chose for the same ``Accept-Encoding`` before (the cache keeps that
body, so a hit is never compressed again).

A plain query the cache does not hold (GET, or POST as a form or ``application/sparql-query``,
no ``If-None-Match``, no compression asked for) is answered here too, by the blueprint's own
:func:`~peacekg.web.sparql.answer` on a werkzeug request, with the headers Flask's hooks would
add (CORS, ``Vary``, ``Date``): Flask's contexts, routing and hooks were a sixth of a miss's
Python. Everything else goes to Flask unchanged (304s, compressed answers, the service
description, HEAD/OPTIONS, updates, pages).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import http_date, quote_etag
from werkzeug.wrappers import Request, Response

from peacekg.web.cache import CacheKey, request_key
from peacekg.web.httpcache import cache_control, store_version

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

    from peacekg.config import Settings
    from peacekg.workers import Outcome

#: The ``Accept-Encoding`` values that ask for no compression.
PLAIN = frozenset({"", "identity"})
_QUERY_TYPES = frozenset({"application/x-www-form-urlencoded", "application/sparql-query"})


class CachedReads:
    """WSGI middleware in front of the Flask app: plain cache hits of /sparql answered here."""

    def __init__(self, app: Flask, wsgi: WSGIApplication) -> None:
        self.app = app
        self.wsgi = wsgi

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") == "/sparql" and "HTTP_IF_NONE_MATCH" not in environ:
            if method == "GET":
                answer = self._hit(environ)
                if answer is not None:
                    headers, body = answer
                    start_response("200 OK", headers)
                    return [body]
            parsed = environ.pop(REQUEST, None)  # taken out: it refers to the environment
            if (method == "GET" or _posted_query(environ)) and _plain(environ):
                response = self._miss(environ, parsed)
                if isinstance(response, tuple):
                    start_response("200 OK", response[0])
                    return [response[1]]
                if response is not None:
                    return response(environ, start_response)
        return self.wsgi(environ, start_response)

    def _miss(
        self, environ: WSGIEnvironment, parsed: Request | None = None
    ) -> Response | tuple[list[tuple[str, str]], bytes] | None:
        """The answer to a plain query through the blueprint's code, or None for Flask.

        ``parsed``: the request as :func:`hit_key` parsed it, so its parameters are not read
        twice.

        A GET answered 200 and filed in the cache gets the headers a hit gets, written here
        as a list (werkzeug's response object and its conditional checks were a fifth of a
        miss's Python); with ``If-Modified-Since`` (a possible 304) it takes werkzeug's way.
        """
        from peacekg.web.sparql import (
            RESULT_HEADERS,
            Endpoint,
            Problem,
            evaluate,
            extension_of,
            query_text,
            respond,
        )

        ep: Any = extension_of(self.app)
        if not isinstance(ep, Endpoint) or ep.pool is None:
            return None  # the first request creates the endpoint, through Flask
        response: Response
        req = parsed if parsed is not None else Request(environ)
        req.max_content_length = ep.settings.max_request_bytes  # as Flask's config says
        try:
            text = query_text(req)
            if text is None:
                return None  # the service description (GET only: a POST has a query)
            found = evaluate(req, self.app, text)
            filed = found.filed
            if (
                filed is not None
                and found.outcome.status == 200
                and req.method == "GET"
                and "HTTP_IF_MODIFIED_SINCE" not in environ
            ):
                cache = "hit" if found.hit else "miss"
                body = found.outcome.body
                return _headers(
                    found.outcome, body, filed.tag, filed.modified, ep.settings, cache
                ), body
            response = respond(req, ep, found)
        except Problem as problem:
            response = _error(problem.status, problem.message, problem.headers)
        except RequestEntityTooLarge:
            limit = ep.settings.max_request_bytes
            response = _error(
                413, f"request body larger than the server's limit of {limit} bytes", {}
            )
        except HTTPException as error:
            return error.get_response(environ)
        except Exception as error:  # our bug: logged, the app's own 500
            from peacekg.web import internal_error

            with self.app.app_context():
                failed = internal_error(error)
            assert isinstance(failed, Response)
            return failed
        # What the blueprint's and the app's after-request hooks add to a plain answer.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = RESULT_HEADERS
        response.vary.add("Accept-Encoding")
        if req.method == "GET" and response.status_code == 200:
            response.make_conditional(req)
        return response

    def _hit(self, environ: WSGIEnvironment) -> tuple[list[tuple[str, str]], bytes] | None:
        from peacekg.web.sparql import Endpoint, extension_of

        found: Any = extension_of(self.app)
        if not isinstance(found, Endpoint) or found.cache is None:
            return None
        key = hit_key(environ)
        if key is None:
            return None
        environ[KEY] = key  # the blueprint's key for a miss: the same request, parsed once
        state = self.app.extensions["peacekg"]
        version = store_version(state.store)
        if version is None:
            return None
        environ[VERSION] = version  # read once per request: a miss goes on with it
        entry = found.cache.get(version[0], key)
        if entry is None or entry.outcome.status != 200:
            return None
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        coding: str | None = None
        if accept.strip().lower() not in PLAIN:
            if accept not in entry.encodings:
                return None  # Flask-Compress chooses, and the cache learns its choice
            coding = entry.encodings[accept]
        outcome = entry.outcome
        body = outcome.body if coding is None else entry.compressed[coding]
        settings = state.settings
        return _headers(
            outcome, body, entry.etag, entry.last_modified, settings, "hit", coding
        ), body


def _headers(
    outcome: Outcome,
    body: bytes,
    etag: str,
    last_modified: float,
    settings: Settings,
    cache: str,
    coding: str | None = None,
) -> list[tuple[str, str]]:
    """The headers of a cached 200 with ``body`` (``outcome``'s, or in ``coding``), as the
    blueprint and Flask's hooks would send them."""
    from peacekg.web.sparql import RESULT_HEADERS

    headers = [
        ("Content-Type", outcome.content_type),
        ("Content-Length", str(len(body))),
        *outcome.headers.items(),
        ("Vary", "Accept, Accept-Encoding"),
        ("ETag", quote_etag(etag if coding is None else f"{etag}:{coding}")),
        ("Last-Modified", http_date(int(last_modified))),
        ("Cache-Control", cache_control(settings)),
        ("X-PeaceKG-Cache", cache),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", RESULT_HEADERS),
        ("Date", _date()),
    ]
    if coding is not None:
        headers.insert(1, ("Content-Encoding", coding))
    return headers


def _posted_query(environ: WSGIEnvironment) -> bool:
    """Whether the request POSTs a query as a form or as ``application/sparql-query``."""
    if environ.get("REQUEST_METHOD") != "POST":
        return False
    media_type = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    return media_type in _QUERY_TYPES


def _plain(environ: WSGIEnvironment) -> bool:
    """Whether the client asks for no compression (else Flask-Compress answers)."""
    return str(environ.get("HTTP_ACCEPT_ENCODING", "")).strip().lower() in PLAIN


def _error(status: int, message: str, headers: dict[str, str]) -> Response:
    """The blueprint's plain-text error answer (imported here: the blueprint imports us)."""
    from peacekg.web.sparql import error_response

    return error_response(status, message, headers)


#: Where the middleware leaves the cache key of a GET /sparql it parsed, and the store
#: version it read, for the blueprint (a miss reads neither again).
KEY = "peacekg.cache_key"
VERSION = "peacekg.store_version"
#: Where :func:`hit_key` leaves the request it parsed, for the miss path to go on with.
REQUEST = "peacekg.request"
# What of the environment a GET's cache key depends on (its parameters, Accept, the
# endpoint URL as werkzeug builds ``base_url``), so the parse can be memoised on them.
_KEY_FIELDS = (
    "QUERY_STRING",
    "HTTP_ACCEPT",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
)
_MEMO_LIMIT = 8192  # longer query strings are parsed each time: the memo stays small
_MEMO_ENTRIES = 4096
_memo: dict[tuple[Any, ...], CacheKey | None] = {}


def hit_key(environ: WSGIEnvironment) -> CacheKey | None:
    """The result-cache key of a GET /sparql with one ``query``, or None for other requests.

    Parsing the query string and building ``base_url`` was a third of a hit's Python time;
    the key is a function of the fields above alone, so it is memoised on them. A request
    not in the memo is parsed as a werkzeug request of ``environ``, left at ``REQUEST``: on a
    miss the blueprint reads its parameters from it (a second parse of a query string was a
    sixth of a miss's Python).
    """
    fields = tuple(environ.get(name) for name in _KEY_FIELDS)
    try:
        return _memo[fields]
    except KeyError:
        pass
    req = Request(environ)
    environ[REQUEST] = req
    queries = req.args.getlist("query")
    key = (
        None
        if len(queries) != 1 or "update" in req.args
        else request_key(req, queries[0], req.args.getlist)
    )
    if len(environ.get("QUERY_STRING", "")) <= _MEMO_LIMIT:
        if len(_memo) >= _MEMO_ENTRIES:
            _memo.clear()  # a plain dict is read faster than an LRU; refilled by use
        _memo[fields] = key
    return key


@functools.lru_cache(maxsize=2)
def _date_at(second: int) -> str:
    return http_date(second)


def _date() -> str:
    """The ``Date`` header: formatted once a second, not per hit."""
    return _date_at(int(time.time()))


def install(app: Flask) -> None:
    """Put :class:`CachedReads` in front of ``app``."""
    app.wsgi_app = CachedReads(app, app.wsgi_app)  # type: ignore[method-assign]
