"""The web application: ``create_app(settings)`` composes the blueprints over one store."""

from __future__ import annotations

import errno
import os
import threading
from dataclasses import dataclass, field

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException

from peacekg.config import Settings, load_settings
from peacekg.remote import RemoteStore
from peacekg.store import EmbeddedStore, GraphStore


@dataclass
class AppState:
    """What every request handler needs; kept on the app, never in module globals."""

    settings: Settings
    store: GraphStore
    # Guards the lazy creation of per-app state (the endpoint's worker pool).
    lock: threading.Lock = field(default_factory=threading.Lock)


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: embedded by default, a remote SPARQL store when set."""
    if settings.store_url:
        return RemoteStore.from_settings(settings)
    return EmbeddedStore.for_graphs(settings.store_path, settings.graphs)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Flask:
    """Build the Flask app for ``settings`` (loaded from the usual sources when None)."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["peacekg"] = AppState(settings=settings, store=store or open_store(settings))

    from peacekg.web.reconcile import reconcile_bp
    from peacekg.web.resource import resource_bp
    from peacekg.web.seo import seo_bp
    from peacekg.web.sparql import sparql_bp
    from peacekg.web.ui import ui_bp

    app.register_blueprint(sparql_bp)
    app.register_blueprint(ui_bp)
    app.register_blueprint(resource_bp)
    app.register_blueprint(seo_bp)
    app.register_blueprint(reconcile_bp)
    app.register_error_handler(Exception, internal_error)
    from peacekg.web import hitpath, httpcache

    httpcache.install(app)  # compression and validators of every read (issue 18)
    hitpath.install(app)  # plain cache hits of /sparql answered before Flask
    return app


def internal_error(error: Exception) -> HTTPException | Response:
    """Any unhandled exception: logged with its traceback, a generic text/plain 500.

    HTTP errors (404, 405, ...) raised anywhere keep their own response.
    """
    if isinstance(error, HTTPException):
        return error
    disk = disk_error(error)
    if disk is not None:
        current_app.logger.error("cannot write to disk", exc_info=error)
        return Response(disk[1] + "\n", status=disk[0], mimetype="text/plain")
    current_app.logger.error("unhandled exception", exc_info=error)
    return Response("internal error (logged)\n", status=500, mimetype="text/plain")


def disk_error(error: BaseException) -> tuple[int, str] | None:
    """(status, message) when ``error`` is a full (507) or read-only (503) disk, else None.

    Not our bug and not the client's: the answer says so, where a 500 would not.
    """
    if not isinstance(error, OSError):
        return None
    code = error.errno
    if code is None:
        # Oxigraph (RocksDB) raises OSError without errno, the OS's words in its message.
        text = str(error)
        code = next((c for c in _DISK_ERRNOS if os.strerror(c) in text), None)
    if code in {errno.ENOSPC, errno.EDQUOT}:
        return 507, "the server's disk is full: nothing was changed or written; try again later"
    if code == errno.EROFS:
        return 503, "the server's disk is read-only: nothing was changed or written"
    return None


_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def state() -> AppState:
    """The running app's state."""
    result = current_app.extensions["peacekg"]
    assert isinstance(result, AppState)
    return result
