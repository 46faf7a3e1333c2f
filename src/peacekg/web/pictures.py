"""Server-rendered SVG pictures: the timeline of events and the network of disputed claims.

No JavaScript and no CDN: the SVG is built here, escaped, and inlined in the page, so it works
offline and every node is a plain link a crawler (and a person with a screen reader) follows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from peacekg.describe import ClaimEntry, Stance, TimelineEntry

Href = Callable[[str], str]

# One colour per precision, so that how exact a date is can be seen at a glance.
PRECISION_COLOURS = {
    "day": "#1f5f99",
    "week": "#3b7dbf",
    "part of month": "#5a9bd5",
    "month": "#8fbce6",
    "part of year": "#f0a04b",
    "year": "#f5c889",
    "range": "#b39ddb",
    "relative": "#bdbdbd",
    "not stated": "#e0e0e0",
}
OTHER_PRECISION = "#999999"
STANCE_STYLE = {
    "disputes": ("#c0392b", ""),
    "supports": ("#2e8b57", ""),
    "qualifies": ("#d4a017", "6 4"),
}


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def timeline_svg(
    entries: Sequence[TimelineEntry],
    href: Href,
    width: int = 960,
    window: tuple[date, date] | None = None,
) -> str:
    """One row per event: a mark (``a.mark``) from its earliest to its latest possible date,
    coloured by precision (a day is a narrow bar), with the event's label as a link beside it.

    ``window`` (first day, day after the last) zooms to a year or a month: the axis is ticked
    by month or by day and marks are clipped to it, so rounds days apart stand apart."""
    dated = [(e, e.dating.start(), e.dating.end()) for e in entries]
    dated = [(e, s, t or s) for e, s, t in dated if s is not None]
    if window is not None:
        dated = [
            (e, s, t)
            for e, s, t in dated
            if s is not None and t is not None and s < window[1] and t >= window[0]
        ]
    if not dated:
        return ""
    if window is None:
        first = min(s for _e, s, _t in dated if s)
        last = max(t for _e, _s, t in dated if t)
        start, end = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    else:
        start, end = window
    span = max((end - start).days, 1)
    left, row = 8, 30
    chart = width - 2 * left
    height = 34 + row * len(dated)

    def x(day: date) -> float:
        day = min(max(day, start), end)
        return left + chart * (day - start).days / span

    ticks: list[tuple[date, str]] = []
    if span <= 31:
        ticks = [(date.fromordinal(start.toordinal() + d), "") for d in range(span + 1)]
        ticks = [
            (d, str(d.day) if d.day in (1, 5, 10, 15, 20, 25) and d < end else "") for d, _ in ticks
        ]
    elif span <= 366:
        tick = start
        while tick <= end:
            ticks.append((tick, MONTHS[tick.month - 1][:3] if tick < end else ""))
            tick = _next_month(tick)
    else:
        ticks = [
            (date(y, 1, 1), str(y) if y < end.year else "") for y in range(start.year, end.year + 1)
        ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'data-start="{start.isoformat()}" data-end="{end.isoformat()}" '
        f'aria-label="Timeline of {len(dated)} events, {start.isoformat()} to {end.isoformat()}">'
    ]
    for tick, text in ticks:
        gx = x(tick)
        parts.append(f'<line x1="{gx:.1f}" y1="18" x2="{gx:.1f}" y2="{height}" stroke="#ddd"/>')
        if text:
            parts.append(f'<text x="{gx + 3:.1f}" y="13" font-size="12" fill="#555">{text}</text>')
    for i, (entry, s, t) in enumerate(dated):
        assert s is not None and t is not None
        y = 22 + i * row
        x0, x1 = x(s), x(t + (date(2000, 1, 2) - date(2000, 1, 1)))
        bar = max(x1 - x0, 4)
        colour = PRECISION_COLOURS.get(entry.dating.precision, OTHER_PRECISION)
        title = escape(f"{entry.label}: {entry.dating.text}")
        label = escape(_short(entry.label, 60))
        # The label sits above its bar, left-aligned at the bar, or right-aligned where the
        # bar starts in the right half (it would run off the picture).
        anchor, tx = ("end", x0 + bar) if x0 > left + chart / 2 else ("start", x0)
        parts.append(
            f'<a class="mark" href="{escape(href(entry.iri))}" data-iri="{escape(entry.iri)}" '
            f'data-start="{s.isoformat()}" data-end="{t.isoformat()}">'
            f"<title>{title}</title>"
            f'<rect x="{x0:.1f}" y="{y + 14}" width="{bar:.1f}" height="10" rx="2" '
            f'fill="{colour}"/>'
            f'<text x="{tx:.1f}" y="{y + 11}" font-size="13" text-anchor="{anchor}" '
            f'fill="#1a1a1a">{label}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _layout(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold layout in the unit square, seeded so a page renders the same."""
    rng = random.Random(6)  # noqa: S311 - layout jitter, not security
    pos = {n: (rng.random(), rng.random()) for n in nodes}
    if len(nodes) < 2:
        return {n: (0.5, 0.5) for n in nodes}
    k = math.sqrt(1.0 / len(nodes))
    temperature = 0.1
    for _ in range(200):
        disp = dict.fromkeys(nodes, (0.0, 0.0))
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                dist = max(math.hypot(dx, dy), 0.01)
                force = k * k / dist
                fx, fy = dx / dist * force, dy / dist * force
                disp[a] = (disp[a][0] + fx, disp[a][1] + fy)
                disp[b] = (disp[b][0] - fx, disp[b][1] - fy)
        for a, b in edges:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            dist = max(math.hypot(dx, dy), 0.01)
            force = dist * dist / k
            fx, fy = dx / dist * force, dy / dist * force
            disp[a] = (disp[a][0] - fx, disp[a][1] - fy)
            disp[b] = (disp[b][0] + fx, disp[b][1] + fy)
        for n in nodes:
            dx, dy = disp[n]
            length = max(math.hypot(dx, dy), 0.0001)
            step = min(length, temperature)
            px = min(max(pos[n][0] + dx / length * step, 0.0), 1.0)
            py = min(max(pos[n][1] + dy / length * step, 0.0), 1.0)
            pos[n] = (px, py)
        temperature *= 0.98
    return pos


