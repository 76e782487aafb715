"""Reports: the right figures, Chinese text that survives into the PDF, workbooks and CSV files Excel reads."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from inspector.cli import app
from inspector.reports import fonts
from inspector.reports.campaign import campaign_summary
from inspector.reports.commendation import commendation_list
from inspector.reports.inspection import find_inspection_id, latest_inspection_id, load_inspection_report
from inspector.reports.pdf import write_commendation_pdf, write_inspection_pdf, write_summary_pdf
from inspector.reports.tables import Table, write_csv, write_xlsx
from inspector.store import Store
from tests.inspector.records_world import TODAY, World, build_world


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_inspection_report_lists_every_item_finding_and_signature(store: Store, world: World) -> None:
    with store.session() as session:
        report = load_inspection_report(session, world.inspections[2], "zh")
    assert (report.workshop, report.checkpoint, report.team) == ("挤压车间", "一号挤压机 (EXTR-01)", "挤压甲班")
    assert (report.inspector, report.leader) == ("李明", "王强")
    assert (report.score_percent, report.grade_text()) == (73.3, "合格")
    assert [(i.code, i.answer, i.earned) for i in report.items] == [
        ("C1", "不适用", None),
        ("C2", "不适用", None),
        ("G1", "否 · 2 处", 6.0),
        ("G2", "3 / 5", 6.0),
        ("G3", "是", 10.0),
    ]
    assert [(f.grade, f.deadline, f.order_status) for f in report.findings] == [
        ("一般隐患", date(2022, 6, 17), "已销号"),
        ("一般隐患", date(2022, 6, 20), "待整改"),
    ]
    assert report.findings[0].photo_paths == ["/photos/EXTR-01-10.jpg"]
    assert report.receipt is not None and report.receipt.startswith("INSR1:")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (.ci/install-system-deps)")
def test_inspection_pdf_has_the_chinese_text_and_a_scannable_receipt(
    store: Store, world: World, tmp_path: Path
) -> None:
    with store.session() as session:
        report = load_inspection_report(session, world.inspections[2], "zh")
    out = tmp_path / "inspection.pdf"
    write_inspection_pdf(report, out)
    text = pdf_text(out)
    for expected in ("检查报告", "挤压车间", "一号挤压机", "挤压甲班", "李明", "王强", "消防通道畅通", "否 · 2 处"):
        assert expected in text
    assert "/photos/EXTR-01-10.jpg" in text and "2022-06-20" in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "page")], check=True)
    found = [r.text for page in sorted(tmp_path.glob("page-*.png")) for r in zxingcpp.read_barcodes(Image.open(page))]
    assert found == [report.receipt]


def test_inspection_report_in_english(store: Store, world: World, tmp_path: Path) -> None:
    with store.session() as session:
        report = load_inspection_report(session, world.inspections[1], "en")
    out = tmp_path / "inspection-en.pdf"
    write_inspection_pdf(report, out)
    text = pdf_text(out)
    assert "Inspection report" in text and "Casting workshop" in text and "Vetoed" in text
    assert "No emergency water" in text


def test_campaign_summary_figures(store: Store, world: World) -> None:
    with store.session() as session:
        summary = campaign_summary(session, "SPM-2022", today=TODAY, lang="zh")
    assert (summary.inspections, summary.average, summary.hazards, summary.overdue) == (5, 82.2, 4, 3)
    assert summary.coverage.rows == [
        ["一分厂", "熔铸车间", 2, 2, 2, 88.0, date(2022, 6, 6)],
        ["一分厂", "挤压车间", 3, 2, 2, 84.2, date(2022, 6, 24)],
        ["二分厂", "氧化车间", 2, 1, 1, 66.7, date(2022, 6, 17)],
    ]
    assert summary.hazards_by_grade.rows == [
        ["一般隐患", 3, 1, 2, 2],
        ["较大隐患", 0, 0, 0, 0],
        ["重大隐患", 1, 0, 1, 1],
        ["合计", 4, 1, 3, 3],
    ]
    assert [row[3] for row in summary.overdue_orders.rows] == [
        "挤压机护栏缺失 Guard rail missing at press 1",
        "未戴防酸手套 Acid gloves not worn",
        "深井铸造无应急水源 No emergency water for the DC pit",
    ]
    assert [row[5] for row in summary.overdue_orders.rows] == [8, 4, 2]
    assert [row[0] for row in summary.overdue_orders.rows] == [
        "一分厂 · 挤压车间",
        "二分厂 · 氧化车间",
        "一分厂 · 熔铸车间",
    ]
    assert ["班组", "挤压乙班", 1, 95.0, 95.0, 95.0] in summary.scores.rows
    assert [(p.week, p.count) for p in summary.trend] == [
        (date(2022, 5, 30), 1),
        (date(2022, 6, 6), 2),
        (date(2022, 6, 13), 1),
        (date(2022, 6, 20), 1),
    ]
    assert summary.hazards_by_workshop[0] == ("熔铸车间", {"general": 0, "significant": 0, "major": 1})


def test_summary_pdf_xlsx_and_csv(store: Store, world: World, tmp_path: Path) -> None:
    with store.session() as session:
        summary = campaign_summary(session, "SPM-2022", today=TODAY, lang="zh")
    write_summary_pdf(summary, tmp_path / "summary.pdf")
    text = pdf_text(tmp_path / "summary.pdf")
    for expected in (
        "第二十一届安全生产月",
        "熔铸车间",
        "氧化车间",
        "挤压乙班",
        "得分趋势",
        "各车间隐患数量",
        "逾期未整改",
    ):
        assert expected in text
    write_xlsx(summary.tables(), tmp_path / "summary.xlsx")
    book = load_workbook(tmp_path / "summary.xlsx")
    assert book.sheetnames == [
        "车间覆盖情况",
        "各级得分",
        "隐患分级统计",
        "整改状态",
        "逾期未整改",
        "得分趋势（按周平均）",
    ]
    coverage = [list(row) for row in book["车间覆盖情况"].iter_rows(values_only=True)]
    assert coverage[0] == ["单位", "车间", "检查点数", "已检查点数", "检查次数", "平均分", "最近检查"]
    assert [row[:6] for row in coverage[1:]] == [
        ["一分厂", "熔铸车间", 2, 2, 2, 88],
        ["一分厂", "挤压车间", 3, 2, 2, 84.2],
        ["二分厂", "氧化车间", 2, 1, 1, 66.7],
    ]
    assert book["逾期未整改"].max_row == 4
    write_csv(summary.tables(), tmp_path / "summary.csv")
    raw = (tmp_path / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["车间覆盖情况"] and rows[2] == ["一分厂", "熔铸车间", "2", "2", "2", "88", "2022-06-06"]


def test_a_single_table_csv_is_just_the_table(tmp_path: Path) -> None:
    write_csv([Table("t", "标题", ["名称", "数量"], [["熔铸甲班", 3], ["挤压乙班", None]])], tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines() == ["名称,数量", "熔铸甲班,3", "挤压乙班,"]


def test_commendation_list_takes_the_final_decisions_in_rank_order(store: Store, world: World, tmp_path: Path) -> None:
    with store.session() as session:
        listing = commendation_list(session, "SPM-2022", lang="zh")
    assert listing.final
    assert [(r.award, r.rank, r.subject, r.belongs) for r in listing.rows] == [
        ("先进班组", 1, "熔铸甲班", "一分厂 · 熔铸车间"),
        ("先进班组", 2, "挤压乙班", "一分厂 · 挤压车间"),
    ]
    write_commendation_pdf(listing, tmp_path / "commendation.pdf")
    text = pdf_text(tmp_path / "commendation.pdf")
    assert "表彰名单" in text and "熔铸甲班" in text and "挤压乙班" in text and "氧化甲班" not in text
    write_xlsx(listing.tables(), tmp_path / "commendation.xlsx")
    rows = list(load_workbook(tmp_path / "commendation.xlsx").active.iter_rows(values_only=True))
    assert [row[:3] for row in rows] == [
        ("奖项", "名次", "表彰对象"),
        ("先进班组", 1, "熔铸甲班"),
        ("先进班组", 2, "挤压乙班"),
    ]


@pytest.fixture
def builtin_cid_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pretend the system has no CJK font file: PDFs fall back to reportlab's built-in STSong-Light."""
    fonts.pdf_font.cache_clear()
    monkeypatch.setattr(fonts, "candidate_font_files", list)
    yield
    fonts.pdf_font.cache_clear()


