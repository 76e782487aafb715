"""Bilingual text (简体中文 / English) for every label, message and report.

Each area keeps its own catalogue module (``inspector/messages/*.py``, ``screens/messages/*.py``) that calls
:func:`register` with ``{key: (zh, en)}``; :func:`t` looks a key up in the chosen language.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"

_CATALOG: dict[str, tuple[str, str]] = {}


def register(entries: Mapping[str, tuple[str, str]]) -> None:
    """Add a catalogue's entries; a key registered twice with different text is a programming error."""
    for key, texts in entries.items():
        existing = _CATALOG.get(key)
        if existing is not None and existing != texts:
            raise ValueError(f"message key {key!r} is registered twice with different texts")
        _CATALOG[key] = texts


def t(key: str, lang: str, /, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``{placeholders}`` filled; an unknown key shows as itself."""
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    zh, en = texts
    text = (zh or en) if lang == "zh" else (en or zh)
    return text.format(**values) if values else text


def known_keys() -> frozenset[str]:
    """Every registered key (tests use it to check that screens only use keys that exist)."""
    return frozenset(_CATALOG)


def normalise_lang(value: str | None) -> str | None:
    """``"zh_CN.UTF-8"`` → ``"zh"``, ``"EN"`` → ``"en"``; ``None`` for anything else."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_")
    if head.startswith("zh"):
        return "zh"
    if head.startswith("en"):
        return "en"
    return None


def locale_lang() -> str:
    """The language the system locale asks for (Chinese unless the locale says English)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        found = normalise_lang(os.environ.get(name))
        if found:
            return found
    try:
        found = normalise_lang(locale.getlocale()[0])
    except ValueError:
        found = None
    return found or DEFAULT_LANG
