"""``inspector awards`` / ``awards rules import`` / ``awards decisions`` / ``quality import`` as a supervisor runs them."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from inspector.audit import verify_chain
from inspector.cli import app
from inspector.models import AuditEntry, AwardDecision, AwardRuleSet, Campaign
from inspector.store import open_store
from tests.inspector.award_world import build_award_world
from tests.inspector.test_awards import rules_text

runner = CliRunner()


@pytest.fixture
def db(db_path: Path) -> Path:
    store = open_store(db_path)
    with store.session() as session:
        w = build_award_world(session)
        for team, scores in (("U1/W1/T1", (92.0, 94.0, 96.0)), ("U1/W2/T1", (86.0, 88.0, 90.0))):
            for day, score in enumerate(scores, start=3):
                w.inspect(team, score, day=day)
        session.add(
            Campaign(code="X-2023", name_zh="无规则活动", starts_on=date(2023, 1, 1), ends_on=date(2023, 1, 31))
        )
        session.commit()
    store.close()
    return db_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def rules_file(tmp_path: Path, team_min: float = 90) -> Path:
    path = tmp_path / f"rules-{team_min}.toml"
    path.write_text(rules_text(team_min), encoding="utf-8")
    return path


def test_json_explains_every_decision(db: Path, tmp_path: Path) -> None:
    code, out, err = invoke(
        "awards",
        "--campaign",
        "SPM-2022",
        "--db",
        str(db),
        "--format",
        "json",
        "--rules",
        str(rules_file(tmp_path)),
        "--lang",
        "en",
    )
    assert code == 0, err
    data = json.loads(out)
    teams = {e["code"]: e for e in data["entries"] if e["level"] == "team"}
    assert teams["U1/W1/T1"]["eligible"] is True and teams["U1/W1/T1"]["rank"] == 1
    assert teams["U1/W2/T1"]["eligible"] is False and teams["U1/W2/T1"]["rank"] is None
    average = next(c for c in teams["U1/W2/T1"]["criteria"] if c["criterion"] == "average_score")
    assert average == {"criterion": "average_score", "figure": 88.0, "op": ">=", "threshold": 90.0, "met": False}


def test_import_record_change_threshold_and_keep_past_decisions(db: Path, tmp_path: Path) -> None:
    code, out, err = invoke(
        "awards",
        "rules",
        "import",
        str(rules_file(tmp_path)),
        "--campaign",
        "SPM-2022",
        "--db",
        str(db),
        "--lang",
        "en",
    )
    assert code == 0, err
    assert "version 1" in out
    code, out, _ = invoke(
        "awards",
        "rules",
        "import",
        str(rules_file(tmp_path)),
        "--campaign",
        "SPM-2022",
        "--db",
        str(db),
        "--lang",
        "en",
    )
    assert "unchanged" in out
    code, _, err = invoke("awards", "--campaign", "SPM-2022", "--db", str(db), "--record", "--format", "json")
    assert code == 0, err
    invoke("awards", "rules", "import", str(rules_file(tmp_path, 85)), "--campaign", "SPM-2022", "--db", str(db))
    code, out, err = invoke("awards", "--campaign", "SPM-2022", "--db", str(db), "--record", "--format", "json")
    assert code == 0, err
    store = open_store(db)
    with store.session() as session:
        versions = {r.id: r.version for r in session.exec(select(AwardRuleSet)).all()}
        by_version: dict[int, dict[str, bool]] = {1: {}, 2: {}}
        for d in session.exec(select(AwardDecision).where(AwardDecision.award == "advanced_team")).all():
            by_version[versions[d.ruleset_id]][str(d.subject_id)] = d.eligible
        changed = {k for k in by_version[1] if by_version[1][k] != by_version[2][k]}
        assert len(changed) == 1  # only U1/W2/T1 (88.0) crosses a threshold lowered from 90 to 85
        assert sum(by_version[1].values()) == 1 and sum(by_version[2].values()) == 2
        kinds = [e.kind for e in session.exec(select(AuditEntry)).all()]
        assert kinds.count("award_decision") == 2
        assert verify_chain(session).ok
    store.close()


def test_csv_xlsx_and_decision_exports_have_bilingual_headers(db: Path, tmp_path: Path) -> None:
    rules = str(rules_file(tmp_path))
    out_csv = tmp_path / "awards.csv"
    code, _, err = invoke(
        "awards",
        "--campaign",
        "SPM-2022",
        "--db",
        str(db),
        "--rules",
        rules,
        "--format",
        "csv",
        "--out",
        str(out_csv),
        "--lang",
        "zh",
    )
    assert code == 0, err
    with out_csv.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["奖项 Award", "级别 Level", "编码 Code"]
    assert any("平均得分 94.0 ≥ 90 ✔" in cell for row in rows for cell in row), rows[:3]
    out_xlsx = tmp_path / "awards.xlsx"
    code, _, err = invoke(
        "awards",
        "--campaign",
        "SPM-2022",
        "--db",
        str(db),
        "--rules",
        rules,
        "--format",
        "xlsx",
        "--out",
        str(out_xlsx),
        "--lang",
        "zh",
    )
    assert code == 0, err
    workbook = load_workbook(out_xlsx)
    assert workbook.sheetnames == ["先进班组", "先进集体", "先进单位"]
    header = [c.value for c in workbook["先进班组"][1]]
    assert header[0] == "编码 Code" and "平均得分 Average score (≥ 90)" in header
    code, _, err = invoke("awards", "--campaign", "SPM-2022", "--db", str(db), "--rules", rules, "--record")
    assert code == 0, err
    decisions = tmp_path / "nominations.xlsx"
    code, _, err = invoke(
        "awards", "decisions", "--campaign", "SPM-2022", "--db", str(db), "--out", str(decisions), "--lang", "zh"
    )
    assert code == 0, err
    sheet = load_workbook(decisions).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "奖项 Award"
    assert [row[3] for row in values[1:]] == ["U1W1T1班", "U1W1车间", "U1分厂"]  # team, collective, unit


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--campaign", "NOPE"], "No campaign has the code 'NOPE'"),
        (["--campaign", "SPM-2022", "--format", "pdf"], "is not one of table, json, csv, xlsx"),
        (["--campaign", "SPM-2022", "--format", "xlsx"], "needs --out"),
        (["--campaign", "SPM-2022", "--as-of", "June"], "is not a date"),
        (["--campaign", "X-2023"], "Campaign X-2023 has no award rules yet"),
    ],
)
def test_clear_errors(db: Path, args: list[str], expected: str) -> None:
    code, out, err = invoke("awards", "--db", str(db), "--lang", "en", *args)
    assert code != 0
    assert expected in out + err
    assert "Traceback" not in out + err


def test_a_bad_rule_file_names_the_place(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'campaign = "SPM-2022"\n[[awards]]\ncode = "a"\nlevel = "team"\nname_zh = "甲"\n'
        '[[awards.criteria]]\nfigure = "speed"\nmin = 1\n',
        encoding="utf-8",
    )
    code, out, err = invoke(
        "awards", "rules", "import", str(bad), "--campaign", "SPM-2022", "--db", str(db), "--lang", "en"
    )
    assert code == 1
    assert "bad.toml: awards[1].criteria[1]: unknown figure 'speed'" in out + err


def test_quality_import_command(db: Path, tmp_path: Path) -> None:
    good = tmp_path / "q.csv"
    good.write_text("班组,一次合格率,客诉\nU1/W1/T1,98.6,0\n", encoding="utf-8")
    code, out, err = invoke("quality", "import", str(good), "--campaign", "SPM-2022", "--db", str(db), "--lang", "en")
    assert code == 0, err
    assert "Imported 1 team quality rows" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("班组,一次合格率\nU1/W1/T1,x\n", encoding="utf-8")
    code, out, err = invoke("quality", "import", str(bad), "--campaign", "SPM-2022", "--db", str(db), "--lang", "en")
    assert code == 1
    assert "bad.csv row 2" in out + err
