"""The web application: ``create_app(settings)`` composes the blueprints over one store."""

from __future__ import annotations

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

    from peacekg.web.resource import resource_bp
    from peacekg.web.sparql import sparql_bp
    from peacekg.web.ui import ui_bp

    app.register_blueprint(sparql_bp)
    app.register_blueprint(ui_bp)
    app.register_blueprint(resource_bp)
    app.register_error_handler(Exception, _internal_error)
    return app


def _internal_error(error: Exception) -> HTTPException | Response:
    """Any unhandled exception: logged with its traceback, a generic text/plain 500.

    HTTP errors (404, 405, ...) raised anywhere keep their own response.
    """
    if isinstance(error, HTTPException):
        return error
    current_app.logger.error("unhandled exception", exc_info=error)
    return Response("internal error (logged)\n", status=500, mimetype="text/plain")


def state() -> AppState:
    """The running app's state."""
    result = current_app.extensions["peacekg"]
    assert isinstance(result, AppState)
    return result
