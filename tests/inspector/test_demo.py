"""The demo group: idempotent, deterministic, complete, bilingual, varied, and scored by the real engine.

Most tests read one demo database built once for this module (``demo_db``) and never write to it; the tests that
create or change data build their own fresh database.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.demo import (
    DEMO_DRAFT_INSPECTORS,
    DEMO_QUALITY_CAMPAIGN,
    DEMO_SAFETY_CAMPAIGN,
    SAFETY_CHECKLIST,
    create_demo,
    demo_person_id,
)
from inspector.demo.records import CHINA_TIME
from inspector.errors import RuleViolation
from inspector.integrity import check_integrity
from inspector.labels_payload import decode_label, encode_label
from inspector.models import (
    SYNCED_MODELS,
    Answer,
    AuditEntry,
    Campaign,
    CampaignChecklist,
    ChecklistTemplate,
    Checkpoint,
    Finding,
    HazardGrade,
    InnovationProject,
    Inspection,
    InspectionStatus,
    InspectorAssignment,
    OrderStatus,
    OutboxEntry,
    Person,
    QualityFigure,
    RectificationEvent,
    RectificationOrder,
    Role,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
)
from inspector.scoring import AnswerValue, ItemRule, score_inspection
from inspector.signing import inspection_hash
from inspector.store import Store, open_store

DEADLINE_DAYS = {HazardGrade.GENERAL: 7, HazardGrade.SIGNIFICANT: 15, HazardGrade.MAJOR: 30}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo group with the default seed, built once and only read by the tests that use it."""
    store = open_store(tmp_path_factory.mktemp("demo") / "demo.db")
    with store.session(skip_outbox=True) as session:
        create_demo(session, seed=2022)
        session.commit()
    yield store
    store.close()


@pytest.fixture
def session(demo_db: Store) -> Iterator[Session]:
    with demo_db.session() as opened:
        yield opened
        opened.rollback()


def campaign(session: Session, code: str) -> Campaign:
    return session.exec(select(Campaign).where(Campaign.code == code)).one()


def version_of(session: Session, template_code: str) -> TemplateVersion:
    return session.exec(
        select(TemplateVersion)
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(ChecklistTemplate.code == template_code)
    ).one()


def row_counts(store: Store) -> dict[str, int]:
    tables = [*SYNCED_MODELS, "auditentry", "outboxentry"]
    with store.engine.connect() as conn:
        return {name: conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one() for name in tables}


def signed_hashes(store: Store) -> dict[uuid.UUID, str | None]:
    with store.session() as session:
        rows = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.SIGNED)).all()
        return {row.id: row.content_hash for row in rows}


# ---------------------------------------------------------------------------------------------------- idempotence


def test_running_twice_changes_nothing_and_another_laptop_gets_the_same_history(tmp_path: Path, demo_db: Store) -> None:
    first = open_store(tmp_path / "a.db")
    with first.session(skip_outbox=True) as s:
        summary = create_demo(s, seed=2022)
        s.commit()
    assert summary.created_anything
    counts, hashes = row_counts(first), signed_hashes(first)
    with first.session(skip_outbox=True) as s:
        again = create_demo(s, seed=2022)
        s.commit()
    assert not again.created_anything
    assert row_counts(first) == counts
    assert signed_hashes(first) == hashes
    assert counts["outboxentry"] == 0  # local seed data: nothing to push
    first.close()
    assert signed_hashes(demo_db) == hashes  # same ids, same content, in another database


def test_another_seed_gives_another_history_with_the_same_organisation(tmp_path: Path, demo_db: Store) -> None:
    store = open_store(tmp_path / "seed7.db")
    with store.session(skip_outbox=True) as s:
        create_demo(s, seed=7)
        s.commit()
    with store.session(skip_outbox=True) as s:
        again = create_demo(s, seed=8)  # history is there: another seed changes nothing, and says which seed made it
        s.commit()
    assert not again.created_anything and again.seed == 7
    assert "seed 7" in again.describe("en")
    assert signed_hashes(store) != signed_hashes(demo_db)
    with store.session() as s, demo_db.session() as d:
        assert {p.code for p in s.exec(select(Person))} == {p.code for p in d.exec(select(Person))}
        assert s.exec(select(Inspection).where(Inspection.vetoed == True)).first() is not None  # noqa: E712
    store.close()


