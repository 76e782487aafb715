"""Award evaluation: criteria with figures and thresholds, ranking and quotas, amendments, versions, traceability."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from inspector.awards import (
    JSON_FORMAT,
    Evaluation,
    evaluate,
    figure_sources,
    parse_rules,
)
from inspector.awards.rules import RuleFile
from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ItemSpec, SectionSpec
from inspector.models import Campaign, InnovationProject, QualityFigure
from inspector.store import Store
from tests.inspector.award_world import SPEC, AwardWorld, build_award_world

RULES = """
campaign = "SPM-2022"
title_zh = "测试规则"

[[awards]]
code = "advanced_team"
level = "team"
name_zh = "先进班组"
name_en = "Advanced team"
quota = 2
[[awards.criteria]]
figure = "inspection_count"
min = 3
[[awards.criteria]]
figure = "average_score"
min = {team_min}
[[awards.criteria]]
figure = "veto_events"
max = 0
[[awards.criteria]]
figure = "open_major_hazards"
max = 0
[[awards.criteria]]
figure = "on_time_rectification_rate"
min = 95

[[awards]]
code = "advanced_collective"
level = "workshop"
name_zh = "先进集体"
name_en = "Advanced collective"
[[awards.criteria]]
figure = "average_score"
min = 85
[[awards.criteria]]
figure = "eligible_teams"
min = 1

