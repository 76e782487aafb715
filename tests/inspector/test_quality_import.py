"""Importing team quality figures and innovation projects: Chinese or English headers, bad rows named by number,
all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from inspector.models import InnovationProject, QualityFigure
from inspector.quality_import import QualityImportFailed, import_quality_file
from inspector.store import Store
from tests.inspector.award_world import AwardWorld, build_award_world


@pytest.fixture
def world(store: Store) -> Iterator[AwardWorld]:
    with store.session() as session:
        yield build_award_world(session)


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def figures(world: AwardWorld) -> dict[str, QualityFigure]:
    ids = {v: k for k, v in world.teams.items()}
    rows = world.session.exec(select(QualityFigure)).all()
    return {ids[r.team_id]: r for r in rows}


def test_chinese_headers_and_percent_signs(world: AwardWorld, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "质量数据.csv",
        "班组,一次合格率(%),不良率,返工率,客诉,6S得分\nU1/W1/T1,98.6%,0.8,1.2,0,92\nU1W2T1班,97.5,1.5%,2.0,2,85.5\n",
    )
    result = import_quality_file(world.session, path=path, campaign_id=world.campaign_id)
    assert (result.figures, result.projects) == (2, 0)
    stored = figures(world)
    assert stored["U1/W1/T1"].first_pass_yield == 98.6
    assert stored["U1/W1/T1"].complaints == 0
    assert stored["U1/W2/T1"].defect_rate == 1.5
    assert stored["U1/W2/T1"].six_s_score == 85.5


def test_english_xlsx_with_a_title_row(world: AwardWorld, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Quality Management Month 2022 — team figures"])
    sheet.append(["Team", "First pass yield", "Defect rate", "Rework rate", "Complaints", "6S score"])
    sheet.append(["U2/W1/T2", 99.1, 0.4, 0.6, 1, 88])
    path = tmp_path / "quality.xlsx"
    workbook.save(path)
    result = import_quality_file(world.session, path=path, campaign_id=world.campaign_id)
    assert result.figures == 1
    assert figures(world)["U2/W1/T2"].first_pass_yield == 99.1


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(world: AwardWorld, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        "team,first pass yield,defect rate,complaints\n"
        "U1/W1/T1,98.6,0.8,0\n"  # row 2: fine
        "U9/W1/T1,98,1,0\n"  # row 3: unknown team
        "U1/W1/T2,abc,1,0\n"  # row 4: not a number
        "U1/W2/T2,101,1,0\n"  # row 5: out of range
        "U2/W1/T1,98,1,1.5\n"  # row 6: complaints not whole
        "U1/W1/T1,97,1,0\n"  # row 7: repeats row 2
        ",98,1,0\n"  # row 8: no team
        "T1,98,1,0\n",  # row 9: ambiguous team code
    )
    with pytest.raises(QualityImportFailed) as failed:
        import_quality_file(world.session, path=path, campaign_id=world.campaign_id)
    message = failed.value.localized("en")
    for expected in (
        "row 3: unknown team 'U9/W1/T1'",
        "row 4: first pass yield: 'abc' is not a number",
        "row 5: first pass yield: 101 is outside 0–100",
        "row 6: complaints: '1.5' is not a whole number",
        "row 7: repeats row 2 (same team)",
        "row 8: the team is missing",
        "row 9: team 'T1' is ambiguous",
    ):
        assert expected in message
    assert "row 2:" not in message
    assert "第 3 行" in failed.value.localized("zh")
    assert figures(world) == {}


def test_an_empty_cell_keeps_the_stored_value(world: AwardWorld, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", "班组,一次合格率,客诉\nU1/W1/T1,98.6,1\n")
    import_quality_file(world.session, path=first, campaign_id=world.campaign_id)
    second = write_csv(tmp_path / "b.csv", "班组,一次合格率,客诉\nU1/W1/T1,,0\n")
    import_quality_file(world.session, path=second, campaign_id=world.campaign_id)
    row = figures(world)["U1/W1/T1"]
    assert (row.first_pass_yield, row.complaints) == (98.6, 0)


def test_innovation_projects(world: AwardWorld, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "projects.csv",
        "项目编码,班组,项目名称,英文名称,类型,评审得分\n"
        "QC-01,U1/W1/T1,降低挤压型材表面划伤,Fewer extrusion scratches,QC小组,91.5\n"
        "IN-02,U2/W2/T1,熔铸炉余热回收,Furnace heat recovery,创新,\n",
    )
    result = import_quality_file(world.session, path=path, campaign_id=world.campaign_id)
    assert result.projects == 2
    projects = {p.code: p for p in world.session.exec(select(InnovationProject)).all()}
    assert projects["QC-01"].kind == "qc_circle" and projects["QC-01"].panel_score == 91.5
    assert projects["IN-02"].kind == "innovation" and projects["IN-02"].panel_score is None
    bad = write_csv(tmp_path / "bad.csv", "project code,team,title,kind\nX,U1/W1/T1,,robot\n")
    with pytest.raises(QualityImportFailed) as failed:
        import_quality_file(world.session, path=bad, campaign_id=world.campaign_id)
    assert "row 2: the project title is missing" in str(failed.value)
    assert "row 2: project kind 'robot' is not innovation or qc_circle" in str(failed.value)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("q.txt", b"team\n", "only .csv and .xlsx"),
        ("missing.csv", None, "Cannot read"),
        ("broken.xlsx", b"not a zip", "Cannot read"),
        ("noheader.csv", b"a,b\n1,2\n", "no header row"),
        ("empty.csv", "班组,一次合格率\n".encode(), "no data rows"),
    ],
)
def test_unusable_files_are_named(
    world: AwardWorld, tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(QualityImportFailed) as failed:
        import_quality_file(world.session, path=path, campaign_id=world.campaign_id)
    assert expected in str(failed.value)
    assert name in str(failed.value)
