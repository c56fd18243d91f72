"""Reading a QR code drawn as SVG, independently of the code that drew it.

decode_qr_svg rasterises the SVG with librsvg (rsvg-convert, Debian package librsvg2-bin) and
decodes the picture with ZBar (zbarimg, Debian package zbar-tools): neither shares code with
libqrencode or with the service's SVG writer, so a text read back proves the drawing scans.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Pixels per side of the rasterised picture: several pixels per module for any version a
# TOTP URI needs, so ZBar sees sharp edges.
PICTURE_SIZE = 600
TOOL_TIMEOUT = 30  # seconds per tool run
TOOLS = {"rsvg-convert": "librsvg2-bin", "zbarimg": "zbar-tools"}


def tool(name: str) -> str:
    """The path of one of TOOLS, or the test fails saying how to install it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed to read QR codes: install it with `scripts/install-deps test` "
                    f"(Debian package {TOOLS[name]})", pytrace=False)
    return path


def decode_qr_svg(svg: str) -> str:
    """The text of the one QR code drawn by the SVG document `svg`. Raises AssertionError
    when the SVG can't be rasterised or holds no QR code that ZBar can read."""
    with tempfile.TemporaryDirectory(prefix="qr-") as directory:
        source = Path(directory) / "code.svg"
        picture = Path(directory) / "code.png"
        source.write_text(svg, encoding="utf-8")
        drawn = subprocess.run(
            [tool("rsvg-convert"), "--width", str(PICTURE_SIZE), "--height", str(PICTURE_SIZE),
             "--background-color", "white", "--output", str(picture), str(source)],
            capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        assert drawn.returncode == 0, f"rsvg-convert failed ({drawn.returncode}): {drawn.stderr}"
        # --raw: the symbol's bytes as they are, no charset guessing; only QR codes looked for.
        read = subprocess.run(
            [tool("zbarimg"), "--raw", "-q", "--nodbus", "-Sdisable", "-Sqrcode.enable", str(picture)],
            capture_output=True, timeout=TOOL_TIMEOUT)
        assert read.returncode == 0, f"zbarimg found no QR code ({read.returncode}): {read.stderr!r}"
    # zbarimg ends each symbol's data with a newline; a second line would be a second symbol.
    text = read.stdout.decode("utf-8")
    assert text.endswith("\n") and text.count("\n") == 1, f"not exactly one QR code: {text!r}"
    return text[:-1]