def test_a_code_taken_by_someone_else_is_refused_clearly(store: Store) -> None:
    with store.session() as s:
        s.add(Person(code="HY1001", name_zh="外来人员", name_en="Someone else"))
        s.commit()
    with store.session(skip_outbox=True) as s, pytest.raises(RuleViolation) as caught:
        create_demo(s, seed=2022)
    assert "HY1001" in caught.value.message and "--db" in caught.value.message


# ---------------------------------------------------------------------------------------------------- checklists


def test_safety_checklist_has_real_sections_veto_and_major_hazard_items(session: Session) -> None:
    version = version_of(session, SAFETY_CHECKLIST)
    sections = session.exec(select(TemplateSection).where(TemplateSection.version_id == version.id)).all()
    assert {s.code for s in sections} == {"CAST", "EXTR", "ANOD", "ELEC", "FIRE", "FORK", "PPE"}
    assert sum(s.weight or 0 for s in sections) == pytest.approx(1.0)
    items = session.exec(select(TemplateItem).where(TemplateItem.version_id == version.id)).all()
    scored = [i for i in items if i.points > 0]
    assert len(scored) >= 60
    assert {i.code for i in items if i.always_major} >= {f"CAST-0{n}" for n in range(1, 7)}
    assert {i.code for i in items if i.veto} >= {"FORK-01", "ELEC-01", "FIRE-06"}
    limits = {i.code: (i.lower_limit, i.upper_limit, i.unit) for i in items if i.kind == "measurement"}
    assert limits["ELEC-02"] == (None, 4.0, "Ω") and limits["EXTR-06"] == (None, 85.0, "dB(A)")
    assert limits["CAST-07"][:2] == (0.08, 0.25)
    assert all(i.basis_zh and i.basis_en for i in scored)
    assert any(i.deduction_per_occurrence for i in items)
    assert version.frozen and version.grade_bands == [[90.0, "excellent"], [80.0, "good"], [70.0, "pass"]]


def test_six_s_and_quality_sheets(session: Session) -> None:
    six_s = session.exec(select(TemplateItem).where(TemplateItem.version_id == version_of(session, "DEMO-6S").id)).all()
    assert len(six_s) >= 18 and all(i.kind == "score" and i.max_score == 5 for i in six_s)
    titles = {s.title_zh for s in session.exec(select(TemplateSection)) if s.version_id == six_s[0].version_id}
    assert titles == {"整理", "整顿", "清扫", "清洁", "素养", "安全"}
    quality = version_of(session, "DEMO-QUALITY")
    items = {i.code: i for i in session.exec(select(TemplateItem).where(TemplateItem.version_id == quality.id))}
    assert items["Q-01"].kind == "measurement" and items["Q-01"].lower_limit == 98
    assert any(i.kind == "yes_no" for i in items.values())
    links = session.exec(select(CampaignChecklist)).all()
    linked = {(c.campaign_id, c.template_version_id) for c in links}
    assert (campaign(session, DEMO_QUALITY_CAMPAIGN).id, quality.id) in linked
    assert (campaign(session, DEMO_SAFETY_CAMPAIGN).id, version_of(session, SAFETY_CHECKLIST).id) in linked


def test_every_name_and_item_is_in_both_languages(session: Session) -> None:
    models: tuple[type[Any], ...] = (Unit, Workshop, Team, Checkpoint, Person, Campaign, ChecklistTemplate)
    for model in models:
        for row in session.exec(select(model)).all():
            assert row.name_zh.strip() and row.name_en.strip(), (model.__name__, row.code)
    for item in session.exec(select(TemplateItem)).all():
        assert item.text_zh.strip() and item.text_en.strip(), item.code
    for section in session.exec(select(TemplateSection)).all():
        assert section.title_zh.strip() and section.title_en.strip(), section.code
    for project in session.exec(select(InnovationProject)).all():
        assert project.title_zh and project.title_en and project.panel_score is not None


# ---------------------------------------------------------------------------------------------------- organisation


