"""Every text key the walk's screens use exists in the catalogue, in Chinese and in English."""

from __future__ import annotations

import re
from pathlib import Path

import screens.messages  # noqa: F401
from inspector.i18n import _CATALOG, known_keys

SCREENS = Path(__file__).resolve().parents[2] / "screens"
MINE = [
    "app.py",
    "base.py",
    "home.py",
    "walk.py",
    "review.py",
    "start_flow.py",
    "dialogs/confirm.py",
    "dialogs/finding.py",
    "dialogs/message.py",
    "dialogs/picker.py",
    "dialogs/text_input.py",
    "widgets/sync_status.py",
]
KEY = re.compile(r"""(?:\btr|\bt)\(\s*f?["']([a-z_]+\.[a-z_.]+)["']""")


def _sources() -> list[Path]:
    found: list[Path] = []
    for name in MINE:
        path = SCREENS / name
        found.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    return found


def test_every_literal_key_is_in_the_catalogue() -> None:
    used = {key for path in _sources() for key in KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 60
    assert sorted(used - known_keys()) == []


def test_every_walk_text_has_both_languages() -> None:
    from screens.messages import common, walk

    for module in (common, walk):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for key in re.findall(r'^\s+"([a-z_.0-9]+)": \(', source, flags=re.M):
            zh, en = _CATALOG[key]
            assert (zh and en) or key == "answer.none", key
            assert (
                re.search(r"[\u4e00-\u9fff]", zh)
                or not re.search(r"[a-z]{4}", zh)
                or key.startswith("input.text")
                or key.startswith("bind.app.lang")
            ), key


def test_domain_refusals_reach_the_user_in_the_chosen_language() -> None:
    from inspector.errors import RuleViolation

    error = RuleViolation("E_X", "The team leader has not acknowledged the inspection yet.", "班组长尚未确认本次检查。")
    assert error.text("zh") == "班组长尚未确认本次检查。"
    assert error.text("en") == "The team leader has not acknowledged the inspection yet."
    assert RuleViolation("E_Y", "English only").text("zh") == "English only"
