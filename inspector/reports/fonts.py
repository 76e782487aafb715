"""Fonts that render Chinese in PDF and PNG output.

PDF: a CJK TrueType font is embedded when one is found (so the file prints the same everywhere); otherwise
reportlab's built-in CID font ``STSong-Light`` is used, which needs no font file (PDF viewers supply the glyphs
from their Adobe-GB1 fonts). Where the font comes from, first match wins:

1. ``INSPECTOR_CJK_FONT``: the path of a ``.ttf``/``.ttc`` file (TrueType outlines; CFF-based ``.otf`` files such
   as Noto Sans CJK are not supported by reportlab and are skipped);
2. a system font that covers Chinese, as listed by ``fc-list :lang=zh`` (on Debian/Ubuntu
   ``apt-get install fonts-wqy-microhei``; ``.ci/install-system-deps`` installs it);
3. the built-in ``STSong-Light`` (PDF only: PNG labels need a real font file and say so).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from inspector.reports.errors import ReportError

ENV_VAR = "INSPECTOR_CJK_FONT"
CID_FONT = "STSong-Light"
EMBEDDED_FONT = "InspectorCJK"
#: Where common CJK TrueType fonts live when fontconfig is absent.
KNOWN_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)


class FontError(ReportError):
    """No usable font for Chinese text."""


def candidate_font_files() -> list[Path]:
    """CJK font files to try, in order of preference (see the module docstring)."""
    found: list[Path] = []
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontError("E_FONT_MISSING", "err.font_env", var=ENV_VAR, path=path)
        found.append(path)
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        for line in sorted(listed.splitlines()):
            name = line.split(":")[0].strip()
            if name.lower().endswith((".ttf", ".ttc")):
                found.append(Path(name))
    found.extend(Path(name) for name in KNOWN_FILES if Path(name).is_file())
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


@cache
def pdf_font() -> str:
    """Register and return the name of the font PDF output uses for every text (it covers Latin too)."""
    for path in candidate_font_files():
        try:
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(path), subfontIndex=0))
        except (TTFError, OSError, ValueError):
            continue
        return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


@cache
def image_font_file() -> Path:
    """The font file PNG output draws text with; raises :class:`FontError` when the system has none."""
    files = candidate_font_files()
    if not files:
        raise FontError("E_FONT_MISSING", "err.no_cjk_font", var=ENV_VAR)
    return files[0]
