"""Award rule files: a campaign's awards, their criteria, ranking and quotas, in TOML (documented in docs/awards.md).

```toml
campaign = "SPM-2022"
title_zh = "第二十一届安全生产月评先评优规则"
title_en = "Award rules of the 21st Safety Production Month"

[[awards]]
code = "advanced_team"
level = "team"                 # team | workshop | unit | innovation
name_zh = "先进班组"
name_en = "Advanced team"
quota = 10                     # how many are nominated (the best ranked eligible ones)
quota_scope = "group"          # the quota applies per group (default), unit or workshop
rank_by = ["average_score", "inspection_count"]

[[awards.criteria]]
figure = "average_score"
min = 90                       # or max = …; exactly one of the two
```

Parsing never raises on bad input: :func:`parse_rules` returns the rules or a list of problems, each naming where.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

import inspector.messages.awards  # noqa: F401  (registers the texts)
from inspector.i18n import t
from inspector.models import AwardLevel

#: Rule files shipped for the demo campaigns (used when a campaign has no stored rules).
PACKAGED_RULES_DIR = Path(__file__).resolve().parent.parent / "demo" / "rules"

HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class FigureInfo:
    """A figure a criterion can test: which levels have it and which direction is better."""

    key: str
    levels: tuple[str, ...]
    better: str = HIGHER
    percent: bool = False


_ORG = (AwardLevel.TEAM.value, AwardLevel.WORKSHOP.value, AwardLevel.UNIT.value)
_ABOVE_TEAM = (AwardLevel.WORKSHOP.value, AwardLevel.UNIT.value)
_INNOVATION = (AwardLevel.INNOVATION.value,)

#: Every figure the engine computes, in the order explanations list them.
FIGURES: dict[str, FigureInfo] = {
    f.key: f
    for f in (
        FigureInfo("inspection_count", _ORG),
        FigureInfo("average_score", _ORG, percent=True),
        FigureInfo("lowest_score", _ORG, percent=True),
        FigureInfo("veto_events", _ORG, LOWER),
        FigureInfo("hazards", _ORG, LOWER),
        FigureInfo("major_hazards", _ORG, LOWER),
        FigureInfo("open_major_hazards", _ORG, LOWER),
        FigureInfo("overdue_orders", _ORG, LOWER),
        FigureInfo("on_time_rectification_rate", _ORG, percent=True),
        FigureInfo("first_pass_yield", _ORG, percent=True),
        FigureInfo("defect_rate", _ORG, LOWER, percent=True),
        FigureInfo("rework_rate", _ORG, LOWER, percent=True),
        FigureInfo("complaints", _ORG, LOWER),
        FigureInfo("six_s_score", _ORG, percent=True),
        FigureInfo("innovation_projects", _ORG),
        FigureInfo("eligible_teams", _ABOVE_TEAM),
        FigureInfo("eligible_workshops", (AwardLevel.UNIT.value,)),
        FigureInfo("panel_score", _INNOVATION),
        FigureInfo("team_veto_events", _INNOVATION, LOWER),
        FigureInfo("team_open_major_hazards", _INNOVATION, LOWER),
    )
}

Level = Literal["team", "workshop", "unit", "innovation"]


class Criterion(BaseModel):
    """One threshold on one figure: ``min`` (figure ≥ min) or ``max`` (figure ≤ max)."""

    model_config = ConfigDict(extra="forbid")

    figure: str = Field(description="The figure tested (see FIGURES / docs/awards.md).")
    min: float | None = Field(default=None, description="Met when the figure is at least this.")
    max: float | None = Field(default=None, description="Met when the figure is at most this.")

    @model_validator(mode="after")
    def _one_bound(self) -> Criterion:
        if self.figure not in FIGURES:
            raise ValueError(f"unknown figure {self.figure!r} (known: {', '.join(FIGURES)})")
        if (self.min is None) == (self.max is None):
            raise ValueError(f"criterion on {self.figure!r} needs exactly one of min or max")
        return self

    @property
    def op(self) -> str:
        return ">=" if self.min is not None else "<="

    @property
    def threshold(self) -> float:
        value = self.min if self.min is not None else self.max
        assert value is not None
        return value

    def met_by(self, figure: float | None) -> bool:
        """Whether ``figure`` meets the threshold; a figure that is not available never does."""
        if figure is None:
            return False
        return figure >= self.threshold if self.op == ">=" else figure <= self.threshold


class AwardRule(BaseModel):
    """One award of the campaign at one level."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$", description="Stable award code.")
    level: Level = Field(description="team, workshop (collective), unit or innovation (project).")
    name_zh: str = Field(min_length=1, description="The award's Chinese name (先进班组).")
    name_en: str = Field(default="", description="The award's English name.")
    quota: int | None = Field(default=None, ge=0, description="How many are nominated per quota scope.")
    quota_scope: Literal["group", "unit", "workshop"] = Field(default="group", description="Where the quota applies.")
    rank_by: list[str] = Field(default_factory=list, description="Figures that rank the eligible, best first.")
    criteria: list[Criterion] = Field(default_factory=list, description="Every one must be met to be eligible.")

    @model_validator(mode="after")
    def _fits_level(self) -> AwardRule:
        for criterion in self.criteria:
            if self.level not in FIGURES[criterion.figure].levels:
                raise ValueError(f"figure {criterion.figure!r} does not exist at level {self.level!r}")
        for key in self.rank_by:
            if key not in FIGURES or self.level not in FIGURES[key].levels:
                raise ValueError(f"rank_by names {key!r}, which is not a figure of level {self.level!r}")
        scopes = {"team": ("group", "unit", "workshop"), "workshop": ("group", "unit"), "unit": ("group",)}
        if self.quota_scope not in scopes.get(self.level, ("group", "unit", "workshop")):
            raise ValueError(f"quota_scope {self.quota_scope!r} does not fit level {self.level!r}")
        return self

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)

    def ranking(self) -> list[str]:
        """The figures that rank, with a default that fits the level."""
        if self.rank_by:
            return self.rank_by
        return ["panel_score"] if self.level == "innovation" else ["average_score", "inspection_count"]


