"""The demo group with its packaged award rules: every level has eligible and not eligible subjects, every decision
is explained, and every figure can be traced to records that add up to it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inspector.awards import evaluate_campaign, figure_sources
from inspector.cli import app
from inspector.demo import create_demo
from inspector.store import Store


@pytest.fixture
def demo(store: Store) -> Store:
    with store.session(skip_outbox=True) as session:
        create_demo(session)
        session.commit()
    return store


@pytest.mark.parametrize("code", ["SPM-2022", "QMM-2022"])
def test_every_level_has_a_mix_and_every_decision_is_explained(demo: Store, code: str) -> None:
    result = CliRunner().invoke(
        app, ["awards", "--campaign", code, "--db", str(demo.path), "--format", "json", "--lang", "en"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rules"]["origin"] == "packaged"
    for level in ("team", "workshop", "unit", "innovation"):
        outcomes = {e["eligible"] for e in data["entries"] if e["level"] == level}
        assert outcomes == {True, False}, f"{code} {level}: {outcomes}"
    for entry in data["entries"]:
        assert entry["criteria"], entry
        assert entry["eligible"] == all(c["met"] for c in entry["criteria"])
        assert (entry["rank"] is None) == (not entry["eligible"])


def test_team_figures_add_up_from_their_sources(demo: Store) -> None:
    with demo.session() as session:
        evaluation = evaluate_campaign(session, campaign_code="SPM-2022")
        teams = [e for e in evaluation.for_award("advanced_team") if e.figures["inspection_count"]][:12]
        for entry in teams:
            sources = figure_sources(
                session, evaluation=evaluation, award=entry.award, subject_id=entry.subject.id, figure="average_score"
            )
            counted = [float(s.value) for s in sources if s.counted]
            assert len(counted) == entry.figures["inspection_count"]
            assert round(sum(counted) / len(counted) + 1e-9, 1) == entry.figures["average_score"]
            orders = figure_sources(
                session,
                evaluation=evaluation,
                award=entry.award,
                subject_id=entry.subject.id,
                figure="on_time_rectification_rate",
            )
            due = [s for s in orders if s.counted]
            on_time = [s for s in due if s.note == "src.on_time"]
            expected = round(len(on_time) * 100 / len(due) + 1e-9, 1) if due else 100.0
            assert expected == entry.figures["on_time_rectification_rate"]


def test_demo_cross_checks_give_inspector_consistency_something_to_compare(demo: Store) -> None:
    from sqlmodel import select

    from inspector.awards.leaderboard import inspector_consistency
    from inspector.models import Campaign

    with demo.session() as session:
        campaign = session.exec(select(Campaign).where(Campaign.code == "SPM-2022")).one()
        consistency = inspector_consistency(session, campaign_id=campaign.id)
    assert len(consistency.teams) >= 20  # teams scored by two inspectors
    assert len(consistency.inspectors) == 8
    assert any(bias.mean_abs_deviation > 0 for bias in consistency.inspectors)
