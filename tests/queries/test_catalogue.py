"""What a catalogue query uses is read from its text, never from its comment header."""

from __future__ import annotations

from pathlib import Path

from peacekg.queries import parse_query_file

QUERY = """# title: Named graphs
# description: Lists no GRAPH and calls no SERVICE, though this header names both.
SELECT ?s WHERE {
    ?s ?p ?o  # a trailing comment is part of the line, as before
}
order
  by ?s
"""


def test_uses_reads_the_body_not_the_header(tmp_path: Path) -> None:
    path = tmp_path / "01-named-graphs.rq"
    path.write_text(QUERY, encoding="utf-8")
    query = parse_query_file(path)
    assert query.body == "\n".join(QUERY.splitlines()[2:])
    assert not query.uses("GRAPH")
    assert not query.uses("SERVICE")
    assert query.uses(r"ORDER\s+BY")
    assert query.uses("select")