class RuleFile(BaseModel):
    """A campaign's award rules."""

    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(min_length=1, description="The campaign code the rules are for.")
    title_zh: str = Field(default="", description="Title in Chinese.")
    title_en: str = Field(default="", description="Title in English.")
    as_of: date | None = Field(default=None, description="Evaluation date (default: the campaign's last day).")
    score_templates: list[str] = Field(
        default_factory=list, description="Checklist codes whose scores count (default: every checklist)."
    )
    awards: list[AwardRule] = Field(min_length=1, description="The awards, evaluated in this order.")

    @model_validator(mode="after")
    def _unique_codes(self) -> RuleFile:
        seen: set[str] = set()
        for award in self.awards:
            if award.code in seen:
                raise ValueError(f"award code {award.code!r} appears twice")
            seen.add(award.code)
        return self

    def award(self, code: str) -> AwardRule:
        for award in self.awards:
            if award.code == code:
                return award
        raise KeyError(code)


@dataclass(frozen=True)
class ParsedRules:
    """The outcome of reading a rule file: ``rules`` or ``problems`` (each a located message in both languages)."""

    rules: RuleFile | None
    problems: tuple[tuple[str, str], ...]
    text: str
    content_hash: str

    @property
    def ok(self) -> bool:
        return self.rules is not None and not self.problems


