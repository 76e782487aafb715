"""The texts of labels, receipts, the chain check and the reports: every key used exists, in both languages, with
the same placeholders in each (a missing one would fail when the message is shown)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import inspector.messages.reports  # noqa: F401
import screens.messages  # noqa: F401
from inspector.i18n import _CATALOG, known_keys

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "inspector/labels.py",
    "inspector/receipt.py",
    "inspector/reports",
    "inspector/cli/labels.py",
    "inspector/cli/verify.py",
    "inspector/cli/export.py",
    "screens/dialogs/receipt.py",
    "screens/dialogs/export_report.py",
]
#: A literal key passed to t()/tr() or to a ReportError (its second argument).
KEY = re.compile(r"""(?:\btr|\bt|Error|NotFound)\(\s*(?:"E_[A-Z_]+",\s*)?f?["']([a-z_]+\.[a-zA-Z_.]+)["']""")


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        found.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_literal_key_is_in_the_catalogue() -> None:
    used = {key for path in _files() for key in KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 40
    assert sorted(used - known_keys()) == []


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    source = (ROOT / "inspector/messages/reports.py").read_text(encoding="utf-8")
    keys = re.findall(r'^\s+"([a-zA-Z_.0-9]+)": \(', source, flags=re.M)
    assert len(keys) > 150
    for key in keys:
        zh, en = _CATALOG[key]
        assert zh and en, key
        assert _fields(zh) == _fields(en), key
