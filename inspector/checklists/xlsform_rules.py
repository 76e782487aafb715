"""How XLSForm constructs map onto checklist items: yes/no choice lists, 0–N scores, constraints as limits, languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from inspector.checklists.cells import has_cjk

_YES = {"yes", "y", "是", "true", "pass", "ok", "合格", "符合", "正常", "有", "good", "compliant", "满足"}
_NO = {"no", "n", "否", "false", "fail", "ng", "不合格", "不符合", "异常", "无", "bad", "noncompliant", "不满足"}
_NA = {"na", "n/a", "n_a", "notapplicable", "not_applicable", "不适用", "无此项", "不涉及", "notrelevant"}


def _word(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text.strip().lower())


def _choice_class(choice: dict[str, Any]) -> str | None:
    candidates = [str(choice.get("name", ""))]
    label = choice.get("label")
    candidates += list(label.values()) if isinstance(label, dict) else [str(label or "")]
    for candidate in candidates:
        word = _word(candidate)
        for name, words in (("yes", _YES), ("no", _NO), ("na", _NA)):
            if word in words:
                return name
    return None


def is_yes_no_list(choices: list[dict[str, Any]]) -> bool:
    """A list of yes and no (and optionally not-applicable) choices, in any language."""
    classes = [_choice_class(choice) for choice in choices]
    return None not in classes and "yes" in classes and "no" in classes and len(set(classes)) == len(classes)


def score_scale(choices: list[dict[str, Any]]) -> int | None:
    """N for a list of choices named 0..N (or 1..N), N ≥ 2; ``None`` otherwise."""
    try:
        values = sorted(int(str(choice.get("name", "")).strip()) for choice in choices)
    except ValueError:
        return None
    if len(values) < 2 or values[0] not in (0, 1) or values != list(range(values[0], values[-1] + 1)):
        return None
    return values[-1] if values[-1] >= 2 else None


_CLAUSE = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_CLAUSE_REVERSED = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(<=|>=|<|>)\s*\.$")
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


@dataclass(frozen=True)
class ConstraintLimits:
    lower: float | None
    upper: float | None
    #: A strict bound (``. > 10``) on a decimal, read as inclusive.
    loosened: bool = False


def constraint_limits(expression: str, *, integer: bool) -> ConstraintLimits | None:
    """Limits from ``. >= 10 and . <= 50`` / ``. <= 4`` / ``0 <= .``; ``None`` when the expression says more."""
    text = expression.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    lower: float | None = None
    upper: float | None = None
    loosened = False
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        clause = clause.strip().strip("()").strip()
        match = _CLAUSE.match(clause)
        if match:
            operator, number = match.group(1), float(match.group(2))
        else:
            reversed_match = _CLAUSE_REVERSED.match(clause)
            if not reversed_match:
                return None
            operator, number = _FLIP[reversed_match.group(2)], float(reversed_match.group(1))
        if operator in (">", "<"):
            if integer and number.is_integer():
                number = number + 1 if operator == ">" else number - 1
            else:
                loosened = True
        if operator.startswith(">"):
            lower = number if lower is None else max(lower, number)
        else:
            upper = number if upper is None else min(upper, number)
    if lower is None and upper is None:
        return None
    return ConstraintLimits(lower, upper, loosened)


def language_of(name: str, sample: str = "") -> str | None:
    """``"Chinese (zh)"``/``"中文"`` → zh, ``"English (en)"`` → en, ``"default"`` by content; others ``None``."""
    lowered = name.strip().lower()
    if lowered in ("default", ""):
        return "zh" if has_cjk(sample) else "en"
    if re.search(r"\bzh\b|chinese|中文|汉语|简体|zh[-_]", lowered) or lowered.startswith("zh"):
        return "zh"
    if re.search(r"\ben\b|english|英文|英语|en[-_]", lowered) or lowered.startswith("en"):
        return "en"
    return None


def bilingual(value: Any, unused: set[str]) -> tuple[str, str]:
    """``(zh, en)`` from a pyxform label/hint (a string, or a dict by language); other languages go to ``unused``."""
    if value is None:
        return "", ""
    if not isinstance(value, dict):
        text = str(value).strip()
        return (text, "") if has_cjk(text) else ("", text)
    zh = en = ""
    for language, text in value.items():
        text = str(text or "").strip()
        lang = language_of(str(language), text)
        if lang == "zh" and not zh:
            zh = text
        elif lang == "en" and not en:
            en = text
        elif lang is None and text:
            unused.add(str(language))
    return zh, en


def truthy(value: Any) -> bool:
    """XLSForm's yes/true/true() (and 是) for ``required``."""
    return str(value or "").strip().lower() in ("yes", "true", "true()", "1", "是", "y")
