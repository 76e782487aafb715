"""Reading a per-occurrence deduction out of a written deduction rule (扣分标准), where the rule is clear.

"每处扣1分", "发现一处扣2分，扣完为止", "扣0.5分/处", "1 point per occurrence", "deduct 2 points for each" all give a
number. A rule that names several different amounts ("每处扣1分，情节严重扣5分") or no per-occurrence unit
("不符合扣5分") gives ``None``: a failure then loses the item's points, and the written rule is kept for the inspector.
"""

from __future__ import annotations

import re
import unicodedata

from inspector.checklists.cells import chinese_numeral

_AMOUNT = r"(\d+(?:\.\d+)?|[一二三四五六七八九十]+|半)"
_PER_UNIT = r"(?:处|项|次|人|人次|台|个|条|只|点|件|份|名|辆|组|块|根|米|m)"
_ZH_PATTERNS = [
    # 每处扣1分 / 每发现一处扣2分 / 发现一处扣1分 / 一处不符合扣1分
    re.compile(r"(?:每|一)\s*(?:发现)?\s*(?:一)?\s*" + _PER_UNIT + r"[^扣\d]{0,8}扣\s*(?:除)?\s*" + _AMOUNT + r"\s*分"),
    # 扣1分/处 / 扣 1 分每处
    re.compile(r"扣\s*" + _AMOUNT + r"\s*分\s*(?:/|每)\s*" + _PER_UNIT),
    # -1分/处
    re.compile(r"-\s*" + _AMOUNT + r"\s*分?\s*/\s*" + _PER_UNIT),
]
_EN_UNIT = r"(?:occurrence|instance|finding|case|item|person|place|location|time|each|defect|deficiency)"
_EN_PATTERNS = [
    re.compile(
        r"(\d+(?:\.\d+)?)\s*(?:points?|pts?|marks?)\s*(?:deducted\s*)?(?:per|for\s+each|for\s+every|each)\s*"
        + _EN_UNIT,
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:per|each|every)\s*" + _EN_UNIT + r"\D{0,20}?(\d+(?:\.\d+)?)\s*(?:points?|pts?|marks?)", re.IGNORECASE
    ),
]
_ANY_ZH_AMOUNT = re.compile(r"扣\s*(?:除)?\s*" + _AMOUNT + r"\s*分")
_ANY_EN_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:points?|pts?|marks?)", re.IGNORECASE)


def _amount(text: str) -> float | None:
    if text == "半":
        return 0.5
    numeral = chinese_numeral(text)
    if numeral is not None:
        return float(numeral)
    try:
        return float(text)
    except ValueError:
        return None


def parse_deduction(rule: str) -> float | None:
    """The deduction per occurrence that ``rule`` states unambiguously, else ``None``."""
    text = unicodedata.normalize("NFKC", rule).strip()
    if not text:
        return None
    found: set[float] = set()
    for pattern in _ZH_PATTERNS + _EN_PATTERNS:
        for match in pattern.finditer(text):
            amount = _amount(match.group(1))
            if amount is not None:
                found.add(amount)
    if len(found) != 1:
        return None
    per_occurrence = found.pop()
    # Any other amount in the rule ("严重的扣5分") makes it a judgement call, not a per-occurrence rule.
    others = {_amount(m.group(1)) for m in _ANY_ZH_AMOUNT.finditer(text)} | {
        _amount(m.group(1)) for m in _ANY_EN_AMOUNT.finditer(text)
    }
    others.discard(None)
    if others - {per_occurrence}:
        return None
    return per_occurrence if per_occurrence > 0 else None
