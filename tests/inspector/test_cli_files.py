"""Files the commands read and write, as a careless or unlucky user has them: a CSV saved by Chinese Excel, a
workbook cut short, a rule file in GBK, an output on a full disk, in a path through a file, with brackets in its name.
Reading fails with the file (and line) named; writing never leaves a damaged file or loses the previous one."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.cli import main
from inspector.file_errors import os_reason
from inspector.models import QualityFigure
from inspector.output_file import replacing
from inspector.store import open_store
from tests.inspector.award_world import CAMPAIGN_CODE
from tests.inspector.cli_world import build_world_db, run


@pytest.fixture
def world_db(db_path: Path) -> Path:
    return build_world_db(db_path)


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


def test_an_oversized_quality_file_is_refused_in_chinese(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "figures.csv"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: no 11 MiB written
    args = ["quality", "import", str(big), "--campaign", CAMPAIGN_CODE, "--db", str(world_db), "--lang", "zh"]
    code, err = run(args, capsys)
    assert code == 1 and "超过 10 MiB" in err and "larger" not in err


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


def test_an_output_path_through_a_file_says_so(tmp_path: Path) -> None:
    database = tmp_path / "inspector.db"
    database.write_bytes(b"precious")
    with pytest.raises(NotADirectoryError) as caught, replacing(database / "summary.csv") as part:
        part.write_text("never", encoding="utf-8")
    assert caught.value.filename == str(database / "summary.csv")
    assert os_reason(caught.value, "zh") == "路径中有一段不是文件夹"
    assert database.read_bytes() == b"precious"


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


@pytest.mark.parametrize("command", ["rules", "quality", "template"])
def test_a_device_or_a_pipe_is_refused_instead_of_read_forever(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    import os

    pipe = tmp_path / "figures.csv"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer that never comes
    args = {
        "rules": ["awards", "rules", "import", "/dev/zero", "--campaign", CAMPAIGN_CODE, "--db", str(world_db)],
        "quality": ["quality", "import", str(pipe), "--campaign", CAMPAIGN_CODE, "--db", str(world_db)],
        "template": ["template", "check", "/dev/zero"],
    }[command]
    code, err = run([*args, "--lang", "zh"], capsys)
    assert code == 1 and "不是普通文件" in err


def test_a_huge_file_given_as_rules_is_refused_without_reading_it_all(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "meeting.toml"
    with video.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024 * 1024)  # sparse 3 GiB: read whole, it filled the memory
    args = ["awards", "--campaign", CAMPAIGN_CODE, "--rules", str(video), "--db", str(world_db), "--lang", "en"]
    code, err = run(args, capsys)
    assert code == 1 and "larger than 1024 KiB, not a rule file" in err
