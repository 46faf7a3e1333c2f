"""HTTP caching and compression of every read (issue 18).

Validators come from the store version (the directory the store link points to, switched by
each build and accepted update): a strong ``ETag`` hashes the version and what selects the
representation (path and query string, Accept, Host), ``Last-Modified`` is the time the
version was written and ``Cache-Control`` carries ``Settings.http_max_age``. A GET whose
``If-None-Match`` names the current tag is answered 304 before anything is rendered or
queried; after a switch the old tag no longer matches, so the client gets the new answer.

Compression is Flask-Compress's (zstd, br, gzip, deflate by Accept-Encoding); it tags a
compressed body ``<tag>:<algorithm>``, which is also recognised here. Dumps are sent by
:func:`send_dump` with ``Range`` support (206), from a pre-compressed ``<file>.gz`` when the
client takes gzip and one exists, compressed on the fly otherwise.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, Request, Response, g, request
from flask_compress import Compress
from werkzeug.wrappers import Request as BaseRequest
from werkzeug.wrappers import Response as BaseResponse

from peacekg import mediatypes
from peacekg.config import Settings
from peacekg.store import EmbeddedStore, GraphStore
from peacekg.web.cache import entity_tag

#: Endpoints whose representations are a function of the store version and the request URL.
VERSIONED_ENDPOINTS = frozenset(
    {
        "resource.page",
        "resource.data",
        "resource.assertion",
        "resource.resource",
        "resource.timeline",
        "resource.claims",
        "resource.index",
        "resource.dumps",
        "resource.void",
        "resource.ontology",
    }
)
_DUMP_ENDPOINT = "resource.dump_file"
_ALGORITHMS = ("zstd", "br", "gzip", "deflate")
_COMPRESSIBLE = (
    *(f.media_type for f in mediatypes.FORMATS),
    "text/plain",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/sparql-results+json",
)


def store_version(store: GraphStore) -> tuple[str, float] | None:
    """(version, time written) of an embedded store; None when unknown (a remote store)."""
    if not isinstance(store, EmbeddedStore):
        return None
    try:
        directory = store.directory
        return str(directory), directory.stat().st_mtime
    except OSError:
        return None


def matches(req: BaseRequest, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` or one of its compressed variants."""
    tags = req.if_none_match
    if not tags:
        return False
    if tags.star_tag:
        return True
    candidates = (tag, *(f"{tag}:{algorithm}" for algorithm in _ALGORITHMS))
    return any(tags.contains_weak(candidate) for candidate in candidates)


def validate(response: BaseResponse, tag: str, last_modified: float, settings: Settings) -> None:
    """Put the validators and the freshness lifetime on ``response``."""
    response.set_etag(tag)
    response.last_modified = int(last_modified)  # type: ignore[assignment]
    response.headers["Cache-Control"] = cache_control(settings)


def cache_control(settings: Settings) -> str:
    """The ``Cache-Control`` of every read: ``http_max_age``, or revalidate each time."""
    if settings.http_max_age > 0:
        return f"public, max-age={settings.http_max_age}"
    return "no-cache"


def not_modified(
    tag: str, last_modified: float, settings: Settings, vary: Iterable[str] = ("Accept",)
) -> Response:
    """The 304 for a request that already holds ``tag`` (headers as the 200 would carry)."""
    response = Response(status=304)
    validate(response, tag, last_modified, settings)
    for header in (*vary, "Accept-Encoding"):
        response.vary.add(header)
    return response


def _page_tag(version: str) -> str:
    return entity_tag(
        version,
        (
            request.full_path,
            request.headers.get("Accept", ""),
            request.headers.get("Accept-Language", ""),
            request.host,
        ),
    )


def _before_page() -> Response | None:
    """304 for a page or document the client holds already, before it is rendered."""
    if request.method not in {"GET", "HEAD"} or request.endpoint not in VERSIONED_ENDPOINTS:
        return None
    from peacekg.web import state

    found = store_version(state().store)
    if found is None:
        return None
    tag = _page_tag(found[0])
    if matches(request, tag):
        return not_modified(tag, found[1], state().settings)
    return None


def _after(compress: Compress) -> Callable[[Response], Response]:
    def after(response: Response) -> Response:
        from peacekg.web import state

        if (
            request.method in {"GET", "HEAD"}
            and request.endpoint in VERSIONED_ENDPOINTS
            and response.status_code == 200
            and "ETag" not in response.headers
        ):
            found = store_version(state().store)
            if found is not None:
                validate(response, _page_tag(found[0]), found[1], state().settings)
        if request.endpoint == _DUMP_ENDPOINT or response.status_code == 206:
            return response  # send_dump chose the encoding; a byte range is never re-encoded
        response = compress.after_request(response)
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            response.make_conditional(request)  # the uncompressed variant's 304
        keep = g.pop(_KEEP, None)
        if keep is not None and response.status_code == 200:
            keep(response.headers.get("Content-Encoding"), response.get_data())
        return response

    return after


def keep_encoded(keep: Callable[[str | None, bytes], None]) -> None:
    """Have ``keep`` called with the coding chosen for this request's answer and its body.

    The result cache keeps what Flask-Compress made of an answer, so the next request with
    the same ``Accept-Encoding`` is answered without compressing again (issue 18).
    """
    g.setdefault(_KEEP, keep)


_KEEP = "peacekg_keep_encoded"


def install(app: Flask) -> None:
    """Compression and validators for ``app``'s responses."""
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_MIMETYPES=list(_COMPRESSIBLE),
        COMPRESS_ALGORITHM=list(_ALGORITHMS),
        COMPRESS_STREAMS=False,
    )
    compress = Compress()
    compress.init_app(app)
    app.before_request(_before_page)
    app.after_request(_after(compress))


def _accepts_gzip(req: Request) -> bool:
    return req.accept_encodings["gzip"] > 0


def send_dump(path: Path, media_type: str, version: tuple[str, float] | None) -> BaseResponse:
    """One dump file with ETag/Last-Modified, ``Range`` (206) and gzip when accepted.

    Read whole (dumps are small): nothing is left open when a client drops the response.
    """
    from peacekg.web import state

    settings = state().settings
    stat = path.stat()
    tag = entity_tag(version[0] if version else "", (path.name, str(stat.st_mtime_ns)))
    last_modified = stat.st_mtime
    data: bytes | None = None
    encoding = None
    if _accepts_gzip(request) and media_type != "application/gzip":
        encoding = "gzip"
        packed = path.with_name(path.name + ".gz")
        if packed.is_file() and packed.stat().st_mtime_ns >= stat.st_mtime_ns:
            data = packed.read_bytes()
        else:
            data = gzip.compress(path.read_bytes(), mtime=0)
        tag += ":gzip"
    if data is None:
        data = path.read_bytes()
    response = Response(data, mimetype=media_type)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    validate(response, tag, last_modified, settings)
    response.make_conditional(request, accept_ranges=True, complete_length=len(data))
    return response