def _components(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Connected components, largest first (ties by their first node)."""
    parent = {n: n for n in nodes}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(root(n), []).append(n)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _short(out[-1] + " …", width)
    return out


def claims_svg(
    claims: Sequence[ClaimEntry], stances: Sequence[Stance], href: Href, width: int = 960
) -> str:
    """The claims linked by stance (disputes red, supports green, qualifies dashed), each node
    numbered and linked to its page; the page lists the numbers with the claims' labels.

    Each group of connected claims gets its own box (packed in rows, largest first) and a
    force-directed layout inside it, so separate disputes never overlap."""
    known = {c.iri: c for c in claims}
    linked = [s for s in stances if s.source in known and s.target in known]
    nodes = sorted({s.source for s in linked} | {s.target for s in linked})
    if not nodes:
        return ""
    edges = [(s.source, s.target) for s in linked]
    numbers = {n: i + 1 for i, n in enumerate(nodes)}
    xy: dict[str, tuple[float, float]] = {}
    x, y, row_height, gap = 0.0, 0.0, 0.0, 12.0
    for component in _components(nodes, edges):
        size = len(component)
        box = 170.0 + 95.0 * (math.sqrt(size) - 1)
        box_w, box_h = (min(box * 1.5, width), box) if size > 2 else (310.0, 80.0)
        if x + box_w > width and x > 0:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        inner = [(a, b) for a, b in edges if a in component]
        pos = (
            _layout(component, inner)
            if size > 2
            else {n: (i / max(size - 1, 1), 0.5) for i, n in enumerate(component)}
        )
        for n in component:
            px, py = pos[n]
            xy[n] = (x + 65 + px * (box_w - 130), y + 25 + py * max(box_h - 75, 0))
        x += box_w + gap
        row_height = max(row_height, box_h)
    height = int(y + row_height + 10)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="claims-svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{len(nodes)} claims and {len(linked)} stance links between them">',
        "<defs>",
    ]
    for relation, (colour, _dash) in STANCE_STYLE.items():
        parts.append(
            f'<marker id="arrow-{relation}" viewBox="0 0 10 10" refX="24" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )
    parts.append("</defs>")
    for s in linked:
        (x1, y1), (x2, y2) = xy[s.source], xy[s.target]
        colour, dash = STANCE_STYLE.get(s.relation, ("#777", ""))
        ends = (
            f'marker-start="url(#arrow-{s.relation})" marker-end="url(#arrow-{s.relation})"'
            if s.relation == "disputes"
            else f'marker-end="url(#arrow-{s.relation})"'
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        title = escape(f"{known[s.source].label} — {s.relation} — {known[s.target].label}")
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr} {ends}><title>{title}</title></line>'
        )
    for node in nodes:
        cx, cy = xy[node]
        claim = known[node]
        who = ", ".join(claim.claimants)
        title = escape(f"{numbers[node]}. {claim.label}" + (f" ({who})" if who else ""))
        lines = "".join(
            f'<tspan x="{cx:.1f}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
            for i, line in enumerate(_wrap(who or claim.label, 20, 2))
        )
        parts.append(
            f'<a href="{escape(href(node))}" class="claim-node"><title>{title}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="15" fill="#fff" stroke="#1a1a1a" '
            f'stroke-width="1.5"/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="12" text-anchor="middle" '
            f'font-weight="600" fill="#1a1a1a">{numbers[node]}</text>'
            f'<text x="{cx:.1f}" y="{cy + 30:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#333">{lines}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def claim_numbers(claims: Sequence[ClaimEntry], stances: Sequence[Stance]) -> dict[str, int]:
    """The numbers :func:`claims_svg` gives its nodes (for the legend under the picture)."""
    known = {c.iri for c in claims}
    nodes = sorted(
        {s.source for s in stances if s.source in known and s.target in known}
        | {s.target for s in stances if s.source in known and s.target in known}
    )
    return {n: i + 1 for i, n in enumerate(nodes)}