def test_without_a_cjk_font_file_the_builtin_cid_font_still_gives_chinese_text(
    store: Store, world: World, tmp_path: Path, builtin_cid_font: None
) -> None:
    assert fonts.pdf_font() == fonts.CID_FONT
    with store.session() as session:
        listing = commendation_list(session, "SPM-2022", lang="zh")
    write_commendation_pdf(listing, tmp_path / "cid.pdf")
    assert "熔铸甲班" in pdf_text(tmp_path / "cid.pdf")


def test_inspection_ids_by_prefix_and_latest(store: Store, world: World) -> None:
    with store.session() as session:
        assert find_inspection_id(session, world.inspections[3].hex[:10]) == world.inspections[3]
        assert find_inspection_id(session, str(world.inspections[0])) == world.inspections[0]
        assert latest_inspection_id(session) == world.inspections[-1]
        with pytest.raises(Exception, match="not an inspection id"):
            find_inspection_id(session, "xyz")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_export_commands(store: Store, world: World, tmp_path: Path) -> None:
    store.close()
    db = str(store.path)
    code, output = run("export", "inspection", "--latest", "--db", db, "--out", str(tmp_path / "i.pdf"), "--lang", "zh")
    assert code == 0, output
    assert "叉车充电区" in pdf_text(tmp_path / "i.pdf")
    code, output = run(
        "export",
        "summary",
        "--campaign",
        "SPM-2022",
        "--as-of",
        "2022-06-28",
        "--db",
        db,
        "--out",
        str(tmp_path / "s.xlsx"),
        "--lang",
        "en",
    )
    assert code == 0, output
    assert load_workbook(tmp_path / "s.xlsx").sheetnames[0] == "Coverage of workshops"
    code, output = run("export", "commendation", "--campaign", "SPM-2022", "--db", db, "--out", str(tmp_path / "c.csv"))
    assert code == 0 and (tmp_path / "c.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    code, output = run(
        "export", "summary", "--campaign", "NOPE", "--db", db, "--out", str(tmp_path / "x.pdf"), "--lang", "en"
    )
    assert code == 1 and "No campaign has the code 'NOPE'" in output and "SPM-2022" in output
    assert "Traceback" not in output
    code, output = run(
        "export", "summary", "--campaign", "NOPE", "--db", db, "--out", str(tmp_path / "x.pdf"), "--lang", "zh"
    )
    assert code == 1 and "没有代码为 'NOPE' 的活动" in output
    code, output = run("export", "summary", "--campaign", "SPM-2022", "--db", db, "--out", str(tmp_path / "x.doc"))
    assert code == 1 and ".xlsx" in output
    code, output = run("export", "inspection", "--db", db, "--out", str(tmp_path / "i.pdf"), "--lang", "en")
    assert code == 2 and "--latest" in output


