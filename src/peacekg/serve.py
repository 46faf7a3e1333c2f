"""Serve stage: the web app under waitress, a production WSGI server.

Waitress keeps a connection open until its ``channel_timeout`` (120 s by default) and stops
accepting at ``connection_limit`` (100), so about 100 sockets that never finish their
headers (slow-loris) would lock everyone out for two minutes. Here idle connections time
out after ``Settings.channel_timeout`` seconds, checked every ``cleanup_interval``, and when
the limit is reached the oldest connections with no request in progress are dropped to
make room: a client whose request arrives is always read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, TcpWSGIServer
from waitress.server import create_server as waitress_server

from peacekg.config import Settings
from peacekg.web import create_app


class _SheddingServer(TcpWSGIServer):
    """A waitress server that drops idle connections rather than stop accepting new ones."""

    _map: dict[int, Any]  # waitress's connection map (set by wasyncore.dispatcher)

    def readable(self) -> bool:
        """Called by waitress's loop before each poll: make room, then accept as usual."""
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            shed_idle(self._map, self.adj.connection_limit)
        return bool(super().readable())


def shed_idle(channels: Mapping[int, Any], limit: int) -> int:
    """Mark for closing the least recently active connections that wait for a request, until
    one more fits under ``limit``; connections with a request in progress are never touched.

    Marked, not closed: waitress closes a channel marked ``will_close`` on the loop's next
    pass (as its own idle cleanup does); closing it here, while the loop lists the sockets
    to poll, would poll a closed descriptor. Returns how many were newly marked.
    """
    waiting = [c for c in list(channels.values()) if isinstance(c, HTTPChannel)]
    closing = sum(1 for c in waiting if c.will_close)
    idle = sorted(
        (c for c in waiting if not c.will_close and not c.requests and not c.total_outbufs_len),
        key=lambda c: c.last_activity,
    )
    doomed = idle[: max(0, len(channels) - limit + 1 - closing)]
    for channel in doomed:
        channel.will_close = True
    return len(doomed)


def create_server(
    app: Flask, settings: Settings, *, port: int | None = None, threads: int | None = None
) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server for ``app`` with the connection settings of ``settings``.

    ``port`` and ``threads`` override the settings (tests bind port 0).
    """
    server = waitress_server(
        app,
        host=settings.host,
        port=settings.port if port is None else port,
        threads=settings.threads if threads is None else threads,
        max_request_body_size=settings.max_request_bytes,
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout,
        cleanup_interval=settings.cleanup_interval,
        ident="peacekg",
    )
    # Waitress has no hook for its server class: switch the listening servers' class (each
    # registered itself in the connection map).
    channels = server.map if isinstance(server, MultiSocketServer) else vars(server)["_map"]
    for dispatcher in list((channels or {}).values()):
        if type(dispatcher) is TcpWSGIServer:
            dispatcher.__class__ = _SheddingServer
    return server


def serve(settings: Settings, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the app on ``settings.host:settings.port`` until interrupted.

    ``on_ready`` gets the base URL once the socket is bound, so "serving at" is only said when
    true (a port already in use fails before it, with the OS's error). With port 0 the OS
    picks a free port and the URL names it: a test that starts a server this way cannot race
    another process for a port it found free a moment before.
    """
    app = create_app(settings)
    server = create_server(app, settings)
    port = getattr(server, "effective_port", settings.port)
    if on_ready is not None:
        on_ready(f"http://{settings.host}:{port}")
    try:
        server.run()
    finally:
        server.close()
