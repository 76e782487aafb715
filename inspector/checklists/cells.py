"""Reading the values people type into checklist sheets: numbers with units, yes/no marks, kinds, limits, numbering.

Every parser takes what a cell holds (a string, a number, ``None``) and either returns the value or raises
:class:`CellError` with a message key of :mod:`inspector.checklists.messages`; the readers locate it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from inspector.models.enums import ItemKind


class CellError(ValueError):
    """A cell that cannot be read; ``key`` is a message key and ``values`` fill its placeholders."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class UncalculatedFormula:
    """A formula cell saved without its result (written by a program, never opened in Excel): no value to read."""

    formula: str


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese characters."""
    return bool(_CJK.search(text))


def cell_text(value: object) -> str:
    """The text of a cell as a person reads it: ``5.0`` → ``"5"``, ``None`` → ``""``, surrounding space trimmed."""
    if value is None or isinstance(value, UncalculatedFormula):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (``５分`` → ``5分``), spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_UNIT_SUFFIXES = ("分值", "points", "point", "pts", "pt", "分")


def parse_number(value: object) -> float | None:
    """A number from a cell: ``5``, ``"5"``, ``"5分"``, ``"５"``, ``"5 points"``; ``None`` when the cell is empty."""
    if value is None:
        return None
    if isinstance(value, UncalculatedFormula):
        raise CellError("sheet.formula_not_calculated", formula=value.formula)
    if isinstance(value, bool):
        raise CellError("sheet.not_number", value=cell_text(value))
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and not value.strip():
        return None
    text = _normalise(str(value))
    if not text:
        return None
    bare = text.lower()
    for suffix in _UNIT_SUFFIXES:
        if bare.endswith(suffix):
            bare = bare.removesuffix(suffix).strip()
            break
    if not _NUMBER.match(bare):
        raise CellError("sheet.not_number", value=text)
    return float(bare)


_TRUE = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "x", "●", "★", "▲", "一票否决", "重大隐患", "必填", "required"}
_FALSE = {"否", "n", "no", "false", "0", "-", "—", "/", "无", "非"}


def parse_flag(value: object, *, default: bool = False) -> bool:
    """A yes/no mark: 是/√/Y/yes/1 or 否/N/no/0; an empty cell is ``default``."""
    raw = cell_text(value)
    if not raw:
        return default
    text = _normalise(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("sheet.not_flag", value=cell_text(value))


_KIND_WORDS: list[tuple[ItemKind, tuple[str, ...]]] = [
    (ItemKind.YES_NO, ("yes_no", "yes/no", "yesno", "是否", "是/否", "判断", "符合性", "合格/不合格", "y/n", "check")),
    (ItemKind.SCORE, ("score", "评分", "打分", "分级", "rating", "6s", "5s")),
    (ItemKind.MEASUREMENT, ("measurement", "measure", "测量", "实测", "数值", "number", "检测")),
    (ItemKind.TEXT, ("text", "文字", "文本", "描述", "记录", "free text")),
    (ItemKind.PHOTO, ("photo", "image", "picture", "照片", "拍照", "图片", "影像")),
]
_SCALE = re.compile(r"(\d+)\s*(?:-|~|–|—|to|至|到)\s*(\d+)")


def parse_kind(value: object) -> tuple[ItemKind | None, int | None]:
    """An item kind and, for scores, the highest score: ``"评分0-5"`` → ``(SCORE, 5)``; empty → ``(None, None)``."""
    raw = cell_text(value)
    if not raw:
        return None, None
    text = _normalise(raw).lower()
    scale = _SCALE.search(text)
    for kind, words in _KIND_WORDS:
        if any(word in text for word in words):
            if kind == ItemKind.SCORE and scale:
                return kind, int(scale.group(2))
            return kind, None
    if scale and int(scale.group(1)) == 0:
        return ItemKind.SCORE, int(scale.group(2))
    raise CellError("sheet.unknown_kind", value=cell_text(value))


_LIMIT_NUMBER = r"([+-]?\d+(?:\.\d+)?)"
_UPPER_WORDS = ("≤", "<=", "<", "不大于", "不超过", "不高于", "小于等于", "小于", "低于", "max", "at most", "below")
_LOWER_WORDS = ("≥", ">=", ">", "不小于", "不低于", "大于等于", "大于", "高于", "min", "at least", "above")


@dataclass(frozen=True)
class Limits:
    """Inclusive limits of a measurement and its unit."""

    lower: float | None = None
    upper: float | None = None
    unit: str = ""


def parse_limits(value: object) -> Limits | None:
    """Limits written in one cell: ``≤4Ω``, ``≥10``, ``0.2-0.4 MPa``, ``10~50``, ``不大于85 dB``; empty → ``None``."""
    raw = cell_text(value)
    if not raw:
        return None
    text = _normalise(raw)
    span = re.fullmatch(_LIMIT_NUMBER + r"\s*(?:-|~|–|—|～|至|到|to)\s*" + _LIMIT_NUMBER + r"\s*(.*)", text)
    if span:
        return Limits(float(span.group(1)), float(span.group(2)), span.group(3).strip())
    lowered = text.lower()
    for words, is_upper in ((_UPPER_WORDS, True), (_LOWER_WORDS, False)):
        for word in words:
            if lowered.startswith(word):
                rest = re.fullmatch(r"\s*" + _LIMIT_NUMBER + r"\s*(.*)", text[len(word) :])
                if rest:
                    number, unit = float(rest.group(1)), rest.group(2).strip()
                    return Limits(upper=number, unit=unit) if is_upper else Limits(lower=number, unit=unit)
    raise CellError("sheet.bad_limits", value=raw)


_CN_DIGITS = "零一二三四五六七八九十"
_HEADING = re.compile(r"^(第?[一二三四五六七八九十百]+(?:部分|章|节|类|项)?|[IVX]+)\s*[、.．:：)]?\s*")
_HEADING_PAREN = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]\s*")
_HEADING_PREFIX = re.compile(
    r"^(第[一二三四五六七八九十百]+(?:部分|章|节|类|项)\s*[、.．:：]?|[一二三四五六七八九十百]+\s*[、.．:：)]|"
    r"[一二三四五六七八九十百]+\s+|[IVX]+\s*[、.．:：)])\s*"
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def is_heading_number(value: object) -> bool:
    """Whether a number cell marks a section heading: ``一``, ``一、``, ``第二部分``, ``（三）``, ``IV``."""
    text = _normalise(cell_text(value))
    if not text:
        return False
    return bool(_HEADING.fullmatch(text) or _HEADING_PAREN.fullmatch(text))


def starts_with_heading_number(value: object) -> bool:
    """Whether a cell reads like a numbered heading with its title: ``一、整理``, ``第二部分 电气``, ``（三）消防``."""
    text = _normalise(cell_text(value))
    return bool(_HEADING_PREFIX.match(text) or _HEADING_PAREN.match(text)) and bool(strip_heading_number(text))


def item_number(value: object) -> str:
    """The code an item's number gives: ``1`` → ``1``, ``1.1`` → ``1.1``, ``(1)``/``1、``/``①`` → ``1``."""
    text = _normalise(cell_text(value))
    if not text:
        return ""
    if text in _CIRCLED:
        return str(_CIRCLED.index(text) + 1)
    text = re.sub(r"^[(\[]\s*(.*?)\s*[)\]]$", r"\1", text)
    text = text.rstrip("、.:)） ").strip()
    return re.sub(r"\s+", "", text)[:64]


def strip_heading_number(title: str) -> str:
    """``一、熔铸车间`` → ``熔铸车间``; ``1. Casting`` → ``Casting``; a title without a number is unchanged."""
    text = title.strip()
    stripped = _HEADING_PAREN.sub("", text)
    stripped = _HEADING_PREFIX.sub("", stripped) if stripped == text else stripped
    if stripped == text:
        stripped = re.sub(r"^\d+(\.\d+)*\s*[、.．:：)]\s*", "", text)
    return stripped.strip() or text


def chinese_numeral(text: str) -> int | None:
    """``三`` → 3, ``十二`` → 12 (headings up to 99); ``None`` for anything else."""
    if not text or any(ch not in _CN_DIGITS for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(units) if units else 0)
