"""The build's progress on a terminal: each stage's report, and a live line for the running one.

A stage of a large build runs for minutes inside one Rust call (parsing, reasoning, a bulk
load) that reports nothing until it ends, so no stage has a count to fill a bar with. On a
terminal the running stage gets a status line instead, redrawn every ``interval`` seconds
with the time it has taken so far, as cargo and pip show theirs; elsewhere (a log, CI) only
the stages' own reports are written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TextIO

_SPINNER = "|/-\\"
_CLEAR = "\r\x1b[2K"


class StageTicker:
    """A progress sink for :func:`peacekg.pipeline.build`, as a context manager.

    ``stages`` are the stages the build reports, in order (:func:`peacekg.pipeline.stages`):
    the one after the last reported is the one running.
    """

    def __init__(
        self,
        stream: TextIO,
        stages: Sequence[str],
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.stages = list(stages)
        self.interval = interval
        self.clock = clock
        self.live = stream.isatty()
        self._lock = threading.Lock()
        self._done = 0
        self._started = clock()
        self._ticks = 0
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, stage: str, message: str) -> None:
        """Write a stage's report (over the status line) and start timing the next stage."""
        with self._lock:
            self._clear()
            self.stream.write(f"[{stage}] {message}\n")
            self.stream.flush()
            if stage in self.stages[self._done :]:
                self._done = self.stages.index(stage, self._done) + 1
                self._started = self.clock()

    def running(self) -> str | None:
        """The stage running now, or None after the last."""
        return self.stages[self._done] if self._done < len(self.stages) else None

    def tick(self) -> None:
        """Redraw the status line of the running stage (on a terminal only)."""
        with self._lock:
            stage = self.running()
            if not self.live or stage is None:
                return
            elapsed = self.clock() - self._started
            spinner = _SPINNER[self._ticks % len(_SPINNER)]
            self._ticks += 1
            self.stream.write(f"{_CLEAR}[{stage}] {spinner} running, {elapsed:.0f} s")
            self.stream.flush()
            self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write(_CLEAR)
            self._drawn = False

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def __enter__(self) -> StageTicker:
        if self.live:
            self._thread = threading.Thread(target=self._run, name="peacekg-ticker", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the status line and leave the terminal on a fresh line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._clear()
            self.stream.flush()
