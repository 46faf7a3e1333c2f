"""Old stores and half-written ones are removed without breaking the build that removes them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest

from peacekg.store import PARTIAL_DUMPS_PREFIX, REPLACED_STORE_GRACE_SECONDS, write_store

QUAD = pyoxigraph.Quad(
    pyoxigraph.NamedNode("http://example.org/s"),
    pyoxigraph.NamedNode("http://example.org/p"),
    pyoxigraph.Literal("o"),
    pyoxigraph.NamedNode("http://example.org/g"),
)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _entries(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_many_old_stores_are_all_removed_and_the_write_succeeds(tmp_path: Path) -> None:
    link = tmp_path / "store"
    written = [write_store(link, [QUAD]) for _ in range(4)]
    # Every store, the served one included, replaced long ago (the issue's `touch -d`).
    for index, directory in enumerate(written):
        _age(directory, REPLACED_STORE_GRACE_SECONDS + 600 - index)
    newest = write_store(link, [QUAD])
    assert os.readlink(link) == newest.name
    # The previous store is kept; the three before it were replaced long ago: gone.
    assert _entries(tmp_path) == sorted(["store", written[-1].name, newest.name])


_KILLED_WRITER = """
import os, signal, sys
import pyoxigraph
from peacekg.store import write_store

def quads():
    for i in range(100):
        yield pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"http://example.org/s{i}"),
            pyoxigraph.NamedNode("http://example.org/p"),
            pyoxigraph.Literal("o"),
            pyoxigraph.NamedNode("http://example.org/g"),
        )
    os.kill(os.getpid(), signal.SIGKILL)  # killed while the store is half-written

write_store(__import__("pathlib").Path(sys.argv[1]), quads())
"""


def test_a_killed_write_leaves_nothing_behind_after_the_next_write(tmp_path: Path) -> None:
    link = tmp_path / "store"
    served = write_store(link, [QUAD])
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(link)], check=False, capture_output=True
    )
    assert killed.returncode == -9
    # The half-written directory is not a store anyone may take for a served one...
    assert [p.name for p in tmp_path.glob("store-*")] == [served.name]
    assert os.readlink(link) == served.name
    # ...and the next write removes it (its writer is dead).
    newest = write_store(link, [QUAD])
    assert _entries(tmp_path) == sorted(["store", served.name, newest.name])


def test_a_half_written_store_of_a_live_writer_is_kept(tmp_path: Path) -> None:
    link = tmp_path / "store"
    write_store(link, [QUAD])
    busy = tmp_path / f".partial-store-{os.getpid()}-1"
    busy.mkdir()
    newest = write_store(link, [QUAD])
    assert busy.is_dir()
    assert os.readlink(link) == newest.name


def test_a_failing_step_before_the_switch_leaves_the_served_store(tmp_path: Path) -> None:
    link = tmp_path / "store"
    served = write_store(link, [QUAD])
    seen: list[Path] = []

    def fail(directory: Path) -> None:
        seen.append(directory)
        (directory / "dumps").mkdir()
        raise OSError("dump failed")

    with pytest.raises(OSError, match=r"^dump failed$"):
        write_store(link, [QUAD], before_switch=fail)
    # The step saw the complete new store; the link still names the old one, and the new
    # directory (with what the step wrote) is gone.
    assert len(seen) == 1 and seen[0] != served
    assert os.readlink(link) == served.name
    assert _entries(tmp_path) == sorted(["store", served.name])


def test_dumps_scratch_of_a_dead_build_goes_and_a_live_ones_stays(tmp_path: Path) -> None:
    link = tmp_path / "store"
    served = write_store(link, [QUAD])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    orphan = tmp_path / f"{PARTIAL_DUMPS_PREFIX}{dead}-x1y2"
    busy = tmp_path / f"{PARTIAL_DUMPS_PREFIX}{os.getpid()}-x3y4"
    for directory in (orphan, busy):
        directory.mkdir()
        (directory / "peacekg.nq").write_bytes(b"")
    newest = write_store(link, [QUAD])
    assert _entries(tmp_path) == sorted(["store", served.name, newest.name, busy.name])


def test_a_store_is_bulk_loaded_from_an_n_quads_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump.nq"
    dump.write_bytes(
        b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
    )
    directory = write_store(tmp_path / "build" / "store", dump)
    store = pyoxigraph.Store.read_only(str(directory))
    assert list(store) == [QUAD]
