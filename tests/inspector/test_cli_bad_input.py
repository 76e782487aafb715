"""The command line fed what a careless or unlucky user feeds it: a mistyped database path, a file that is not a
database, one from a newer version, one another program is writing, a full disk, Ctrl+C, a CSV saved by Chinese
Excel. Each time: exit code non-zero, one sentence in the chosen language naming what and where, no traceback, no
damaged output file, nothing already saved lost."""

from __future__ import annotations

import errno
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.cli import main
from inspector.cli.problems import database_problem
from inspector.file_errors import os_reason
from inspector.models import QualityFigure
from inspector.output_file import replacing
from inspector.store import open_store
from tests.inspector.award_world import CAMPAIGN_CODE, build_award_world


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command line in this process: (exit code, what it printed to stderr, whitespace squeezed)."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)  # a command that returns normally
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def world_db(db_path: Path) -> Path:
    """A small group with one campaign (SPM-2022), its teams at U1/W1/T1 … U2/W2/T2."""
    store = open_store(db_path)
    with store.session() as session:
        build_award_world(session)
        session.commit()
    store.close()
    return db_path


@pytest.fixture
def crash_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where an unexpected error would write its traceback (it must stay empty for a user's mistake)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path / "state"


# --- the database file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "lang", "expected"),
    [
        (["verify", "--chain"], "zh", "没有数据库文件"),
        (["export", "summary", "--campaign", "SPM-2022", "--out", "s.csv"], "en", "There is no database file"),
        (["labels", "--out", "l.pdf"], "zh", "没有数据库文件"),
        (["awards", "--campaign", "SPM-2022"], "en", "There is no database file"),
        (["quality", "import", "q.csv", "--campaign", "SPM-2022"], "zh", "没有数据库文件"),
    ],
)
def test_a_mistyped_database_path_is_named_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], lang: str, expected: str
) -> None:
    missing = tmp_path / "typo" / "inspektor.db"
    code, err = run([*args, "--db", str(missing), "--lang", lang], capsys)
    assert code == 1
    assert expected in err and str(missing) in err
    assert not missing.parent.exists()  # verify said "0 entries, all intact" on a fresh empty database before


def test_a_file_that_is_not_a_database_is_named_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"PK\x03\x04 a spreadsheet renamed .db")
    before = digest(notes)
    code, err = run(["verify", "--chain", "--db", str(notes), "--lang", "zh"], capsys)
    assert code == 1
    assert err.startswith("错误：") and "不是检查应用的数据库" in err and str(notes) in err
    assert digest(notes) == before


