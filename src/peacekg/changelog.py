"""Release entries in CHANGELOG.md, the Keep a Changelog way.

A release turns the ``## [Unreleased]`` notes into ``## [<version>] - <date>``, adds what the
data release changed and the checksum that identifies it, and opens a new empty Unreleased
section, so the changelog and the cited dumps never disagree about what a version holds.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from peacekg.export import write_atomically

UNRELEASED = "## [Unreleased]"
_SECTION = re.compile(r"^## \[", re.MULTILINE)


class ChangelogError(Exception):
    """The changelog cannot take this release (the message says why)."""


def data_lines(release_dir: Path, summary: str | None, previous: str | None) -> list[str]:
    """The ``### Data`` lines of a release: its change summary and its checksum list's digest."""
    sums = release_dir / "SHA256SUMS"
    digest = hashlib.sha256(sums.read_bytes()).hexdigest()
    lines = []
    if summary is not None and previous is not None:
        lines.append(f"- {summary} since {previous} (CHANGES.md of the release).")
    else:
        lines.append("- First release of the dataset: no previous release to compare with.")
    lines.append(f"- Dumps identified by `SHA256SUMS` with SHA-256 `{digest}`.")
    return lines


def with_release(text: str, version: str, released: date, data: list[str]) -> str:
    """``text`` with the Unreleased notes moved under the new version and the data lines added.

    Raises ChangelogError when the version already has an entry (a cited version's entry must
    not change) or when the file has no Unreleased section to release.
    """
    if re.search(rf"^## \[{re.escape(version)}\]", text, re.MULTILINE):
        raise ChangelogError(f"CHANGELOG.md already has an entry for {version}")
    start = text.find(UNRELEASED + "\n")
    if start < 0:
        raise ChangelogError(f"CHANGELOG.md has no '{UNRELEASED}' section to release")
    body_start = start + len(UNRELEASED) + 1
    following = _SECTION.search(text, body_start)
    end = following.start() if following else len(text)
    notes = text[body_start:end].strip("\n")
    entry = [UNRELEASED, "", f"## [{version}] - {released.isoformat()}", ""]
    if notes:
        entry += [notes, ""]
    entry += ["### Data", *data, ""]
    rest = text[end:]
    return text[:start] + "\n".join(entry) + ("\n" + rest if rest else "")


def record_release(changelog: Path, version: str, released: date, data: list[str]) -> None:
    """Write the release entry into ``changelog`` (atomically: never half an entry)."""
    text = changelog.read_text(encoding="utf-8")
    updated = with_release(text, version, released, data)
    write_atomically(changelog, updated.encode("utf-8"))
