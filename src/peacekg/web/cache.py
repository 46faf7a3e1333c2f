"""The endpoint's result cache (issue 18): exact, because the graph changes only by a switch.

The served graph changes only when a build or an accepted update switches the store link to
a new directory, so the directory a request reads (the *store version*) plus everything the
answer depends on (the query text, the protocol dataset, the view, the Accept header and the
``format`` parameter, the endpoint URL) determines the answer's bytes. A request that starts
after a switch reads the new link, so its key differs from every key cached before: it can
never be given an old result. Entries are evicted least recently used first, so the cache
holds at most ``Settings.result_cache_bytes`` of answers (bodies, keys and headers counted).

Only answers that are a function of the key are kept: 200s of queries without ``SERVICE``
(the remote may change) and without functions that differ per call (``NOW()``, ``RAND()``,
``UUID()``, ``STRUUID()``, ``BNODE()``).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from werkzeug.wrappers import Request

from peacekg.workers import Outcome

#: What a request's answer depends on besides the store version (see the module docstring).
CacheKey = tuple[str, ...]

_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
# Bookkeeping per entry beyond its strings: the tuple, the Outcome, the dict (measured order).
_ENTRY_OVERHEAD = 512
# And per Accept-Encoding header learnt: its slot in two dicts.
_VARIANT_OVERHEAD = 128


def volatile(query: str) -> bool:
    """Whether ``query`` may call a function whose value differs per evaluation."""
    return _VOLATILE.search(query) is not None


def request_key(req: Request, text: str, values: Callable[[str], list[str]]) -> CacheKey:
    """Everything besides the store version that the answer to ``req`` depends on.

    ``values`` gives a parameter's values (from the URL, and from the body of a form post).
    """
    return (
        req.method,
        text.strip(),  # the same query whatever whitespace surrounds it
        req.headers.get("Accept", ""),
        *_section("format", values("format")),
        *_section("default-graph-uri", values("default-graph-uri")),
        *_section("named-graph-uri", values("named-graph-uri")),
        *_section("view", values("view")),
        req.base_url,
    )


def _section(name: str, values: list[str]) -> tuple[str, ...]:
    """A parameter's values behind its name and count, so no two requests share a key."""
    return (name, str(len(values)), *values)


def entity_tag(version: str, key: CacheKey) -> str:
    """A strong entity tag (unquoted) for the representation ``key`` names at ``version``."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (version, *key):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    """A cached answer, its validators and its compressed bodies.

    ``encodings`` maps an ``Accept-Encoding`` header, as sent, to the coding the server
    chose for it (None: none), and ``compressed`` a coding to the body in it: both learnt
    from answers Flask-Compress encoded, so a hit is never compressed again and gets the
    coding a miss would (issue 18).
    """

    outcome: Outcome
    etag: str
    last_modified: float
    size: int
    encodings: Mapping[str, str | None] = field(default_factory=dict)
    compressed: Mapping[str, bytes] = field(default_factory=dict)


def _size(key: CacheKey, outcome: Outcome) -> int:
    headers = sum(len(k) + len(v) for k, v in outcome.headers.items())
    strings = sum(len(part) for part in key) + len(outcome.content_type)
    return len(outcome.body) + headers + strings + _ENTRY_OVERHEAD


def _with_encoding(entry: Entry, accept: str, coding: str | None, body: bytes) -> Entry:
    """``entry`` knowing that ``accept`` gets ``coding`` (and its ``body``), size updated."""
    size = entry.size + len(accept) + _VARIANT_OVERHEAD
    compressed = dict(entry.compressed)
    if coding is not None and coding not in compressed:
        compressed[coding] = body
        size += len(body) + len(coding)
    return replace(
        entry, encodings={**entry.encodings, accept: coding}, compressed=compressed, size=size
    )


class ResultCache:
    """A thread-safe LRU of answers for the current store version, bounded by bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[CacheKey, Entry] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes held now (never more than ``max_bytes``)."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _switch(self, version: str) -> None:
        """Drop everything cached for another version (it can no longer be asked for)."""
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: CacheKey) -> Entry | None:
        """The answer cached for ``key`` at ``version``, or None."""
        with self._lock:
            self._switch(version)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(
        self, version: str, key: CacheKey, outcome: Outcome, etag: str, last_modified: float
    ) -> Entry:
        """Keep ``outcome`` for ``key`` at ``version`` unless it alone exceeds the bound, or a
        switch to another version happened meanwhile; returns the entry either way."""
        entry = Entry(outcome, etag, last_modified, _size(key, outcome))
        with self._lock:
            if version != self._version or entry.size > self.max_bytes:
                return entry
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
        return entry

    def add_encoding(
        self, version: str, key: CacheKey, accept: str, coding: str | None, body: bytes
    ) -> None:
        """Remember that the answer for ``key`` goes to ``accept`` in ``coding`` as ``body``.

        Nothing is kept when the entry is gone (evicted, or another version), or when the
        entry would outgrow the bound by itself.
        """
        with self._lock:
            entry = self._entries.get(key)
            if version != self._version or entry is None or accept in entry.encodings:
                return
            grown = _with_encoding(entry, accept, coding, body)
            if grown.size > self.max_bytes:
                return
            self._entries[key] = grown
            self._entries.move_to_end(key)
            self._bytes += grown.size - entry.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
