"""Reproducibility: stored scores survive new template versions, decisions survive new rule versions, and final
decisions are never rewritten. Nominations and the final list are chained in the audit log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from inspector.audit import verify_chain
from inspector.awards import decisions, evaluate_campaign, finalise, import_rules, record_evaluation, set_nominated
from inspector.awards.repository import find_campaign, load_rules
from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ItemSpec, SectionSpec
from inspector.errors import RuleViolation
from inspector.inspections import AnswerInput, acknowledge, save_answer, sign_off, start_inspection
from inspector.models import AuditEntry, CampaignChecklist, Checkpoint, Inspection, TemplateItem
from inspector.scoring import AnswerValue, ItemRule, score_inspection
from inspector.store import Store
from tests.inspector.award_world import SPEC, AwardWorld, at, build_award_world
from tests.inspector.test_awards import rules_text

TEAM = "U1/W1/T1"


@pytest.fixture
def world(store: Store) -> Iterator[AwardWorld]:
    with store.session() as session:
        yield build_award_world(session)


def _signed_inspection(world: AwardWorld) -> Inspection:
    """A real walk: start, answer (A1 yes, A2 no), acknowledge, sign off: 10 of 20 = 50.0."""
    s = world.session
    checkpoint = Checkpoint(
        workshop_id=world.workshop_of(TEAM), team_id=world.teams[TEAM], code="CP-1", name_zh="熔铸炉平台"
    )
    s.add(checkpoint)
    s.flush()
    inspection, _ = start_inspection(
        s,
        campaign_id=world.campaign_id,
        template_version_id=world.version_id,
        inspector_id=world.inspectors[0],
        checkpoint_id=checkpoint.id,
        now=at(5, 9),
    )
    items = {i.code: i for i in s.exec(select(TemplateItem).where(TemplateItem.version_id == world.version_id))}
    save_answer(s, inspection_id=inspection.id, item_id=items["A1"].id, value=AnswerInput(choice="yes"), now=at(5, 9))
    save_answer(s, inspection_id=inspection.id, item_id=items["A2"].id, value=AnswerInput(choice="no"), now=at(5, 9))
    acknowledge(s, inspection_id=inspection.id, leader_id=world.leaders[TEAM], now=at(5, 10))
    sign_off(s, inspection_id=inspection.id, signer_id=world.inspectors[0], now=at(5, 10))
    return inspection


def test_past_scores_do_not_change_when_the_template_gets_a_new_version(world: AwardWorld) -> None:
    inspection = _signed_inspection(world)
    assert (inspection.score_percent, inspection.rule_version) == (50.0, "deduct-1/1")
    import_rules(world.session, campaign=find_campaign(world.session, "SPM-2022"), text=rules_text(90))
    before = evaluate_campaign(world.session, campaign_code="SPM-2022")
    team_before = next(e for e in before.for_award("advanced_team") if e.subject.id == world.teams[TEAM])
    assert team_before.figures["average_score"] == 50.0
    # The safety office re-weights the sheet: exits now worth 30 with a 1-point deduction per occurrence.
    new_spec = SPEC.model_copy(
        update={
            "sections": [
                SectionSpec(
                    code="S",
                    title_zh="安全",
                    title_en="Safety",
                    items=[
                        ItemSpec(code="A1", text_zh="应急水源", text_en="Emergency water", points=10, veto=True),
                        ItemSpec(
                            code="A2", text_zh="通道畅通", text_en="Exits clear", points=30, deduction_per_occurrence=1
                        ),
                    ],
                )
            ]
        }
    )
    version, created = store_checklist(world.session, spec=new_spec, source="v2")
    assert created
    world.session.add(CampaignChecklist(campaign_id=world.campaign_id, template_version_id=version.id))
    world.session.flush()
    # The same answers under the new version would score differently…
    rescored = score_inspection(
        [ItemRule("A1", "S", points=10, veto=True), ItemRule("A2", "S", points=30, deduction_per_occurrence=1)],
        {"A1": AnswerValue(choice="yes"), "A2": AnswerValue(choice="no")},
    )
    assert rescored.percent == 97.5
    # …but the stored score, its version and every award figure stay as they were.
    stored = world.session.get(Inspection, inspection.id)
    assert stored is not None
    assert (stored.score_percent, stored.template_version_id, stored.rule_version) == (
        50.0,
        world.version_id,
        "deduct-1/1",
    )
    after = evaluate_campaign(world.session, campaign_code="SPM-2022")
    assert [(e.award, e.subject.id, e.figures, e.eligible) for e in before.entries] == [
        (e.award, e.subject.id, e.figures, e.eligible) for e in after.entries
    ]


def _add_history(world: AwardWorld) -> None:
    for team, scores in ((TEAM, (92.0, 94.0, 96.0)), ("U1/W2/T1", (86.0, 88.0, 90.0)), ("U2/W1/T1", (95.0,) * 3)):
        for day, score in enumerate(scores, start=3):
            world.inspect(team, score, day=day)


def test_decisions_made_under_an_old_rule_version_never_change(world: AwardWorld) -> None:
    _add_history(world)
    s = world.session
    campaign = find_campaign(s, "SPM-2022")
    v1, _ = import_rules(s, campaign=campaign, text=rules_text(90))
    evaluation = evaluate_campaign(s, campaign_code="SPM-2022")
    record_evaluation(s, evaluation=evaluation, rules_text=v1.source_text, actor_id=world.supervisor_id, at=at(30))
    old = {(d.award, d.subject_id): (d.eligible, d.rank, d.criteria) for d in decisions(s, campaign_id=campaign.id)}
    v2, created = import_rules(s, campaign=campaign, text=rules_text(85))
    assert created and v2.version == 2
    assert load_rules(s, campaign=campaign).version == 2
    evaluation = evaluate_campaign(s, campaign_code="SPM-2022")
    record_evaluation(s, evaluation=evaluation, rules_text=v2.source_text, actor_id=world.supervisor_id, at=at(30))
    again = {
        (d.award, d.subject_id): (d.eligible, d.rank, d.criteria)
        for d in decisions(s, campaign_id=campaign.id, ruleset_id=v1.id)
    }
    assert again == old
    newest = {(d.award, d.subject_id): d.eligible for d in decisions(s, campaign_id=campaign.id)}
    assert newest[("advanced_team", world.teams["U1/W2/T1"])] is True
    assert old[("advanced_team", world.teams["U1/W2/T1"])][0] is False


def test_nominations_and_the_final_list_are_chained_and_final_is_final(world: AwardWorld) -> None:
    _add_history(world)
    s = world.session
    campaign = find_campaign(s, "SPM-2022")
    ruleset, _ = import_rules(s, campaign=campaign, text=rules_text(90))
    evaluation = evaluate_campaign(s, campaign_code="SPM-2022")
    record_evaluation(s, evaluation=evaluation, rules_text=ruleset.source_text, actor_id=world.supervisor_id, at=at(30))
    teams = {d.subject_id: d for d in decisions(s, campaign_id=campaign.id) if d.award == "advanced_team"}
    best, good, weak = teams[world.teams["U2/W1/T1"]], teams[world.teams[TEAM]], teams[world.teams["U1/W2/T1"]]
    # quota 2: both eligible teams were nominated when the evaluation was recorded
    assert (best.rank, best.nominated, good.rank, good.nominated) == (1, True, 2, True)
    with pytest.raises(RuleViolation, match="Only an eligible subject can be nominated"):
        set_nominated(s, decision_id=weak.id, nominated=True, actor_id=world.supervisor_id, at=at(30))
    set_nominated(s, decision_id=good.id, nominated=False, actor_id=world.supervisor_id, at=at(30))
    final = finalise(s, ruleset_id=ruleset.id, actor_id=world.supervisor_id, at=at(30))
    assert {d.subject_id for d in final} >= {world.teams["U2/W1/T1"]}
    assert world.teams[TEAM] not in {d.subject_id for d in final}
    with pytest.raises(RuleViolation, match="final"):
        set_nominated(s, decision_id=best.id, nominated=False, actor_id=world.supervisor_id, at=at(30))
    # a score changes afterwards and the evaluation is recorded again: the final decision stays as decided
    world.inspect("U2/W1/T1", 10.0, day=20)
    evaluation = evaluate_campaign(s, campaign_code="SPM-2022")
    assert not next(e for e in evaluation.for_award("advanced_team") if e.subject.id == best.subject_id).eligible
    record_evaluation(s, evaluation=evaluation, rules_text=ruleset.source_text, actor_id=world.supervisor_id, at=at(30))
    s.refresh(best)
    assert best.final and best.eligible and best.rank == 1
    entries = s.exec(select(AuditEntry).where(AuditEntry.kind == "award_decision")).all()
    payloads = [e.payload for e in entries]
    assert sum(1 for p in payloads if p.get("action") == "evaluation") == 2
    assert sum(1 for p in payloads if p.get("final")) == len(final)
    assert verify_chain(s).ok
