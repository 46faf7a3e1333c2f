"""The build's progress on a terminal (``peacekg.progress.StageTicker``)."""

from __future__ import annotations

import io

from peacekg.progress import StageTicker

CLEAR = "\r\x1b[2K"


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_running_stage_gets_a_status_line_that_each_report_replaces() -> None:
    stream, clock = Terminal(), Clock()
    ticker = StageTicker(stream, ["load", "validate", "reason"], clock=clock)
    assert ticker.running() == "load"
    clock.now += 2.4
    ticker.tick()
    ticker("load", "4 files")
    clock.now += 3.0
    ticker.tick()
    clock.now += 9.6
    ticker.tick()
    ticker("validate", "0 violations")
    ticker("validate", "warning x: y")  # a second report of the same stage starts nothing
    assert ticker.running() == "reason"
    assert stream.getvalue() == (
        f"{CLEAR}[load] | running, 2 s"
        f"{CLEAR}[load] 4 files\n"
        f"{CLEAR}[validate] / running, 3 s"
        f"{CLEAR}[validate] - running, 13 s"
        f"{CLEAR}[validate] 0 violations\n"
        "[validate] warning x: y\n"
    )


def test_after_the_last_stage_and_off_a_terminal_only_the_reports_are_written() -> None:
    stream = Terminal()
    ticker = StageTicker(stream, ["load"], clock=Clock())
    ticker("load", "done")
    ticker.tick()
    assert ticker.running() is None
    assert stream.getvalue() == "[load] done\n"

    log = io.StringIO()
    quiet = StageTicker(log, ["load", "reason"], clock=Clock())
    with quiet:
        quiet.tick()
        quiet("load", "done")
        quiet.tick()
    assert log.getvalue() == "[load] done\n"
    assert quiet._thread is None


def test_leaving_clears_the_status_line_and_stops_its_thread() -> None:
    stream = Terminal()
    with StageTicker(stream, ["load"], interval=3600, clock=Clock()) as ticker:
        ticker.tick()
        thread = ticker._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
    assert stream.getvalue() == f"{CLEAR}[load] | running, 0 s{CLEAR}"
