"""A real waitress server in a thread, stopped only after its requests finish (issue 13).

Shared by every test that needs PeaceKG on 127.0.0.1: the endpoint, W3C, UI and page tests.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer

from peacekg.config import Settings
from peacekg.serve import create_server
from peacekg.web.sparql import shutdown

__all__ = ["LiveServer", "ServeProcess", "serve_process", "start_server"]

#: What ``peacekg serve`` says once its socket is bound (cli.serve_command).
_READY = re.compile(r"serving at http://127\.0\.0\.1:(\d+)/")


@dataclass
class LiveServer:
    """A waitress server in a background thread on 127.0.0.1."""

    app: Flask
    url: str
    settings: Settings


def start_server(app: Flask, threads: int = 8) -> tuple[LiveServer, Callable[[], None]]:
    """``app`` under PeaceKG's waitress server on a free port, and the function stopping it.

    Stopping first stops accepting and waits for the requests in progress (waitress's task
    threads) to finish, then closes the connections: closing them while a thread still
    writes a response made teardown error now and then (issue 13).
    """
    settings = app.extensions["peacekg"].settings
    server = create_server(app, settings, port=0, threads=threads)
    assert isinstance(server, BaseWSGIServer)  # one address: one listening server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[attr-defined]

    def stop() -> None:
        server.accepting = False
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=30)
        # Closed by the loop's own thread (a thunk run by the trigger): closing sockets
        # from here while it polls them would make it poll a closed descriptor.
        connections, trigger = vars(server)["_map"], vars(server)["trigger"]
        trigger.pull_trigger(lambda: wasyncore.close_all(connections))
        thread.join(timeout=10)
        assert not thread.is_alive()
        shutdown(app)

    return LiveServer(app=app, url=f"http://127.0.0.1:{port}", settings=settings), stop


@dataclass
class ServeProcess:
    """A ``peacekg serve`` process and the port the OS gave it."""

    process: subprocess.Popen[str]
    port: int
    #: What it printed up to "serving at" (the rest is read when it is stopped).
    lines: list[str]

    def stop(self) -> str:
        """Terminate it; everything it printed."""
        self.process.terminate()
        rest = self.process.communicate(timeout=30)[0]
        return "".join(self.lines) + rest


def serve_process(command: list[str], **popen: object) -> ServeProcess:
    """Start ``command`` (a ``peacekg serve`` with ``--port 0``) and wait until it says where
    it listens: the OS picks the port, so no other process (another suite on a busy CI
    machine) can take it between a free-port probe and the server's bind."""
    process = subprocess.Popen(  # type: ignore[call-overload]
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen
    )
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        ready = _READY.search(line)
        if ready:
            return ServeProcess(process, int(ready.group(1)), lines)
    process.wait(timeout=30)
    raise AssertionError(f"serve exited with {process.returncode}:\n{''.join(lines)}")