[[awards]]
code = "advanced_unit"
level = "unit"
name_zh = "先进单位"
name_en = "Advanced unit"
[[awards.criteria]]
figure = "veto_events"
max = 0
[[awards.criteria]]
figure = "eligible_workshops"
min = 1
"""


def rules_text(team_min: float = 90) -> str:
    return RULES.replace("{team_min}", str(team_min))


def rules(team_min: float = 90) -> RuleFile:
    parsed = parse_rules(rules_text(team_min), "test.toml")
    assert parsed.ok, parsed.problems
    assert parsed.rules is not None
    return parsed.rules


@pytest.fixture
def world(store: Store) -> Iterator[AwardWorld]:
    with store.session() as session:
        w = build_award_world(session)
        # U1/W1/T1: a model team. 3 inspections, 92 average, its one order closed on time.
        first = w.inspect("U1/W1/T1", 90.0, day=3)
        w.inspect("U1/W1/T1", 94.0, day=10)
        w.inspect("U1/W1/T1", 92.0, day=17)
        w.order(first, "U1/W1/T1", deadline_day=10, status="closed", closed_day=8)
        # U1/W1/T2: excellent scores but a veto event.
        for day, score in ((4, 95.0), (11, 96.0), (18, 97.0)):
            w.inspect("U1/W1/T2", score, day=day, vetoed=day == 11)
        # U1/W2/T1: 88.0 average (eligible only at a threshold of 85 or lower).
        for day, score in ((5, 86.0), (12, 88.0), (19, 90.0)):
            w.inspect("U1/W2/T1", score, day=day)
        # U1/W2/T2: only two inspections.
        w.inspect("U1/W2/T2", 99.0, day=6)
        w.inspect("U1/W2/T2", 98.0, day=13)
        # U2/W1/T1: good scores, a major hazard still open.
        m = w.inspect("U2/W1/T1", 93.0, day=6)
        w.inspect("U2/W1/T1", 95.0, day=13)
        w.inspect("U2/W1/T1", 91.0, day=20)
        w.order(m, "U2/W1/T1", grade="major", deadline_day=30)
        # U2/W1/T2: good scores, one order closed late and one overdue → 0 % on time.
        o = w.inspect("U2/W1/T2", 91.0, day=6)
        w.inspect("U2/W1/T2", 92.0, day=13)
        w.inspect("U2/W1/T2", 93.0, day=20)
        w.order(o, "U2/W1/T2", deadline_day=10, status="closed", closed_day=14)
        w.order(o, "U2/W1/T2", deadline_day=12)
        # U2/W2/T1: an amended inspection: the original 70 is replaced by 91.
        original = w.inspect("U2/W2/T1", 70.0, day=7)
        w.inspect("U2/W2/T1", 91.0, day=8, amends=original)
        w.inspect("U2/W2/T1", 92.0, day=14)
        w.inspect("U2/W2/T1", 93.0, day=21)
        # U2/W2/T2: nothing.
        session.commit()
        yield w


def run(world: AwardWorld, rule_file: RuleFile, as_of: date | None = None) -> Evaluation:
    campaign = world.session.get(Campaign, world.campaign_id)
    assert campaign is not None
    return evaluate(world.session, campaign=campaign, rules=rule_file, rules_hash="test", as_of=as_of)


def decisions_of(evaluation: Evaluation, award: str) -> dict[str, bool]:
    return {e.subject.code: e.eligible for e in evaluation.for_award(award)}


def test_every_team_decision_is_explained_criterion_by_criterion(world: AwardWorld) -> None:
    evaluation = run(world, rules())
    teams = {e.subject.code: e for e in evaluation.for_award("advanced_team")}
    assert {code for code, e in teams.items() if e.eligible} == {"U1/W1/T1", "U2/W2/T1"}
    model = teams["U1/W1/T1"]
    assert [(c.criterion, c.figure, c.threshold, c.met) for c in model.criteria] == [
        ("inspection_count", 3, 3, True),
        ("average_score", 92.0, 90, True),
        ("veto_events", 0, 0, True),
        ("open_major_hazards", 0, 0, True),
        ("on_time_rectification_rate", 100.0, 95, True),
    ]
    assert [c.criterion for c in teams["U1/W1/T2"].unmet] == ["veto_events"]
    assert [c.criterion for c in teams["U1/W2/T1"].unmet] == ["average_score"]
    assert [c.criterion for c in teams["U1/W2/T2"].unmet] == ["inspection_count"]
    assert [c.criterion for c in teams["U2/W1/T1"].unmet] == ["open_major_hazards"]
    late = teams["U2/W1/T2"]
    assert [c.criterion for c in late.unmet] == ["on_time_rectification_rate"]
    assert late.figures["on_time_rectification_rate"] == 0.0
    assert late.figures["overdue_orders"] == 1
    nothing = teams["U2/W2/T2"]
    assert nothing.figures["average_score"] is None
    assert not nothing.eligible


def test_an_amendment_counts_and_the_superseded_original_does_not(world: AwardWorld) -> None:
    entry = next(e for e in run(world, rules()).for_award("advanced_team") if e.subject.code == "U2/W2/T1")
    assert entry.figures["inspection_count"] == 3
    assert entry.figures["average_score"] == 92.0  # (91 + 92 + 93) / 3, the 70 is gone
    assert entry.figures["lowest_score"] == 91.0
    sources = figure_sources(
        world.session,
        evaluation=run(world, rules()),
        award="advanced_team",
        subject_id=entry.subject.id,
        figure="average_score",
    )
    assert [(s.value.split()[0], s.counted, s.note) for s in sources] == [
        ("70.0", False, "src.superseded"),
        ("91.0", True, "src.counted"),
        ("92.0", True, "src.counted"),
        ("93.0", True, "src.counted"),
    ]


def test_changing_a_threshold_changes_exactly_the_decisions_it_should(world: AwardWorld) -> None:
    strict = run(world, rules(team_min=90))
    lenient = run(world, rules(team_min=88))
    changed = {
        (e.award, e.subject.code)
        for e in lenient.entries
        if e.eligible != strict.entry(e.award, e.subject.id).eligible  # type: ignore[union-attr]
    }
    # U1/W2/T1 (88.0) becomes an advanced team, which makes its workshop a collective (85.0 average is below 85?
    # no: 88.0 ≥ 85) and nothing else moves.
    assert changed == {("advanced_team", "U1/W2/T1"), ("advanced_collective", "U1/W2")}


def test_ranks_quota_and_ties(world: AwardWorld) -> None:
    lenient = run(world, rules(team_min=88))
    eligible = [(e.subject.code, e.rank, e.within_quota) for e in lenient.for_award("advanced_team") if e.eligible]
    assert eligible == [("U1/W1/T1", 1, True), ("U2/W2/T1", 1, True), ("U1/W2/T1", 3, False)]
    not_eligible = [e for e in lenient.for_award("advanced_team") if not e.eligible]
    assert all(e.rank is None and not e.within_quota for e in not_eligible)


def test_collectives_and_units_aggregate_their_teams(world: AwardWorld) -> None:
    evaluation = run(world, rules())
    workshops = {e.subject.code: e for e in evaluation.for_award("advanced_collective")}
    w11 = workshops["U1/W1"]
    assert w11.figures["inspection_count"] == 6
    assert w11.figures["average_score"] == 94.0  # (90+94+92+95+96+97)/6 = 94.0
    assert w11.figures["eligible_teams"] == 1
    assert w11.eligible
    assert workshops["U1/W2"].figures["eligible_teams"] == 0
    assert not workshops["U1/W2"].eligible
    assert workshops["U2/W2"].eligible  # its average counts the amendment: (91+92+93)/3
    units = {e.subject.code: e for e in evaluation.for_award("advanced_unit")}
    assert units["U1"].figures["veto_events"] == 1 and not units["U1"].eligible
    assert units["U2"].figures["eligible_workshops"] == 1 and units["U2"].eligible
    sources = figure_sources(
        world.session,
        evaluation=evaluation,
        award="advanced_unit",
        subject_id=units["U2"].subject.id,
        figure="eligible_workshops",
    )
    assert {(s.value, s.counted) for s in sources} == {("U2/W1", False), ("U2/W2", True)}


def test_the_as_of_date_decides_what_is_open_and_overdue(world: AwardWorld) -> None:
    early = run(world, rules(), as_of=date(2022, 6, 9))
    team = next(e for e in early.for_award("advanced_team") if e.subject.code == "U2/W1/T2")
    # on 9 June neither order was due yet, and the first closed only on the 14th
    assert team.figures["overdue_orders"] == 0
    assert team.figures["on_time_rectification_rate"] == 100.0
    sources = figure_sources(
        world.session,
        evaluation=early,
        award="advanced_team",
        subject_id=team.subject.id,
        figure="on_time_rectification_rate",
    )
    assert [s.note for s in sources] == ["src.closed_after", "src.not_due"]
    late = run(world, rules(), as_of=date(2022, 6, 30))
    team = next(e for e in late.for_award("advanced_team") if e.subject.code == "U2/W1/T2")
    sources = figure_sources(
        world.session,
        evaluation=late,
        award="advanced_team",
        subject_id=team.subject.id,
        figure="on_time_rectification_rate",
    )
    assert [(s.note, s.counted) for s in sources] == [("src.late", True), ("src.overdue", True)]


def test_stored_scores_stand_when_the_template_gets_a_new_version(world: AwardWorld) -> None:
    before = run(world, rules())
    changed = SPEC.model_copy(
        update={
            "sections": [
                SectionSpec(
                    code="S",
                    title_zh="安全",
                    title_en="Safety",
                    items=[ItemSpec(code="A1", text_zh="应急水源", text_en="Emergency water", points=50, veto=False)],
                )
            ]
        }
    )
    version, created = store_checklist(world.session, spec=changed, source="v2")
    assert created and version.id != world.version_id
    after = run(world, rules())
    assert [(e.award, e.subject.code, e.eligible, e.figures) for e in before.entries] == [
        (e.award, e.subject.code, e.eligible, e.figures) for e in after.entries
    ]


def test_quality_figures_and_innovation_projects(world: AwardWorld) -> None:
    text = """
