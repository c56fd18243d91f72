"""The README's deployment commands, read from the README itself so a test can't drift.

A walkthrough step in README.md is a fenced code block whose opening fence line is
directly preceded by a marker line naming the walkthrough:

    <!-- walkthrough: spawn-fcgi -->
    ```sh
    install -d -m 0750 -o auth-fcgi -g www-data /run/auth-fcgi
    ```

GitHub doesn't render the comment. A walkthrough may have several blocks; they are
returned in README order.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

_MARKER = re.compile(r"^<!-- walkthrough: ([a-z0-9-]+) -->$")
_FENCE = re.compile(r"^(```+|~~~+)")


def walkthrough_blocks(name: str, readme: Path = README) -> list[str]:
    """The text of every code block marked `name`, in order; fails if there is none."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    blocks: list[str] = []
    index = 0
    while index < len(lines):
        marker = _MARKER.match(lines[index].strip())
        index += 1
        if not marker or marker.group(1) != name:
            continue
        fence = _FENCE.match(lines[index]) if index < len(lines) else None
        assert fence, f"README.md:{index}: the walkthrough marker {name!r} is not followed by a code fence"
        closing = fence.group(1)
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].startswith(closing):
            body.append(lines[index])
            index += 1
        assert index < len(lines), f"README.md: the {name!r} block is never closed"
        blocks.append("\n".join(body) + "\n")
    assert blocks, f"README.md has no block marked <!-- walkthrough: {name} -->"
    return blocks


def walkthrough_names(readme: Path = README) -> list[str]:
    """Every walkthrough name the README marks, in order of first appearance."""
    names: list[str] = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        marker = _MARKER.match(line.strip())
        if marker and marker.group(1) not in names:
            names.append(marker.group(1))
    return names