def test_organisation_people_and_assignments(session: Session) -> None:
    units = session.exec(select(Unit)).all()
    assert 3 <= len(units) <= 4 and {u.kind for u in units} == {
        "branch_factory",
        "industrial_park",
        "member_enterprise",
    }
    teams = session.exec(select(Team)).all()
    people = session.exec(select(Person)).all()
    for workshop in session.exec(select(Workshop)).all():
        own_teams = {t.id for t in teams if t.workshop_id == workshop.id}
        assert 3 <= len(own_teams) <= 6, workshop.code
        checkpoints = session.exec(select(Checkpoint).where(Checkpoint.workshop_id == workshop.id)).all()
        assert checkpoints, workshop.code
        for checkpoint in checkpoints:
            assert checkpoint.team_id in own_teams
            assert decode_label(encode_label("checkpoint", checkpoint.code)).code == checkpoint.code
    leaders = defaultdict(list)
    for person in people:
        if person.role == Role.TEAM_LEADER:
            leaders[person.team_id].append(person)
    assert all(len(leaders[t.id]) == 1 for t in teams)
    roles: dict[str, int] = defaultdict(int)
    for person in people:
        roles[person.role] += 1
    assert roles[Role.INSPECTOR] == 8 and roles[Role.SUPERVISOR] == 2 and roles[Role.AUDITOR] == 1
    assignments = session.exec(select(InspectorAssignment)).all()
    inspectors = {p.id for p in people if p.role == Role.INSPECTOR}
    for code in (DEMO_QUALITY_CAMPAIGN, DEMO_SAFETY_CAMPAIGN):
        cid = campaign(session, code).id
        assert {a.person_id for a in assignments if a.campaign_id == cid} == inspectors
    safety, quality = campaign(session, DEMO_SAFETY_CAMPAIGN), campaign(session, DEMO_QUALITY_CAMPAIGN)
    assert safety.active and not quality.active and safety.number == 21 and quality.number == 15
    assert (safety.starts_on, safety.ends_on) == (date(2022, 6, 1), date(2022, 6, 30))


# ---------------------------------------------------------------------------------------------------- history


def test_stored_scores_reproduce_from_the_answers(session: Session) -> None:
    items_by_version: dict[uuid.UUID, list[TemplateItem]] = defaultdict(list)
    for item in session.exec(select(TemplateItem).order_by(col(TemplateItem.position))):
        items_by_version[item.version_id].append(item)
    sections = {s.id: s for s in session.exec(select(TemplateSection))}
    versions = {v.id: v for v in session.exec(select(TemplateVersion))}
    answers: dict[uuid.UUID, dict[uuid.UUID, Answer]] = defaultdict(dict)
    for answer in session.exec(select(Answer)):
        answers[answer.inspection_id][answer.item_id] = answer
    signed = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.SIGNED)).all()
    assert len(signed) > 300
    for inspection in signed:
        items = items_by_version[inspection.template_version_id]
        version = versions[inspection.template_version_id]
        assert set(answers[inspection.id]) == {i.id for i in items}  # every item answered
        rules = [
            ItemRule(i.code, sections[i.section_id].code, i.kind, i.points, i.deduction_per_occurrence, i.max_score,
                     i.lower_limit, i.upper_limit, i.required, i.veto)
            for i in items
        ]  # fmt: skip
        values = {
            i.code: AnswerValue(a.choice, a.score, a.measurement, a.text, a.photo_path, a.occurrences)
            for i in items
            for a in [answers[inspection.id][i.id]]
        }
        result = score_inspection(
            rules,
            values,
            section_weights={s.code: s.weight for s in sections.values() if s.version_id == version.id},
            grade_bands=version.grade_bands,
            template_rule_version=version.rule_version,
        )
        stored = (inspection.score_earned, inspection.score_possible, inspection.score_percent, inspection.grade)
        assert stored == (result.earned, result.possible, result.percent, result.grade)
        assert (inspection.vetoed, inspection.rule_version) == (result.vetoed, result.rule_version)


