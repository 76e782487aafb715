"""The inspection report: header, score and grade, every item with its answer, findings, signatures, receipt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.checklists.spec import DEFAULT_GRADE_BANDS
from inspector.i18n import t
from inspector.models import (
    Answer,
    Campaign,
    ChecklistTemplate,
    Checkpoint,
    Finding,
    Inspection,
    InspectionStatus,
    Person,
    RectificationOrder,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
)
from inspector.models.base import pick
from inspector.receipt import receipt_for
from inspector.reports.errors import ReportNotFound
from inspector.reports.tables import Cell, Table
from inspector.scoring import AnswerValue, ItemRule, score_inspection


@dataclass(frozen=True)
class ItemLine:
    section: str
    code: str
    text: str
    answer: str
    points: float
    earned: float | None
    failed: bool
    veto: bool
    note: str


@dataclass(frozen=True)
class FindingLine:
    grade: str
    description: str
    team: str
    deadline: date
    photo_paths: list[str]
    order_status: str


@dataclass
class InspectionReport:
    """Everything the printed report shows, already in the reader's language."""

    lang: str
    inspection_id: uuid.UUID
    campaign: str
    checklist: str
    unit: str
    workshop: str
    checkpoint: str
    team: str
    inspector: str
    leader: str
    started_at: datetime
    acknowledged_at: datetime | None
    signed_at: datetime | None
    signed: bool
    score_earned: float | None
    score_possible: float | None
    score_percent: float | None
    grade: str | None
    vetoed: bool
    content_hash: str | None
    receipt: str | None
    amends: str | None
    superseded_by: uuid.UUID | None
    items: list[ItemLine] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)

    def grade_text(self) -> str:
        return t(f"rpt.grade.{self.grade}", self.lang) if self.grade else "—"

    def tables(self) -> list[Table]:
        """The report's tables for XLSX/CSV."""
        lang = self.lang
        items = Table(
            "items",
            t("report.items", lang),
            [
                t("report.section", lang),
                t("report.code", lang),
                t("report.item", lang),
                t("report.answer", lang),
                t("report.points", lang),
                t("report.earned", lang),
                t("report.veto", lang),
                t("report.note", lang),
            ],
            [
                [i.section, i.code, i.text, i.answer, i.points, i.earned, "✔" if i.veto else "", i.note]
                for i in self.items
            ],
        )
        findings = Table(
            "findings",
            t("report.findings", lang),
            [
                t("report.hazard_grade", lang),
                t("report.description", lang),
                t("report.team", lang),
                t("report.deadline", lang),
                t("report.photos", lang),
                t("report.order_status", lang),
            ],
            [
                [f.grade, f.description, f.team, f.deadline, "; ".join(f.photo_paths), f.order_status]
                for f in self.findings
            ],
        )
        return [self.header_table(), items, findings]

    def header_table(self) -> Table:
        """Who, what, where, the score and the signatures, as field / value rows."""
        lang = self.lang
        status = t("report.status.signed" if self.signed else "report.status.draft", lang)
        rows: list[list[Cell]] = [
            [t("report.campaign", lang), self.campaign],
            [t("report.checklist", lang), self.checklist],
            [t("report.unit", lang), self.unit],
            [t("report.workshop", lang), self.workshop],
            [t("report.checkpoint", lang), self.checkpoint],
            [t("report.team", lang), self.team],
            [t("report.inspector", lang), self.inspector],
            [t("report.leader", lang), self.leader],
            [t("report.started", lang), self.started_at],
            [t("report.signed", lang), self.signed_at],
            [t("report.status", lang), status],
            [t("report.score", lang), self.score_percent],
            [t("report.grade", lang), self.grade_text()],
            [t("report.earned", lang), self.score_earned],
            [t("report.possible", lang), self.score_possible],
            [t("report.content_hash", lang), self.content_hash],
            ["ID", str(self.inspection_id)],
        ]
        return Table(
            "inspection", t("report.inspection.title", lang), [t("report.field", lang), t("report.value", lang)], rows
        )