def test_a_database_from_a_newer_version_is_refused_untouched(
    world_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(world_db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = digest(world_db)
    code, err = run(["awards", "--campaign", CAMPAIGN_CODE, "--db", str(world_db), "--lang", "zh"], capsys)
    assert code == 1
    assert "更新版本" in err and "9999" in err
    assert digest(world_db) == before
    assert not list(world_db.parent.glob("*.bak"))  # no migration was attempted


def test_a_database_another_program_is_writing_is_a_clear_message_not_a_bug(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], crash_log: Path
) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text("班组,一次合格率\nU1/W1/T1,98\n", encoding="utf-8")
    holder = sqlite3.connect(world_db, isolation_level=None, timeout=0)
    holder.execute("PRAGMA busy_timeout=0")
    holder.execute("BEGIN IMMEDIATE")  # the app (or a sync) in the middle of a write
    holder.execute("UPDATE alembic_version SET version_num = version_num")
    try:
        for args in (
            ["awards", "--campaign", CAMPAIGN_CODE, "--record"],
            ["quality", "import", str(figures), "--campaign", CAMPAIGN_CODE],
        ):
            code, err = run([*args, "--db", str(world_db), "--lang", "zh"], capsys)
            assert code == 1
            assert "正被另一个程序写入" in err and "之前保存的内容都没有丢失" in err, err
            assert "意外错误" not in err and "INSERT" not in err
    finally:
        holder.rollback()
        holder.close()
    assert not crash_log.exists()  # a locked database is not a bug to send to the maintainers
    code, err = run(["verify", "--chain", "--db", str(world_db), "--lang", "en"], capsys)
    assert code == 0


def test_ctrl_c_in_a_command_says_so_and_exits_130(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import inspector.cli.template as template

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(template, "read_checklist", interrupted)
    code, err = run(["template", "check", str(tmp_path / "x.toml"), "--lang", "zh"], capsys)
    assert code == 130
    assert "已中断" in err and "之前保存的内容都没有丢失" in err  # typer used to exit 130 without a word


# --- output files -----------------------------------------------------------------------------------------------


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_part(tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"last week's good report")
    with pytest.raises(OSError) as caught, replacing(target) as part:
        assert part.suffix == ".pdf" and part.parent == tmp_path
        part.write_bytes(b"half a rep")
        raise OSError(errno.ENOSPC, "No space left on device", str(part))
    assert caught.value.filename == str(target)  # the message names the user's file, not the temporary one
    assert target.read_bytes() == b"last week's good report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.pdf"]


def test_a_finished_write_replaces_the_file_and_an_interrupted_one_does_not(tmp_path: Path) -> None:
    target = tmp_path / "new" / "labels.svg"
    with replacing(target) as part:
        part.write_text("<svg/>", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "<svg/>"
    with pytest.raises(KeyboardInterrupt), replacing(target) as part:
        part.write_text("<sv", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "<svg/>"
    assert [p.name for p in target.parent.iterdir()] == ["labels.svg"]


def test_an_export_on_a_full_disk_keeps_the_old_report(
    world_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import inspector.reports.exports as exports

    def full_disk(_summary: object, path: Path) -> None:
        path.write_bytes(b"%PDF-1.4 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exports, "write_summary_pdf", full_disk)
    out = tmp_path / "out" / "summary.pdf"
    out.parent.mkdir()
    out.write_bytes(b"yesterday's summary")
    args = ["export", "summary", "--campaign", CAMPAIGN_CODE, "--out", str(out), "--db", str(world_db)]
    code, err = run([*args, "--lang", "zh"], capsys)
    assert code == 1
    assert "磁盘已满" in err and str(out) in err
    assert out.read_bytes() == b"yesterday's summary"
    assert [p.name for p in out.parent.iterdir()] == ["summary.pdf"]


# --- input files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gbk.csv", "班组,一次合格率,客诉\nU1/W1/T1,98.5%,1\n".encode("gbk")),  # Chinese Excel's "CSV"
        ("semicolons.csv", "班组;一次合格率;客诉\nU1/W1/T1;98,5;1\n".replace("98,5", "98.5").encode("utf-8-sig")),
        ("tabs.csv", "班组\t一次合格率\t客诉\nU1/W1/T1\t98.5\t1\n".encode("utf-16")),  # Excel's "Unicode text"
    ],
)
def test_quality_figures_from_csv_as_chinese_excel_saves_them(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, err = run(["quality", "import", str(path), "--campaign", CAMPAIGN_CODE, "--db", str(world_db)], capsys)
    assert code == 0, err
    store = open_store(world_db)
    with store.session() as session:
        (figure,) = session.exec(select(QualityFigure)).all()
    store.close()
    assert (figure.first_pass_yield, figure.complaints) == (98.5, 1)


def test_quality_import_of_binary_garbage_and_an_unknown_campaign_in_chinese(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "figures.csv"
    garbage.write_bytes(bytes(range(256)) * 8)
    code, err = run(["quality", "import", str(garbage), "--campaign", CAMPAIGN_CODE, "--db", str(world_db),
                     "--lang", "zh"], capsys)  # fmt: skip
    assert code == 1 and "二进制" in err and str(garbage) in err
    code, err = run(["quality", "import", str(tmp_path / "nope.csv"), "--campaign", CAMPAIGN_CODE,
                     "--db", str(world_db), "--lang", "zh"], capsys)  # fmt: skip
    assert code == 1 and "文件或文件夹不存在" in err and "nope.csv" in err
    garbage.write_text("班组,一次合格率\nU1/W1/T1,98\n", encoding="utf-8")
    code, err = run(["quality", "import", str(garbage), "--campaign", "QMM-2099", "--db", str(world_db),
                     "--lang", "zh"], capsys)  # fmt: skip
    assert code == 1 and "没有编码为 QMM-2099 的活动" in err and CAMPAIGN_CODE in err


# --- the wording ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("database is locked", "正被另一个程序写入", "being written by another program"),
        ("database or disk is full", "磁盘已满", "is full"),
        ("attempt to write a readonly database", "只读", "read-only"),
        ("disk I/O error", "读写数据库", "Input/output error"),
        ("file is not a database", "已损坏", "damaged"),
    ],
)
def test_sqlite_refusals_are_worded_for_people(text: str, zh: str, en: str) -> None:
    error = sqlite3.OperationalError(text)
    assert zh in (database_problem(error, "zh") or "")
    assert en in (database_problem(error, "en") or "")
    assert database_problem(ValueError(text), "en") is None  # not a database error: left to the caller


def test_file_errors_in_both_languages() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/media/usb/report.pdf")
    assert os_reason(full, "zh") == "磁盘已满"
    assert os_reason(full, "en") == "the disk is full"
    odd = OSError(errno.ETXTBSY, "Text file busy")
    assert os_reason(odd, "zh") == "Text file busy"  # rare ones keep the system's words rather than guess


@pytest.mark.parametrize(
    ("data", "zh"),
    [
        (b"", "文件是空的"),
        ('# 评优规则\ncampaign = "SPM-2022"\n'.encode("gbk"), "第 1 行不是 UTF-8 编码"),
        (b'campaign = "SPM-2022"\nawards = []\n', "awards：至少需要 1 项"),
        (b'campaign = 2022\ncolour = "red"\n[[awards]]\n', "campaign：应为文字"),
        (b'campaign = 2022\ncolour = "red"\n[[awards]]\n', "colour：不认识的字段"),
    ],
)
def test_a_bad_rule_file_is_explained_in_chinese(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, zh: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_bytes(data)
    args = ["awards", "rules", "import", str(rules), "--campaign", CAMPAIGN_CODE, "--db", str(world_db)]
    code, err = run([*args, "--lang", "zh"], capsys)
    assert code == 1
    assert zh in err and str(rules) in err
    assert "Field required" not in err and "Input should be" not in err


def test_a_rule_file_saved_with_a_bom_is_read(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.inspector.test_awards import rules_text

    rules = tmp_path / "rules.toml"
    rules.write_text(rules_text(), encoding="utf-8-sig")  # Windows Notepad's "UTF-8"
    args = ["awards", "rules", "import", str(rules), "--campaign", CAMPAIGN_CODE, "--db", str(world_db)]
    code, err = run([*args, "--lang", "en"], capsys)
    assert code == 0, err


# --- usage errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (["demo", "--seed", "abc"], "'--seed' 的值无效：应为整数。"),
        (["export", "summary", "--out", "s.pdf"], "缺少选项 '--campaign'。"),
        (["export", "summarx"], "没有命令 'summarx'。您是不是要用 'summary'？"),
        (["verify", "--chain", "a", "b"], "多余的参数：b"),
        (["template", "check"], "缺少参数 'file'。"),
        (["export", "summary", "--campaign", "X", "--out", "s.pdf", "--as-of", "2022/06/30"], "不是日期"),
        (["awards", "--campaign", "X", "--level", "rack"], "'rack' 不是可选值（team, workshop, unit, innovation）之一"),
    ],
)
def test_usage_errors_are_in_chinese(
    args: list[str], zh: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "200")  # one line per message
    code, err = run(args, capsys)
    assert code == 2
    assert zh in err
    for english in ("Missing", "Invalid value", "No such", "unexpected", "Input should", "is not a date"):
        assert english not in err


def test_usage_errors_stay_english_in_english(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, err = run(["export", "summarx", "--lang", "en"], capsys)
    assert code == 2 and "No such command 'summarx'. Did you mean 'summary'?" in err


def test_a_sentence_the_table_does_not_know_passes_unchanged() -> None:
    from inspector.cli.usage_zh import usage_in_chinese

    assert usage_in_chinese("--per 只能是 checkpoint, workshop") == "--per 只能是 checkpoint, workshop"
    assert usage_in_chinese("Invalid value for --x: something new") == "--x 的值无效：something new"


def test_a_truncated_quality_workbook_is_named_in_chinese(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["班组", "一次合格率"])
    sheet.append(["U1/W1/T1", 97])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "copied-off-a-usb-stick.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    args = ["quality", "import", str(cut), "--campaign", CAMPAIGN_CODE, "--db", str(world_db), "--lang", "zh"]
    code, err = run(args, capsys)
    assert code == 1 and "不是有效的 .xlsx 工作簿" in err and cut.name in err


def test_a_checklist_saved_as_gbk_or_cut_short_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gbk = tmp_path / "casthouse.toml"
    gbk.write_bytes('code = "CAST"\n# 熔铸车间\nname_zh = "熔铸"\n'.encode("gbk"))
    code, err = run(["template", "check", str(gbk), "--lang", "zh"], capsys)
    assert code == 1 and "第 2 行" in err and "GBK" in err
    cut = tmp_path / "cut.toml"
    cut.write_text('code = "CAST"\nname_zh = "熔铸', encoding="utf-8")  # copied off a USB stick pulled too soon
    code, err = run(["template", "check", str(cut), "--lang", "en"], capsys)
    assert code == 1 and "cut.toml, row 2" in err and "end of document" in err


def test_a_path_with_brackets_is_reported_as_written(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "[bold]summary.csv"  # rich read "[bold]" as markup and said it wrote "summary.csv"
    args = ["export", "summary", "--campaign", CAMPAIGN_CODE, "--out", str(out), "--db", str(world_db)]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--lang", "en"])
        raise SystemExit(0)
    assert exit_info.value.code == 0 and out.exists()
    assert f"Written: {out}" in "".join(capsys.readouterr().out.splitlines())


def test_an_output_path_through_a_file_says_so(tmp_path: Path) -> None:
    database = tmp_path / "inspector.db"
    database.write_bytes(b"precious")
    with pytest.raises(NotADirectoryError) as caught, replacing(database / "summary.csv") as part:
        part.write_text("never", encoding="utf-8")
    assert caught.value.filename == str(database / "summary.csv")
    assert os_reason(caught.value, "zh") == "路径中有一段不是文件夹"
    assert database.read_bytes() == b"precious"


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts = tmp_path / "contacts.db"  # say, a phone-book export someone named with --db by mistake
    with sqlite3.connect(contacts) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
        connection.execute("INSERT INTO contacts VALUES ('张三')")
    connection.close()
    before = digest(contacts)
    code, err = run(["verify", "--chain", "--db", str(contacts), "--lang", "zh"], capsys)
    assert code == 1 and "其他程序的 SQLite 数据库" in err and "contacts" in err and "没有被改动" in err
    assert digest(contacts) == before  # no inspector tables added, not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.db"]


def test_the_sync_servers_database_is_not_taken_for_a_newer_laptop_one(
    world_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(world_db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 's0004'")
    connection.close()
    code, err = run(["verify", "--chain", "--db", str(world_db), "--lang", "en"], capsys)
    assert code == 1 and "the sync server's" in err and "s0004" in err and "newer version" not in err


def test_verify_finds_a_damaged_page_the_chain_walk_does_not_read(
    world_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(world_db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("CREATE TABLE scratch (filler TEXT)")  # pages no chained record lives on
        connection.executemany("INSERT INTO scratch VALUES (?)", [("x" * 3000,) for _ in range(40)])
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'scratch'").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with world_db.open("r+b") as handle:  # a bad sector under that table's root page
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    code, err = run(["verify", "--chain", "--db", str(world_db), "--lang", "zh"], capsys)
    assert code == 1
    assert "数据库文件已损坏" in err and "审计链" not in err


def test_an_empty_inspector_db_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSPECTOR_DB", "")  # `export INSPECTOR_DB=` in a script: it said ". is a folder"
    code, err = run(["verify", "--chain", "--lang", "zh"], capsys)
    assert code == 1 and "数据库路径是空的" in err and "INSPECTOR_DB" in err


def test_an_oversized_quality_file_is_refused_in_chinese(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "figures.csv"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: no 11 MiB written
    args = ["quality", "import", str(big), "--campaign", CAMPAIGN_CODE, "--db", str(world_db), "--lang", "zh"]
    code, err = run(args, capsys)
    assert code == 1 and "超过 10 MiB" in err and "larger" not in err


def test_a_full_standard_output_is_named(world_db: Path) -> None:
    import subprocess
    import sys

    args = ["awards", "--campaign", CAMPAIGN_CODE, "--format", "csv", "--db", str(world_db), "--lang", "zh"]
    with open("/dev/full", "w") as full:  # `inspector awards … > file` on a full disk
        done = subprocess.run(
            [sys.executable, "-m", "inspector", *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
        )
    err = " ".join(done.stderr.split())
    assert done.returncode == 1 and "无法写入 标准输出：磁盘已满" in err and "None" not in err


def test_no_first_help_paragraph_breaks_mid_sentence() -> None:
    """Typer (rich mode) keeps a docstring's single line breaks in the commands list: 'a month of' / 'past …'."""
    import typer.main

    from inspector.cli.commands import app
    from inspector.cli.help_language import walk_commands

    broken = [
        " ".join(path)
        for path, command in walk_commands(typer.main.get_command(app))
        if "\n" in (command.help or "").strip().split("\n\n")[0]
    ]
    assert broken == []
