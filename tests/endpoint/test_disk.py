"""A full or read-only disk under /update and /dumps: 507 / 503, nothing half-written left.

The build writes the dumps with the store, so /dumps only reads them and still answers on a
full or read-only disk; only a store without dumps of its own (written by /update) makes a
request write them, and that request gets the 507 / 503.

The build directory lies on a small tmpfs of its own (mounting needs root; skipped
elsewhere), filled up or remounted read-only: the kernel's own ENOSPC and EROFS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from peacekg import __version__
from peacekg.store import DUMPS_SUBDIR
from tests.endpoint.conftest import TOKEN
from tests.endpoint.test_update import AUTH, ROUND3_FACTS, _counts, _insert

FULL = "the server's disk is full: nothing was changed or written; try again later\n"
READ_ONLY = "the server's disk is read-only: nothing was changed or written\n"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def on_disk(
    fresh_mini: Path, disk: Path, make_app: Callable[..., Flask]
) -> tuple[FlaskClient, Path]:
    """A writable app whose build directory (store and dumps) is on ``disk``."""
    build_dir = disk / "build"
    shutil.copytree(fresh_mini / "build", build_dir, symlinks=True)
    app = make_app(fresh_mini, update_token=TOKEN, build_dir=build_dir)
    return app.test_client(), build_dir


def _fill(disk: Path) -> None:
    """Write until the kernel says ENOSPC.

    Unbuffered: a buffered file kept the bytes of its last failed write and raised ENOSPC
    again when closed, depending on how much room the store had left.
    """
    with (disk / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError:
            pass


def _entries(build_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(build_dir)) for p in build_dir.rglob("*"))


def test_a_full_disk_is_507_and_leaves_nothing_behind(
    on_disk: tuple[FlaskClient, Path], disk: Path
) -> None:
    client, build_dir = on_disk
    before = _counts(client)
    _fill(disk)
    entries = _entries(build_dir)
    update = client.post(
        "/update",
        data=_insert(ROUND3_FACTS).encode(),
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert (update.status_code, update.data.decode()) == (507, FULL)
    # The build's own dumps are only read: listed and downloadable on a full disk.
    dumps = client.get("/dumps")
    assert dumps.status_code == 200
    assert client.get(f"/dumps/peacekg-{__version__}.nq").status_code == 200
    # No half-written store, link or dump: only what was there.
    assert _entries(build_dir) == entries
    assert _counts(client) == before


def test_dumps_written_by_a_request_on_a_full_disk_are_507(
    on_disk: tuple[FlaskClient, Path], disk: Path
) -> None:
    client, build_dir = on_disk
    # A store without dumps of its own (as /update writes it): the request must write them.
    shutil.rmtree(build_dir / "store" / DUMPS_SUBDIR)
    _fill(disk)
    entries = _entries(build_dir)
    dumps = client.get("/dumps")
    assert (dumps.status_code, dumps.data.decode()) == (507, FULL)
    # No half-written dump: only what was there (dumps/ may be new, empty).
    assert [e for e in _entries(build_dir) if e != "dumps"] == entries

    (disk / "filler").unlink()
    assert client.get("/dumps").status_code == 200


def test_a_read_only_disk_is_503(on_disk: tuple[FlaskClient, Path], disk: Path) -> None:
    client, build_dir = on_disk
    before = _counts(client)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    entries = _entries(build_dir)
    update = client.post(
        "/update",
        data=_insert(ROUND3_FACTS).encode(),
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert (update.status_code, update.data.decode()) == (503, READ_ONLY)
    shown = client.get("/dumps")
    assert shown.status_code == 200  # the build's dumps: read, not written
    assert _entries(build_dir) == entries
    assert _counts(client) == before
    assert os.readlink(build_dir / "store") in entries