def _name(record: object | None, lang: str) -> str:
    if record is None:
        return "—"
    zh, en = getattr(record, "name_zh", ""), getattr(record, "name_en", "")
    code = getattr(record, "code", "")
    text = pick(zh, en, lang)
    return f"{text} ({code})" if code and isinstance(record, Checkpoint) else text


def format_answer(item: TemplateItem, answer: Answer | None, lang: str) -> str:
    """An answer as the report prints it."""
    if answer is None:
        return t("rpt.answer.none", lang)
    if answer.choice in ("yes", "no", "na"):
        text = t(f"rpt.answer.{answer.choice}", lang)
        if answer.choice == "no" and item.deduction_per_occurrence and answer.occurrences > 1:
            text += " · " + t("rpt.answer.occurrences", lang, count=answer.occurrences)
        return text
    if answer.score is not None:
        return f"{answer.score} / {item.max_score}"
    if answer.measurement is not None:
        return f"{answer.measurement:g} {item.unit}".strip()
    return answer.text or answer.photo_path or t("rpt.answer.none", lang)


def latest_inspection_id(session: Session) -> uuid.UUID:
    """The most recently signed inspection (else the most recently started)."""
    signed = session.exec(
        select(Inspection.id)
        .where(Inspection.status == InspectionStatus.SIGNED)
        .order_by(col(Inspection.signed_at).desc())
    ).first()
    if signed is not None:
        return signed
    started = session.exec(select(Inspection.id).order_by(col(Inspection.started_at).desc())).first()
    if started is None:
        raise ReportNotFound("E_REPORT_NONE", "err.no_inspections")
    return started


