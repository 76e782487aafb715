"""``inspector template check|import`` as a safety officer runs them: output, exit codes, nothing stored on error."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from inspector.checklists.repository import version_items
from inspector.cli import app
from inspector.cli.common import console, err_console
from inspector.models import ChecklistTemplate, TemplateVersion
from inspector.store import open_store
from tests.inspector.checklists.workbooks import write_xlsx

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "checklists"
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Tables as a wide terminal shows them, so a cell's text is not wrapped across lines."""
    widths = console.width, err_console.width
    console.width = err_console.width = 240
    yield
    console.width, err_console.width = widths


def _flat(text: str) -> str:
    """Rich wraps long lines at 80 columns; compare with whitespace collapsed."""
    return " ".join(text.split())


def _versions(db: Path) -> list[tuple[str, int, int]]:
    store = open_store(db)
    try:
        with store.session() as session:
            rows = session.exec(
                select(ChecklistTemplate.code, TemplateVersion.version, TemplateVersion.id)
                .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
                .order_by(col(TemplateVersion.version))
            ).all()
            return [(code, number, len(version_items(session, version_id))) for code, number, version_id in rows]
    finally:
        store.close()


def test_check_prints_sections_items_and_points() -> None:
    result = runner.invoke(app, ["template", "check", str(EXAMPLES / "electrical-forklift.toml"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "ELEC-FORKLIFT — Electrical and forklift safety checklist" in out
    assert "E Power distribution and electrical (×0.6)" in out
    assert "2 sections, 8 items, 32 points in all" in out


def test_check_in_chinese_with_every_item() -> None:
    result = runner.invoke(
        app, ["template", "check", str(EXAMPLES / "safety-casthouse.xlsx"), "--lang", "zh", "--items"]
    )
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "3 个部分，11 个检查项，总分 65" in out
    assert "熔铸作业" in out and "一票否决" in out
    assert "流槽设液位报警装置并定期校验" in out


def test_check_reports_skipped_xlsform_constructs_and_succeeds() -> None:
    result = runner.invoke(app, ["template", "check", str(EXAMPLES / "anodising-xlsform.xlsx"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    err = _flat(result.stderr)
    assert "sheet survey, row 18, column type: question 'location' of type geopoint" in err
    assert "6 construct(s) could not become checklist items and were skipped" in _flat(result.stdout)


def test_check_lists_every_problem_with_file_sheet_row_column(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        {"检查表": [["序号", "检查内容", "分值", "一票否决"], [1, "应急水源", "十分", ""], [2, "液位报警", 5, "也许"]]},
    )
    result = runner.invoke(app, ["template", "check", str(path), "--lang", "en"])
    assert result.exit_code == 1
    err = _flat(result.stderr)
    assert f"{path}, sheet 检查表, row 2, column C: '十分' is not a number" in err
    assert f"{path}, sheet 检查表, row 3, column D: '也许' is not yes/no" in err
    assert "2 problem(s) in" in err and "nothing was imported" in err
    chinese = _flat(runner.invoke(app, ["template", "check", str(path), "--lang", "zh"]).stderr)
    assert "工作表 检查表，第 2 行，C 列：“十分”不是数字" in chinese


def test_import_stores_a_version_once_and_a_new_one_on_change(tmp_path: Path) -> None:
    db = tmp_path / "inspector.db"
    source = tmp_path / "elec.toml"
    source.write_text((EXAMPLES / "electrical-forklift.toml").read_text(encoding="utf-8"), encoding="utf-8")
    first = runner.invoke(app, ["template", "import", str(source), "--db", str(db), "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert "Imported ELEC-FORKLIFT as version 1." in first.stdout
    again = runner.invoke(app, ["template", "import", str(source), "--db", str(db), "--lang", "en"])
    assert again.exit_code == 0, again.output
    assert "version 1 already has this content; nothing changed" in _flat(again.stdout)
    assert _versions(db) == [("ELEC-FORKLIFT", 1, 8)]
    source.write_text(source.read_text(encoding="utf-8").replace("points = 3", "points = 4"), encoding="utf-8")
    changed = runner.invoke(app, ["template", "import", str(source), "--db", str(db), "--lang", "en"])
    assert "Imported ELEC-FORKLIFT as version 2." in changed.stdout
    assert _versions(db) == [("ELEC-FORKLIFT", 1, 8), ("ELEC-FORKLIFT", 2, 8)]


def test_import_of_every_example_format(tmp_path: Path) -> None:
    db = tmp_path / "inspector.db"
    for name in ("safety-casthouse.xlsx", "anodising-xlsform.xlsx", "6s-workshop.csv", "electrical-forklift.toml"):
        result = runner.invoke(app, ["template", "import", str(EXAMPLES / name), "--db", str(db)])
        assert result.exit_code == 0, result.output
    assert sorted(_versions(db)) == [
        ("6s-workshop", 1, 9),
        ("ANODISING-SAFETY", 1, 9),
        ("CAST-EXT-SAFETY", 1, 11),
        ("ELEC-FORKLIFT", 1, 8),
    ]


def test_import_with_code_and_name_options(tmp_path: Path) -> None:
    db = tmp_path / "inspector.db"
    args = ["--code", "6S-EXT", "--name-zh", "挤压车间6S检查表", "--category", "6s", "--db", str(db)]
    result = runner.invoke(app, ["template", "import", str(EXAMPLES / "6s-workshop.csv"), *args])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    try:
        with store.session() as session:
            template = session.exec(select(ChecklistTemplate)).one()
            assert (template.code, template.name_zh, template.category) == ("6S-EXT", "挤压车间6S检查表", "6s")
    finally:
        store.close()


def test_import_of_a_broken_file_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "inspector.db"
    assert (
        runner.invoke(
            app, ["template", "import", str(EXAMPLES / "electrical-forklift.toml"), "--db", str(db)]
        ).exit_code
        == 0
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(
        (EXAMPLES / "electrical-forklift.toml").read_text(encoding="utf-8").replace("weight = 0.4", "weight = 0.3"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["template", "import", str(broken), "--db", str(db), "--lang", "en"])
    assert result.exit_code == 1
    assert "section weights sum to 0.9, not 1" in _flat(result.stderr)
    assert _versions(db) == [("ELEC-FORKLIFT", 1, 8)]
    fresh = tmp_path / "fresh.db"
    assert runner.invoke(app, ["template", "import", str(broken), "--db", str(fresh)]).exit_code == 1
    assert not fresh.exists(), "a failed check never even creates the database"


def test_console_script_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    command = [sys.executable, "-m", "inspector", "template", "check", "--lang", "en"]
    bad = subprocess.run([*command, str(garbage)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "not a valid .xlsx workbook" in _flat(bad.stderr)
    assert "Traceback" not in bad.stderr + bad.stdout
    good = subprocess.run([*command, str(EXAMPLES / "6s-workshop.csv")], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "6 sections, 9 items, 39 points in all" in _flat(good.stdout)