def content_hash(text: str) -> str:
    """SHA-256 of the rule text with line endings normalised."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def _where(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part + 1}]"]
        else:
            parts.append(str(part))
    return ".".join(parts) or "(file)"


def parse_rules(text: str, source: str = "") -> ParsedRules:
    """Parse and check rule text; problems name the file, the place (``awards[2].criteria[1]``) and what is wrong."""
    digest = content_hash(text)
    name = source or t("rules.text", "en")
    if not text.strip():
        return ParsedRules(
            None, ((t("rules.empty", "zh", file=name), t("rules.empty", "en", file=name)),), text, digest
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ParsedRules(
            None,
            (
                (
                    t("rules.toml_error", "zh", file=name, reason=str(exc)),
                    t("rules.toml_error", "en", file=name, reason=str(exc)),
                ),
            ),
            text,
            digest,
        )
    try:
        return ParsedRules(RuleFile.model_validate(data), (), text, digest)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _where(tuple(error["loc"]))
            zh, en = _reasons(error)
            problems.append(
                (
                    t("rules.problem", "zh", file=name, where=where, reason=zh),
                    t("rules.problem", "en", file=name, where=where, reason=en),
                )
            )
        return ParsedRules(None, tuple(problems), text, digest)


def _reasons(error: ErrorDetails) -> tuple[str, str]:
    """What a validation error says, in Chinese and English (pydantic words its own errors in English only)."""
    from inspector.checklists.assembly import Origin, error_problem

    if error["type"] == "extra_forbidden":
        return t("rules.unknown_field", "zh"), t("rules.unknown_field", "en")
    if error["type"] == "literal_error":  # e.g. level = "teams": name the allowed values as pydantic does
        expected = str((error.get("ctx") or {}).get("expected", ""))
        return t("rules.one_of", "zh", expected=expected), t("rules.one_of", "en", expected=expected)
    english = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "value_error":  # this module's own checks, worded in the message itself
        return english, english
    if error["type"] == "too_short":
        return t("rules.too_short", "zh", **(error.get("ctx") or {})), english
    found = error_problem("", {**error, "loc": ()}, Origin())  # the checklist reader's Chinese for pydantic's errors
    return found.message_zh or english, english


#: A rule file is a few kilobytes; anything much larger is the wrong file.
MAX_RULES_BYTES = 1024 * 1024


def read_rules_file(path: Path) -> ParsedRules:
    """Read and check a rule file on disk (a missing or unreadable file is a problem, not an exception)."""
    raw, why = _rule_file_bytes(path)
    if raw is not None:
        try:
            return parse_rules(raw.decode("utf-8-sig"), str(path))  # a BOM (Windows Notepad) is fine
        except UnicodeDecodeError as exc:  # GBK from a Chinese editor: say which line to look at
            line = raw[: exc.start].count(b"\n") + 1
            why = {lang: t("rules.not_utf8", lang, line=line) for lang in ("zh", "en")}
    problem = (
        t("rules.unreadable", "zh", file=str(path), reason=why["zh"]),
        t("rules.unreadable", "en", file=str(path), reason=why["en"]),
    )
    return ParsedRules(None, (problem,), "", "")


def _rule_file_bytes(path: Path) -> tuple[bytes | None, dict[str, str]]:
    """The file's bytes, or ``None`` and why not in each language (never reading without end)."""
    from inspector.file_errors import os_reason

    try:
        if path.exists() and not path.is_dir() and not path.is_file():  # /dev/zero, a pipe: reading never ends
            return None, {lang: t("rules.not_a_file", lang) for lang in ("zh", "en")}
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULES_BYTES + 1)
    except OSError as exc:  # missing, a folder, no permission
        return None, {lang: os_reason(exc, lang) for lang in ("zh", "en")}
    if len(raw) > MAX_RULES_BYTES:  # a video picked by mistake: refused before it fills the memory
        return None, {lang: t("rules.too_big", lang, limit=MAX_RULES_BYTES // 1024) for lang in ("zh", "en")}
    return raw, {}


def packaged_rules_path(campaign_code: str) -> Path | None:
    """The rule file shipped for ``campaign_code`` (the demo campaigns), if there is one."""
    path = PACKAGED_RULES_DIR / f"{campaign_code}.toml"
    return path if path.is_file() else None