campaign = "SPM-2022"
[[awards]]
code = "quality_team"
level = "team"
name_zh = "质量先进班组"
[[awards.criteria]]
figure = "first_pass_yield"
min = 98
[[awards.criteria]]
figure = "complaints"
max = 0
[[awards]]
code = "innovation"
level = "innovation"
name_zh = "优秀创新项目"
quota = 1
[[awards.criteria]]
figure = "panel_score"
min = 80
[[awards.criteria]]
figure = "team_veto_events"
max = 0
"""
    s = world.session
    s.add(
        QualityFigure(
            campaign_id=world.campaign_id, team_id=world.teams["U1/W1/T1"], first_pass_yield=98.5, complaints=0
        )
    )
    s.add(
        QualityFigure(
            campaign_id=world.campaign_id, team_id=world.teams["U1/W1/T2"], first_pass_yield=99.1, complaints=2
        )
    )
    for code, team, score in (("P1", "U1/W1/T1", 88.0), ("P2", "U1/W1/T2", 95.0), ("P3", "U2/W1/T1", 85.0)):
        s.add(
            InnovationProject(
                campaign_id=world.campaign_id,
                team_id=world.teams[team],
                code=code,
                title_zh=f"项目{code}",
                panel_score=score,
            )
        )
    s.flush()
    parsed = parse_rules(text)
    assert parsed.rules is not None
    evaluation = run(world, parsed.rules)
    assert decisions_of(evaluation, "quality_team") == {
        "U1/W1/T1": True,
        "U1/W1/T2": False,
        "U1/W2/T1": False,
        "U1/W2/T2": False,
        "U2/W1/T1": False,
        "U2/W1/T2": False,
        "U2/W2/T1": False,
        "U2/W2/T2": False,
    }
    projects = {e.subject.code: e for e in evaluation.for_award("innovation")}
    assert not projects["P2"].eligible  # its team had a veto event
    assert (projects["P1"].rank, projects["P1"].within_quota) == (1, True)
    assert (projects["P3"].rank, projects["P3"].within_quota) == (2, False)


def test_the_json_form_is_stable(world: AwardWorld) -> None:
    from inspector.awards.export import to_json

    data = json.loads(to_json(run(world, rules()), "en"))
    assert data["format"] == JSON_FORMAT
    assert data["campaign"]["code"] == "SPM-2022"
    assert data["as_of"] == "2022-06-30"
    entry = data["entries"][0]
    assert {"level", "name", "eligible", "rank", "criteria"} <= set(entry)
    assert entry["level"] == "team" and entry["name"] == "U1W1T1 team"
    assert set(entry["criteria"][0]) == {"criterion", "figure", "op", "threshold", "met"}
    assert {e["level"] for e in data["entries"]} == {"team", "workshop", "unit"}
    assert {e["eligible"] for e in data["entries"] if e["level"] == "team"} == {True, False}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("campaign = ", "not valid TOML"),
        ('campaign = "X"\nawards = []', "awards: List should have at least 1 item"),
        (
            'campaign = "X"\n[[awards]]\ncode = "a"\nlevel = "team"\nname_zh = "甲"\n[[awards.criteria]]\nfigure = "speed"\nmin = 1',
            "awards[1].criteria[1]: unknown figure 'speed'",
        ),
        (
            'campaign = "X"\n[[awards]]\ncode = "a"\nlevel = "team"\nname_zh = "甲"\n[[awards.criteria]]\nfigure = "veto_events"\nmin = 1\nmax = 2',
            "needs exactly one of min or max",
        ),
        (
            'campaign = "X"\n[[awards]]\ncode = "a"\nlevel = "team"\nname_zh = "甲"\n[[awards.criteria]]\nfigure = "panel_score"\nmin = 1',
            "figure 'panel_score' does not exist at level 'team'",
        ),
        ('campaign = "X"\n[[awards]]\ncode = "a"\nlevel = "region"\nname_zh = "甲"', "awards[1].level"),
        ('campaign = "X"\ncolour = 1\n[[awards]]\ncode = "a"\nlevel = "team"\nname_zh = "甲"', "colour"),
    ],
)
def test_bad_rule_files_are_reported_with_where(text: str, expected: str) -> None:
    parsed = parse_rules(text, "rules.toml")
    assert not parsed.ok
    english = " | ".join(en for _zh, en in parsed.problems)
    assert "rules.toml" in english
    assert expected in english


def test_the_packaged_demo_rules_are_valid() -> None:
    from inspector.awards.rules import PACKAGED_RULES_DIR, read_rules_file

    files = sorted(PACKAGED_RULES_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= {"SPM-2022", "QMM-2022"}
    for path in files:
        parsed = read_rules_file(path)
        assert parsed.ok, parsed.problems
        assert parsed.rules is not None and parsed.rules.campaign == path.stem
        assert {a.level for a in parsed.rules.awards} == {"team", "workshop", "unit", "innovation"}


def test_evaluation_date_is_never_the_device_clock(world: AwardWorld) -> None:
    evaluation = run(world, rules())
    assert evaluation.as_of == date(2022, 6, 30)  # the campaign's last day
    assert datetime.now(UTC).date() != evaluation.as_of
