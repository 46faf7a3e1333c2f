"""The query catalogue: ``.rq`` files whose comment header says what they are for.

The UI, the README catalogue and the tests all read the same header (``# title:``,
``# description:``, ``# expect:``), so a query is documented once, next to its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*)$")


@dataclass(frozen=True)
class CatalogueQuery:
    """One ``.rq`` file with its header metadata."""

    path: Path
    slug: str
    title: str
    description: str
    expect: str | None
    text: str

    @property
    def body(self) -> str:
        """The text without its comment lines, so that a header mentioning a keyword (GRAPH,
        SERVICE, ORDER BY) is not taken for the query using it."""
        return "\n".join(
            line for line in self.text.splitlines() if not line.lstrip().startswith("#")
        )

    def uses(self, keyword: str) -> bool:
        """Whether the query itself (not its comments) has ``keyword``, in any case (a regular
        expression: ``ORDER\\s+BY`` for ORDER BY across a line break)."""
        return re.search(rf"\b{keyword}\b", self.body, re.IGNORECASE) is not None


def parse_query_file(path: Path) -> CatalogueQuery:
    """Read ``path``; the header is the leading run of ``# key: value`` comment lines."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    last_key: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last_key = match["key"]
            meta[last_key] = match["value"].strip()
        elif last_key is not None and line.strip("# ").strip():
            # A continuation line of the previous key (long descriptions wrap).
            meta[last_key] += " " + line.lstrip("#").strip()
    return CatalogueQuery(
        path=path,
        slug=path.stem,
        title=meta.get("title", path.stem),
        description=meta.get("description", ""),
        expect=meta.get("expect"),
        text=text,
    )


def load_catalogue(directory: Path) -> list[CatalogueQuery]:
    """Every ``.rq`` file in ``directory`` (not recursive), sorted by file name."""
    if not directory.is_dir():
        return []
    return [parse_query_file(p) for p in sorted(directory.glob("*.rq"))]


def catalogue_markdown(queries: list[CatalogueQuery]) -> str:
    """The catalogue as a Markdown table, for the README (checked by tests/test_docs.py)."""
    lines = ["| query | title | what it answers |", "|---|---|---|"]
    for query in queries:
        description = query.description.replace("|", "\\|")
        lines.append(f"| `{query.slug}` | {query.title} | {description} |")
    return "\n".join(lines)