def test_signed_inspections_are_acknowledged_hashed_and_chained(session: Session) -> None:
    leaders = {p.team_id: p.id for p in session.exec(select(Person).where(Person.role == Role.TEAM_LEADER))}
    signed = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.SIGNED)).all()
    for inspection in signed[::7]:
        assert inspection.content_hash == inspection_hash(session, inspection)
    for inspection in signed:
        assert inspection.acknowledged_by_id == leaders[inspection.team_id]
    report = check_integrity(session)
    assert report.ok and report.signed_checked == len(signed)
    entries = session.exec(select(AuditEntry)).all()
    assert {entry.kind for entry in entries} == {"sign_off", "verification"}
    assert all(date(2022, 5, 1) <= e.at.astimezone(CHINA_TIME).date() <= date(2022, 6, 30) for e in entries)


def test_history_stays_inside_the_campaign_months(session: Session) -> None:
    campaigns = {c.id: c for c in session.exec(select(Campaign))}
    for inspection in session.exec(select(Inspection)).all():
        window = campaigns[inspection.campaign_id]
        for stamp in (inspection.started_at, inspection.signed_at, inspection.created_at, inspection.updated_at):
            if stamp is not None:
                assert window.starts_on <= stamp.astimezone(CHINA_TIME).date() <= window.ends_on
    ends = {
        order.id: campaigns[inspection.campaign_id].ends_on
        for order, inspection in session.exec(
            select(RectificationOrder, Inspection)
            .join(Finding, col(Finding.id) == col(RectificationOrder.finding_id))
            .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
        )
    }
    for event in session.exec(select(RectificationEvent)).all():
        assert event.at.astimezone(CHINA_TIME).date() <= ends[event.order_id]


def test_findings_follow_the_grade_rules_and_orders_keep_their_history(session: Session) -> None:
    rows = session.exec(
        select(Finding, TemplateItem, Inspection)
        .join(TemplateItem, col(TemplateItem.id) == col(Finding.item_id))
        .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
    ).all()
    for finding, item, inspection in rows:
        if item.always_major:
            assert finding.grade == HazardGrade.MAJOR
        assert inspection.signed_at is not None
        signed_day = inspection.signed_at.astimezone(CHINA_TIME).date()
        assert finding.deadline == signed_day + timedelta(days=DEADLINE_DAYS[HazardGrade(finding.grade)])
    events: dict[uuid.UUID, list[RectificationEvent]] = defaultdict(list)
    for event in session.exec(select(RectificationEvent).order_by(col(RectificationEvent.at))):
        events[event.order_id].append(event)
    orders = session.exec(select(RectificationOrder)).all()
    assert len(orders) == len(rows)
    for order in orders:
        history = events[order.id]
        assert history[0].from_status is None and history[0].to_status == OrderStatus.OPEN
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(history))
        assert history[-1].to_status == order.status
        assert (order.closed_at is not None) == (order.status == OrderStatus.CLOSED)


def team_averages(session: Session, code: str) -> dict[uuid.UUID, list[float]]:
    main = version_of(session, SAFETY_CHECKLIST if code == DEMO_SAFETY_CAMPAIGN else "DEMO-QUALITY")
    scores: dict[uuid.UUID, list[float]] = defaultdict(list)
    for inspection in session.exec(
        select(Inspection).where(
            Inspection.campaign_id == campaign(session, code).id,
            Inspection.status == InspectionStatus.SIGNED,
            Inspection.template_version_id == main.id,
        )
    ):
        assert inspection.team_id is not None and inspection.score_percent is not None
        scores[inspection.team_id].append(inspection.score_percent)
    return scores


@pytest.mark.parametrize("code", [DEMO_SAFETY_CAMPAIGN, DEMO_QUALITY_CAMPAIGN])
def test_teams_differ_enough_for_rankings_and_awards(session: Session, code: str) -> None:
    scores = team_averages(session, code)
    assert len(scores) == len(session.exec(select(Team)).all())
    regular = {team: sum(s) / len(s) for team, s in scores.items() if len(s) >= 3}
    assert sum(1 for avg in regular.values() if avg >= 90) >= 5
    assert sum(1 for avg in regular.values() if avg < 90) >= 5
    assert any(len(s) < 3 for s in scores.values())  # some teams miss the inspection-count threshold
    assert max(regular.values()) - min(regular.values()) >= 8