def load_inspection_report(session: Session, inspection_id: uuid.UUID, lang: str = "zh") -> InspectionReport:
    """Gather the report of one inspection; raises :class:`NotFoundError` for an unknown id."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ReportNotFound("E_REPORT_INSPECTION", "err.inspection_unknown", id=inspection_id)
    campaign = session.get(Campaign, inspection.campaign_id)
    version = session.get(TemplateVersion, inspection.template_version_id)
    template = session.get(ChecklistTemplate, version.template_id) if version else None
    workshop = session.get(Workshop, inspection.workshop_id)
    unit = session.get(Unit, workshop.unit_id) if workshop else None
    checkpoint = session.get(Checkpoint, inspection.checkpoint_id) if inspection.checkpoint_id else None
    team = session.get(Team, inspection.team_id) if inspection.team_id else None
    inspector = session.get(Person, inspection.inspector_id)
    leader = session.get(Person, inspection.acknowledged_by_id) if inspection.acknowledged_by_id else None
    sections = {
        s.id: s
        for s in session.exec(
            select(TemplateSection).where(TemplateSection.version_id == inspection.template_version_id)
        ).all()
    }
    items = sorted(
        session.exec(select(TemplateItem).where(TemplateItem.version_id == inspection.template_version_id)).all(),
        key=lambda i: (sections[i.section_id].position if i.section_id in sections else 0, i.position),
    )
    answers = {a.item_id: a for a in session.exec(select(Answer).where(Answer.inspection_id == inspection.id)).all()}
    scored = score_inspection(
        [
            ItemRule(
                code=i.code,
                section=str(i.section_id),
                kind=i.kind,
                points=i.points,
                deduction_per_occurrence=i.deduction_per_occurrence,
                max_score=i.max_score,
                lower_limit=i.lower_limit,
                upper_limit=i.upper_limit,
                required=i.required,
                veto=i.veto,
            )
            for i in items
        ],
        {
            i.code: AnswerValue(
                choice=a.choice,
                score=a.score,
                measurement=a.measurement,
                text=a.text,
                photo_path=a.photo_path,
                occurrences=a.occurrences,
            )
            for i in items
            if (a := answers.get(i.id)) is not None
        },
        section_weights={str(s.id): s.weight for s in sections.values()},
        grade_bands=version.grade_bands if version is not None and version.grade_bands else DEFAULT_GRADE_BANDS,
    )
    results = {r.code: r for r in scored.items}
    lines = []
    for item in items:
        result = results[item.code]
        answer = answers.get(item.id)
        section = sections.get(item.section_id)
        lines.append(
            ItemLine(
                section=section.title(lang) if section else "",
                code=item.code,
                text=item.text(lang),
                answer=format_answer(item, answer, lang),
                points=result.possible if result.answered else item.points,
                earned=result.earned if result.answered and not result.not_applicable else None,
                failed=result.failed,
                veto=item.veto,
                note=answer.note if answer else "",
            )
        )
    findings = []
    for finding in session.exec(
        select(Finding).where(Finding.inspection_id == inspection.id).order_by(col(Finding.deadline))
    ).all():
        order = session.exec(select(RectificationOrder).where(RectificationOrder.finding_id == finding.id)).first()
        finding_team = session.get(Team, finding.team_id) if finding.team_id else None
        findings.append(
            FindingLine(
                grade=t(f"rpt.hazard.{finding.grade}", lang),
                description=finding.description,
                team=_name(finding_team, lang),
                deadline=finding.deadline,
                photo_paths=[str(p) for p in finding.photo_paths],
                order_status=t(f"rpt.order.{order.status}", lang) if order else t("rpt.order.none", lang),
            )
        )
    signed = inspection.status == InspectionStatus.SIGNED and bool(inspection.content_hash)
    checklist = _name(template, lang)
    if version is not None:
        checklist += " · " + t("report.version", lang, version=version.version)
    return InspectionReport(
        lang=lang,
        inspection_id=inspection.id,
        campaign=_name(campaign, lang),
        checklist=checklist,
        unit=_name(unit, lang),
        workshop=_name(workshop, lang),
        checkpoint=_name(checkpoint, lang) if checkpoint else "—",
        team=_name(team, lang),
        inspector=_name(inspector, lang),
        leader=_name(leader, lang) if leader else "—",
        started_at=inspection.started_at,
        acknowledged_at=inspection.acknowledged_at,
        signed_at=inspection.signed_at,
        signed=signed,
        score_earned=inspection.score_earned if signed else scored.earned,
        score_possible=inspection.score_possible if signed else scored.possible,
        score_percent=inspection.score_percent if signed else scored.percent,
        grade=inspection.grade if signed else scored.grade,
        vetoed=inspection.vetoed if signed else scored.vetoed,
        content_hash=inspection.content_hash if signed else None,
        receipt=receipt_for(session, inspection).text() if signed else None,
        amends=t("report.amends", lang, id=inspection.amends_id, reason=inspection.amendment_reason)
        if inspection.amends_id
        else None,
        superseded_by=inspection.superseded_by_id,
        items=lines,
        findings=findings,
    )


def find_inspection_id(session: Session, text: str) -> uuid.UUID:
    """The inspection named by a full id or an unambiguous prefix of at least 6 hex digits (as reports print)."""
    cleaned = text.strip().lower().replace("-", "")
    if len(cleaned) < 6 or any(ch not in "0123456789abcdef" for ch in cleaned):
        raise ReportNotFound("E_REPORT_INSPECTION", "err.inspection_id_bad", text=repr(text))
    if len(cleaned) == 32:
        found = uuid.UUID(cleaned)
        if session.get(Inspection, found) is None:
            raise ReportNotFound("E_REPORT_INSPECTION", "err.inspection_unknown", id=found)
        return found
    matches = [i for i in session.exec(select(Inspection.id)).all() if i.hex.startswith(cleaned)]
    if not matches:
        raise ReportNotFound("E_REPORT_INSPECTION", "err.inspection_prefix_none", text=repr(text))
    if len(matches) > 1:
        raise ReportNotFound("E_REPORT_INSPECTION", "err.inspection_prefix_many", count=len(matches), text=repr(text))
    return matches[0]