@pytest.mark.slow
def test_on_the_demo_group_the_commendation_list_is_the_award_rules_evaluation(store: Store, tmp_path: Path) -> None:
    from inspector.awards import evaluate_campaign
    from inspector.demo import create_demo
    from inspector.integrity import check_integrity

    with store.session(skip_outbox=True) as session:
        create_demo(session, seed=2022)
        session.commit()
    with store.session() as session:
        listing = commendation_list(session, "SPM-2022", lang="zh")
        evaluation = evaluate_campaign(session, campaign_code="SPM-2022", as_of=date(2022, 6, 30))
        assert check_integrity(session).ok  # the demo's signed record holds
    winners = [e for e in evaluation.entries if e.eligible and e.within_quota]
    assert listing.source == "evaluated" and listing.as_of == date(2022, 6, 30)
    assert len(listing.rows) == len(winners) > 0
    assert sorted(r.subject for r in listing.rows) == sorted(e.subject.name("zh") for e in winners)
    assert all("✔" in r.basis and "✘" not in r.basis for r in listing.rows)
    write_commendation_pdf(listing, tmp_path / "demo.pdf")
    text = pdf_text(tmp_path / "demo.pdf")
    assert "评定结果" in text and listing.rows[0].subject in text


def test_score_trend_and_hazard_counts_narrowed_to_a_place(store: Store, world: World) -> None:
    from inspector.reports.trends import Scope, hazard_counts, score_trend

    with store.session() as session:
        whole = score_trend(session, world.campaign_id)
        casting = score_trend(session, world.campaign_id, Scope(workshop_id=world.workshops["CAST"]))
        team_b = score_trend(session, world.campaign_id, Scope(team_id=world.teams["EXTR-B"]))
        by_team = hazard_counts(session, world.campaign_id, by="team", lang="en")
        by_ws = hazard_counts(session, world.campaign_id, by="workshop", lang="zh")
    assert [p.count for p in whole] == [1, 2, 1, 1]
    assert [(p.week, p.average) for p in casting] == [(date(2022, 5, 30), 100.0), (date(2022, 6, 6), 76.0)]
    assert [(p.week, p.average) for p in team_b] == [(date(2022, 6, 20), 95.0)]
    assert by_ws == [
        ("挤压车间", {"general": 2, "significant": 0, "major": 0}),
        ("氧化车间", {"general": 1, "significant": 0, "major": 0}),
        ("熔铸车间", {"general": 0, "significant": 0, "major": 1}),
    ]
    assert ("Casting team A", {"general": 0, "significant": 0, "major": 1}) in by_team
    assert ("Extrusion team B", {"general": 0, "significant": 0, "major": 0}) in by_team


