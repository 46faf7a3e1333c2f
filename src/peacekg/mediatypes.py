"""The one media-type table shared by the endpoint, linked data, export and the CLI.

Oxigraph-style lookups (``by_name``, ``by_extension``, ``by_media_type``) plus an Accept
parser that honours q-values and specificity (RFC 9110 section 12.5.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph


class Kind(Enum):
    """What a format can carry."""

    RESULTS = "results"  # SELECT/ASK results
    GRAPH = "graph"  # triples (CONSTRUCT/DESCRIBE, an entity's description)
    DATASET = "dataset"  # quads (dumps); also serialises triples
    PAGE = "page"


@dataclass(frozen=True)
class MediaFormat:
    """One serialisation: its short name, media type, file extensions and engine format."""

    name: str
    media_type: str
    extensions: tuple[str, ...]
    kind: Kind
    aliases: tuple[str, ...] = ()
    label: str = ""

    @property
    def extension(self) -> str:
        """The preferred file extension (without dot)."""
        return self.extensions[0]

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types get a charset)."""
        textual = self.media_type.startswith("text/") or self.name in {"json", "jsonld", "xml"}
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def rdflib_format(self) -> str:
        """rdflib's serializer name for this entry (for graphs built with rdflib).

        N-Quads maps to N-Triples: rdflib's N-Quads writer refuses a plain Graph, and the
        N-Quads of a graph in the default graph are exactly its N-Triples lines.
        """
        names = {"ntriples": "nt", "nquads": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
        if self.kind not in {Kind.GRAPH, Kind.DATASET}:
            raise ValueError(f"{self.name} is not an RDF serialisation")
        return names.get(self.name, self.name)

    def rdf_format(self) -> pyoxigraph.RdfFormat:
        """Oxigraph's RDF format for this entry."""
        fmt = pyoxigraph.RdfFormat.from_media_type(self.media_type)
        if fmt is None:
            raise ValueError(f"{self.name} is not an RDF serialisation")
        return fmt

    def results_format(self) -> pyoxigraph.QueryResultsFormat:
        """Oxigraph's query-results format for this entry."""
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(self.media_type)
        if fmt is None:
            raise ValueError(f"{self.name} is not a SPARQL results format")
        return fmt


FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat(
        "json",
        "application/sparql-results+json",
        ("srj", "json"),
        Kind.RESULTS,
        ("application/json",),
        "SPARQL results JSON",
    ),
    MediaFormat(
        "xml",
        "application/sparql-results+xml",
        ("srx", "xml"),
        Kind.RESULTS,
        ("application/xml", "text/xml"),
        "SPARQL results XML",
    ),
    MediaFormat("csv", "text/csv", ("csv",), Kind.RESULTS, (), "CSV"),
    MediaFormat("tsv", "text/tab-separated-values", ("tsv",), Kind.RESULTS, (), "TSV"),
    MediaFormat("turtle", "text/turtle", ("ttl",), Kind.GRAPH, ("application/x-turtle",), "Turtle"),
    MediaFormat(
        "ntriples", "application/n-triples", ("nt",), Kind.GRAPH, ("text/plain",), "N-Triples"
    ),
    MediaFormat("rdfxml", "application/rdf+xml", ("rdf", "owl"), Kind.GRAPH, (), "RDF/XML"),
    MediaFormat("jsonld", "application/ld+json", ("jsonld",), Kind.DATASET, (), "JSON-LD"),
    MediaFormat("trig", "application/trig", ("trig",), Kind.DATASET, (), "TriG"),
    MediaFormat("nquads", "application/n-quads", ("nq",), Kind.DATASET, (), "N-Quads"),
    MediaFormat("html", "text/html", ("html",), Kind.PAGE, ("application/xhtml+xml",), "HTML page"),
)

RESULT_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.RESULTS)
GRAPH_FORMATS = tuple(f for f in FORMATS if f.kind in {Kind.GRAPH, Kind.DATASET})
DATASET_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.DATASET or f.name == "nquads")


def by_name(name: str) -> MediaFormat | None:
    """Look a format up by short name (``turtle``), extension (``ttl``) or media type."""
    key = name.strip().lower()
    for fmt in FORMATS:
        if key == fmt.name or key in fmt.extensions or key == fmt.media_type or key in fmt.aliases:
            return fmt
    return None


def by_extension(extension: str) -> MediaFormat | None:
    """Look a format up by file extension, with or without the dot."""
    key = extension.lower().lstrip(".")
    return next((f for f in FORMATS if key in f.extensions), None)


def by_media_type(media_type: str) -> MediaFormat | None:
    """Look a format up by media type or alias (parameters ignored)."""
    key = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in FORMATS if key == f.media_type or key in f.aliases), None)


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        """2 for type/subtype, 1 for type/*, 0 for */*."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type``."""
        main, _, sub = media_type.partition("/")
        return self.type in {"*", main} and self.subtype in {"*", sub}


class AcceptError(ValueError):
    """An Accept header that cannot be parsed."""


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; an empty or missing header accepts anything (``*/*``)."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        part = part.strip()
        if not part:
            continue
        media, *params = (p.strip() for p in part.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            raise AcceptError(f"bad media range {media!r} in Accept header")
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError as error:
                    raise AcceptError(f"bad q-value {value!r} in Accept header") from error
                if not 0.0 <= q <= 1.0:
                    raise AcceptError(f"q-value {value!r} out of range in Accept header")
        ranges.append(MediaRange(main, sub, q, order))
    return ranges


def _quality(ranges: Sequence[MediaRange], fmt: MediaFormat) -> tuple[float, int]:
    """q of the most specific range matching ``fmt``, and that specificity.

    Wildcards match the canonical media type only; an alias counts when named exactly, so
    ``text/*`` does not pull in SPARQL XML results through its ``text/xml`` alias.
    """
    best: tuple[int, float] | None = None
    for r in ranges:
        exact_alias = r.specificity == 2 and f"{r.type}/{r.subtype}" in fmt.aliases
        matches = r.matches(fmt.media_type) or exact_alias
        if matches and (best is None or r.specificity > best[0]):
            best = (r.specificity, r.q)
    if best is None:
        return 0.0, -1
    return best[1], best[0]


def negotiate(header: str | None, offered: Sequence[MediaFormat]) -> MediaFormat | None:
    """The offered format the client prefers most; ties go to the server's order.

    Returns None when nothing offered is acceptable (the caller answers 406).
    """
    ranges = parse_accept(header)
    best: MediaFormat | None = None
    best_key: tuple[float, int, int] | None = None
    for position, fmt in enumerate(offered):
        q, specificity = _quality(ranges, fmt)
        if q <= 0:
            continue
        key = (q, specificity, -position)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    return best
