"""Serve stage: the web app under waitress, a production WSGI server."""

from __future__ import annotations

import waitress

from peacekg.config import Settings
from peacekg.web import create_app


def serve(settings: Settings) -> None:
    """Serve the app on ``settings.host:settings.port`` until interrupted."""
    app = create_app(settings)
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        max_request_body_size=settings.max_request_bytes,
        ident="peacekg",
    )
