"""Small pure pieces: dates with precision, fallback labels, the SVG pictures."""

from __future__ import annotations

import re

import pytest

from peacekg.describe import ClaimEntry, Dating, Stance, TimelineEntry, local_name
from peacekg.web.pictures import claims_svg, timeline_svg


@pytest.mark.parametrize(
    ("dating", "text"),
    [
        (
            Dating("late March 2022", "part of month", "", "2022-03-21", "2022-03-31"),
            "late March 2022 (part of month: 2022-03-21 – 2022-03-31)",
        ),
        (
            Dating("28 February 2022", "day", "", "2022-02-28", "2022-02-28"),
            "28 February 2022 (day: 2022-02-28)",
        ),
        (
            Dating("", "year", "", "2023-01-01", "2023-12-31"),
            "2023-01-01 – 2023-12-31 (year: 2023-01-01 – 2023-12-31)",
        ),
        (
            Dating("mid-2023", "", "", "2023-05-01", "2023-08-31"),
            "mid-2023 (precision not stated: 2023-05-01 – 2023-08-31)",
        ),
    ],
)
def test_dating_text_shows_precision_and_bounds(dating: Dating, text: str) -> None:
    assert dating.text == text


def test_local_name_is_readable() -> None:
    assert (
        local_name("https://w3id.org/peacekg/id/claim-reply-framework") == "claim reply framework"
    )
    assert local_name("https://w3id.org/peacekg/ontology#datePrecision") == "datePrecision"


def _href(iri: str) -> str:
    return "/page/" + iri.rsplit("/", 1)[-1]


def test_timeline_bar_spans_the_interval() -> None:
    entries = [
        TimelineEntry(
            "https://x/id/a",
            "A",
            "meeting",
            Dating("2022", "year", "", "2022-01-01", "2022-12-31"),
            "",
        ),
        TimelineEntry(
            "https://x/id/b",
            "B",
            "meeting",
            Dating("1 July 2022", "day", "", "2022-07-01", "2022-07-01"),
            "",
        ),
    ]
    svg = timeline_svg(entries, _href, width=960)
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="\d+" width="([0-9.]+)"', svg)]
    assert widths[0] > 100 * widths[1] / 3  # a year is far wider than a day
    assert '<a class="mark" href="/page/a"' in svg and '<a class="mark" href="/page/b"' in svg
    assert "A: 2022 (year: 2022-01-01 – 2022-12-31)" in svg


def test_claims_picture_draws_each_stance_once() -> None:
    claims = [ClaimEntry(f"https://x/id/c{i}", f"C{i}", "", ("X",), (), "") for i in range(5)]
    stances = [
        Stance("https://x/id/c1", "disputes", "https://x/id/c0"),
        Stance("https://x/id/c2", "supports", "https://x/id/c1"),
        Stance("https://x/id/c4", "qualifies", "https://x/id/c3"),
    ]
    svg = claims_svg(claims, stances, _href)
    assert svg.count("<line ") == 3
    assert svg.count('class="claim-node"') == 5
    assert 'stroke-dasharray="6 4"' in svg
    assert claims_svg(claims, [], _href) == ""