def test_inspection_workbook_and_a_draft_report(store: Store, world: World, tmp_path: Path) -> None:
    from inspector.models import Inspection
    from inspector.reports.exports import export_inspection

    with store.session() as session:
        export_inspection(session, world.inspections[1], tmp_path / "i.xlsx", lang="zh")
        draft = Inspection(
            campaign_id=world.campaign_id,
            template_version_id=world.version_id,
            workshop_id=world.workshops["ANOD"],
            checkpoint_id=world.checkpoints["ANOD-02"],
            inspector_id=world.inspector_id,
        )
        session.add(draft)
        session.commit()
        report = load_inspection_report(session, draft.id, "en")
    book = load_workbook(tmp_path / "i.xlsx")
    assert book.sheetnames == ["检查报告", "检查项目", "隐患"]
    header = {row[0]: row[1] for row in book["检查报告"].iter_rows(min_row=2, values_only=True)}
    assert header["车间"] == "熔铸车间" and header["等级"] == "一票否决" and header["状态"] == "已签署"
    assert [row[1] for row in book["检查项目"].iter_rows(min_row=2, values_only=True)] == ["C1", "C2", "G1", "G2", "G3"]
    assert [row[0] for row in book["隐患"].iter_rows(min_row=2, values_only=True)] == ["重大隐患"]
    assert not report.signed and report.receipt is None and report.content_hash is None
    assert {i.answer for i in report.items} == {"Not answered"}
    write_inspection_pdf(report, tmp_path / "draft.pdf")
    assert "Draft (not signed)" in pdf_text(tmp_path / "draft.pdf")


RULES_COUNTING_THE_SAFETY_SHEET = """
campaign = "SPM-2022"
score_templates = ["SAFE"]

[[awards]]
code = "advanced_team"
level = "team"
name_zh = "先进班组"
name_en = "Advanced team"
quota = 2
rank_by = ["average_score"]

[[awards.criteria]]
figure = "inspection_count"
min = 1
"""


def test_a_6s_inspection_does_not_move_the_trend(store: Store, world: World) -> None:
    """The charts and the summary's trend count what the leaderboard counts: the rules' scoring checklists only."""
    from inspector.awards import import_rules
    from inspector.checklists.repository import store_checklist
    from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
    from inspector.models import Campaign, CampaignChecklist, Inspection, InspectionStatus
    from inspector.reports.trends import Scope, score_trend
    from tests.inspector.records_world import at

    six_s = ChecklistSpec(
        code="DEMO-6S",
        name_zh="6S 检查表",
        name_en="6S sheet",
        sections=[
            SectionSpec(
                code="S",
                title_zh="整理",
                title_en="Sort",
                items=[ItemSpec(code="S1", text_zh="物品分类", text_en="Items sorted", points=10)],
            )
        ],
    )
    with store.session() as session:
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        import_rules(session, campaign=campaign, text=RULES_COUNTING_THE_SAFETY_SHEET, source="test")
        session.commit()
        before_summary = campaign_summary(session, "SPM-2022", today=TODAY, lang="en").trend
        before_whole = score_trend(session, world.campaign_id, score_templates=["SAFE"])
        casting = Scope(workshop_id=world.workshops["CAST"])
        before_casting = score_trend(session, world.campaign_id, casting, score_templates=["SAFE"])

        version, _ = store_checklist(session, spec=six_s, source="test")
        session.add(CampaignChecklist(campaign_id=world.campaign_id, template_version_id=version.id))
        session.add(
            Inspection(
                campaign_id=world.campaign_id,
                template_version_id=version.id,
                workshop_id=world.workshops["CAST"],
                checkpoint_id=world.checkpoints["CAST-01"],
                team_id=world.teams["CAST-A"],
                inspector_id=world.inspector_id,
                started_at=at(8, 9),
                status=InspectionStatus.SIGNED,
                signed_at=at(8, 11),
                score_percent=10.0,
            )
        )
        session.commit()
        # counted without the rule, it would drag the casting week down — so the rule is what keeps it out
        assert score_trend(session, world.campaign_id, casting) != before_casting
        assert score_trend(session, world.campaign_id, casting, score_templates=["SAFE"]) == before_casting
        assert score_trend(session, world.campaign_id, score_templates=["SAFE"]) == before_whole
        assert campaign_summary(session, "SPM-2022", today=TODAY, lang="en").trend == before_summary == before_whole