def test_vetoes_major_hazards_and_every_order_state(session: Session) -> None:
    safety = campaign(session, DEMO_SAFETY_CAMPAIGN)
    vetoed = session.exec(select(Inspection).where(Inspection.vetoed == True)).all()  # noqa: E712
    assert vetoed and all(i.grade == "veto" and i.campaign_id == safety.id for i in vetoed)
    rows = session.exec(
        select(RectificationOrder, Finding, Inspection)
        .join(Finding, col(Finding.id) == col(RectificationOrder.finding_id))
        .join(Inspection, col(Inspection.id) == col(Finding.inspection_id))
    ).all()
    open_major = [o for o, f, _ in rows if f.grade == HazardGrade.MAJOR and o.status != OrderStatus.CLOSED]
    assert open_major
    for order in open_major:
        assert order.plan_measures and order.plan_funds and order.plan_deadline and order.plan_owner_id
        assert order.plan_emergency
    assert {o.status for o, _, _ in rows} == {s.value for s in OrderStatus}
    ends = {c.id: c.ends_on for c in session.exec(select(Campaign))}
    overdue = [o for o, _, i in rows if o.status != OrderStatus.CLOSED and o.deadline < ends[i.campaign_id]]
    late = [o for o, _, _ in rows if o.closed_at and o.closed_at.astimezone(CHINA_TIME).date() > o.deadline]
    on_time = [o for o, _, _ in rows if o.closed_at and o.closed_at.astimezone(CHINA_TIME).date() <= o.deadline]
    assert overdue and late and len(on_time) > len(late)


def test_drafts_quality_figures_and_projects(session: Session) -> None:
    drafts = session.exec(select(Inspection).where(Inspection.status == InspectionStatus.DRAFT)).all()
    assert {d.inspector_id for d in drafts} == {demo_person_id(code) for code in DEMO_DRAFT_INSPECTORS}
    for draft in drafts:
        answered = session.exec(select(sa.func.count()).where(Answer.inspection_id == draft.id)).one()
        total = session.exec(select(sa.func.count()).where(TemplateItem.version_id == draft.template_version_id)).one()
        assert 0 < answered < total and draft.current_item_code and draft.signed_at is None
        resume = session.exec(
            select(TemplateItem).where(
                TemplateItem.version_id == draft.template_version_id, TemplateItem.code == draft.current_item_code
            )
        ).one()
        assert (
            session.exec(select(Answer).where(Answer.inspection_id == draft.id, Answer.item_id == resume.id)).first()
            is None
        )
        assigned = session.exec(
            select(InspectorAssignment).where(
                InspectorAssignment.person_id == draft.inspector_id,
                InspectorAssignment.workshop_id == draft.workshop_id,
                InspectorAssignment.campaign_id == draft.campaign_id,
            )
        ).first()
        assert assigned is not None
    teams = len(session.exec(select(Team)).all())
    figures = session.exec(select(QualityFigure)).all()
    assert len(figures) == 2 * teams
    assert all(f.six_s_score is not None and f.first_pass_yield is not None for f in figures)
    yields = [f.first_pass_yield or 0 for f in figures]
    assert min(yields) < 98 <= max(yields)
    assert any(f.complaints for f in figures) and any(not f.complaints for f in figures)
    projects = session.exec(select(InnovationProject)).all()
    assert len(projects) >= 8 and len({p.panel_score for p in projects}) > 3
    assert {p.kind for p in projects} == {"innovation", "qc_circle"}


# ---------------------------------------------------------------------------------------------------- command line


def test_inspector_demo_command_creates_and_then_reports_present(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from inspector.cli import app

    db = tmp_path / "cli.db"
    first = CliRunner().invoke(app, ["demo", "--db", str(db)], env={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert first.exit_code == 0, first.output
    text = " ".join(first.output.split())
    assert "Huayue Aluminium Group" in text and "SPM-2022" in text and "QMM-2022" in text and "created" in text
    again = CliRunner().invoke(app, ["demo", "--db", str(db)], env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert again.exit_code == 0, again.output
    assert "已存在" in again.output and "第二十一届安全生产月" in again.output
    with open_store(db).session() as s:
        assert s.exec(select(sa.func.count()).select_from(OutboxEntry)).one() == 0
