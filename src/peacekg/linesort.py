"""Sorted N-Triples lines and hashed, compressed files, in bounded memory (issue 17).

A dump must be a function of the graph's content alone, so its statements are sorted. Sorting
the lines Oxigraph writes, as bytes, costs no Python term per statement; sorting runs of at most
``chunk`` lines and merging them from disk keeps memory flat whatever the graph's size, as
``sort(1)`` does. A dump is written once, with its gzip copy and both SHA-256 sums computed on
the way, so no file is read back to hash or compress it.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

#: Lines held in memory by :func:`sorted_lines` (about 120 MB of N-Triples lines).
SORT_CHUNK = 1_000_000
#: gzip level of the compressed dumps: 6 is zlib's default, several times faster than 9 on
#: N-Quads for files a few per cent larger.
GZIP_LEVEL = 6
#: Bytes gathered before one write, so that the hash, the file and gzip see few large calls.
_BATCH = 1 << 20
#: Bytes of lines read at once from a file; lines handed on at once after a merge.
_READ = 16 << 20
_MERGED = 100_000


def read_chunks(path: Path, size: int = _READ) -> Iterator[list[bytes]]:
    """The lines of the file at ``path``, in lists of about ``size`` bytes."""
    with path.open("rb") as file:
        while lines := file.readlines(size):
            yield lines


def sorted_chunks(
    chunks: Iterable[list[bytes]],
    scratch: Path,
    *,
    unique: bool = False,
    chunk: int | None = None,
) -> Iterator[list[bytes]]:
    """The lines of ``chunks`` in byte order (each once if ``unique``), as lists, holding at
    most about ``chunk`` (default :data:`SORT_CHUNK`) lines in memory.

    Beyond that, runs are sorted and written to files in ``scratch``, then merged; the files
    are removed when the iterator is exhausted or closed. Lists keep the per-line work in C.
    """
    limit = SORT_CHUNK if chunk is None else chunk
    runs: list[Path] = []
    batch: list[bytes] = []
    with ExitStack() as cleanup:
        for part in chunks:
            batch.extend(part)
            if len(batch) >= limit:
                runs.append(_write_run(_sorted(batch, unique), scratch))
                cleanup.callback(runs[-1].unlink, missing_ok=True)
                batch = []
        if not runs:
            yield _sorted(batch, unique)
            return
        runs.append(_write_run(_sorted(batch, unique), scratch))
        cleanup.callback(runs[-1].unlink, missing_ok=True)
        del batch
        merged: Iterator[bytes] = heapq.merge(*(cleanup.enter_context(r.open("rb")) for r in runs))
        if unique:  # equal lines of different runs are now neighbours
            merged = (line for line, _ in itertools.groupby(merged))
        while part := list(itertools.islice(merged, _MERGED)):
            yield part


def _sorted(lines: list[bytes], unique: bool) -> list[bytes]:
    return sorted(set(lines)) if unique else sorted(lines)


def _write_run(lines: list[bytes], scratch: Path) -> Path:
    descriptor, name = tempfile.mkstemp(prefix="run-", suffix=".nt", dir=scratch)
    with os.fdopen(descriptor, "wb") as file:
        file.writelines(lines)
    return Path(name)


class HashedFile:
    """A binary file written under a temporary name with its SHA-256, renamed into place by
    :meth:`commit` so a download never sees half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._file = self._temporary.open("wb")
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        """Append ``data``."""
        self._hash.update(data)
        return self._file.write(data)

    def flush(self) -> None:
        """Kept for writers that flush (pyoxigraph's serialisers do)."""
        self._file.flush()

    def commit(self) -> str:
        """Close, rename into place and return the hex SHA-256 of what was written."""
        self._file.close()
        os.replace(self._temporary, self.path)
        return self._hash.hexdigest()

    def discard(self) -> None:
        """Close and remove the temporary file (after a failure)."""
        self._file.close()
        self._temporary.unlink(missing_ok=True)


class DumpWriter:
    """One dump and its ``.gz`` copy written together, as a context manager: ``write``
    takes the plain bytes; both files are renamed into place when the block ends, or removed
    when it raises. The gzip member has no name and mtime 0, so equal content gives equal
    bytes.
    """

    def __init__(self, path: Path, level: int = GZIP_LEVEL) -> None:
        self.plain = HashedFile(path)
        self.packed = HashedFile(path.with_name(path.name + ".gz"))
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=self.packed, compresslevel=level, mtime=0
        )
        self._pending: list[bytes] = []
        self._size = 0
        #: (path, SHA-256) of the plain file, then of the gzip one, once committed.
        self.sums: list[tuple[Path, str]] = []

    def write(self, data: bytes) -> int:
        """Append ``data`` (buffered into large writes)."""
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= _BATCH:
            self._drain()
        return len(data)

    def flush(self) -> None:
        """Nothing to do: data reaches the files in large batches and on :meth:`commit`."""

    def _drain(self) -> None:
        data = b"".join(self._pending)
        self._pending, self._size = [], 0
        self.plain.write(data)
        self._gzip.write(data)

    def __enter__(self) -> DumpWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Commit both files, or remove both when the block raised."""
        if kind is not None:
            self._gzip.close()
            self.plain.discard()
            self.packed.discard()
            return
        self._drain()
        self._gzip.close()
        self.sums = [
            (self.plain.path, self.plain.commit()),
            (self.packed.path, self.packed.commit()),
        ]
