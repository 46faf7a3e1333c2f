"""Serve stage: the web app under waitress, a production WSGI server."""

from __future__ import annotations

from collections.abc import Callable

from waitress.server import create_server

from peacekg.config import Settings
from peacekg.web import create_app


def serve(settings: Settings, on_ready: Callable[[], None] | None = None) -> None:
    """Serve the app on ``settings.host:settings.port`` until interrupted.

    ``on_ready`` runs once the socket is bound, so "serving at" is only said when true
    (a port already in use fails before it, with the OS's error).
    """
    app = create_app(settings)
    server = create_server(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        max_request_body_size=settings.max_request_bytes,
        ident="peacekg",
    )
    if on_ready is not None:
        on_ready()
    try:
        server.run()
    finally:
        server.close()
