"""Broken checklist files: every kind gets a clear message naming what is wrong and where, never a traceback."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspector.checklists import reader, spreadsheet
from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import Problem
from tests.inspector.checklists.workbooks import SAFETY_ROWS, YES_NO_CHOICES, Rows, write_xlsform, write_xlsx

HEADER = ["序号", "检查项目", "检查内容", "分值", "扣分标准"]

GOOD_TOML = """
code = "T"
name_zh = "测试"
[[sections]]
code = "A"
title_zh = "一"
[[sections.items]]
code = "A1"
text_zh = "灭火器在有效期内"
points = 5
"""


@dataclass(frozen=True)
class Case:
    """A broken file: how to make it, words its message must contain, and where it must point."""

    make: Callable[[Path], Path]
    words: tuple[str, ...]
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


def _text(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


def _sheet(rows: Rows, *, name: str = "检查表") -> Callable[[Path], Path]:
    return lambda folder: write_xlsx(folder / "sheet.xlsx", {name: rows})


def _form(survey: Rows, choices: Rows | None = None) -> Callable[[Path], Path]:
    return lambda folder: write_xlsform(folder / "form.xlsx", survey, choices or list(YES_NO_CHOICES))


def _good_xlsx(folder: Path) -> bytes:
    return write_xlsx(folder / "good.xlsx", {"检查表": SAFETY_ROWS}).read_bytes()


def _truncated(folder: Path) -> Path:
    raw = _good_xlsx(folder)
    path = folder / "truncated.xlsx"
    path.write_bytes(raw[: len(raw) // 2])
    return path


def _corrupt_member(folder: Path) -> Path:
    """A zip whose worksheet XML is garbage: opens as a zip, fails as a workbook."""
    source = zipfile.ZipFile(io.BytesIO(_good_xlsx(folder)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, b"<worksheet><sheetData><row" if info.filename.endswith("sheet1.xml") else data)
    path = folder / "corrupt.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def _ole(name: str, payload: bytes) -> Callable[[Path], Path]:
    return _text(name, spreadsheet.OLE2_MAGIC + b"\x00" * 504 + payload + b"\x00" * 512)


def _mixed_csv(folder: Path) -> Path:
    path = folder / "mixed.csv"
    lines = ["序号,检查内容,分值".encode(), "1,灭火器在有效期内,5".encode(), "2,通道畅通无堵塞,3".encode("gbk")]
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


CASES: dict[str, Case] = {
    "zero-byte toml": Case(_text("empty.toml", b""), ("empty",)),
    "zero-byte xlsx": Case(_text("empty.xlsx", b""), ("empty",)),
    "whitespace-only csv": Case(_text("blank.csv", " \r\n , ,\r\n"), ("empty",)),
    "binary garbage named .xlsx": Case(_text("garbage.xlsx", os.urandom(4096)), ("not a valid .xlsx workbook",)),
    "binary garbage named .csv": Case(_text("garbage.csv", bytes(range(256)) * 8), ("binary data",)),
    "binary garbage named .toml": Case(_text("garbage.toml", b"\x00\x01\x02PK" * 100), ("binary data",)),
    "truncated xlsx": Case(_truncated, ("not a valid .xlsx workbook",)),
    "xlsx with a corrupt sheet": Case(_corrupt_member, ("not a valid .xlsx workbook",)),
    "old .xls format": Case(_text("old.xls", b"anything"), ("Excel 97–2003", "save it as .xlsx")),
    "old .xls renamed to .xlsx": Case(_ole("renamed.xlsx", b"Workbook"), ("Excel 97–2003",)),
    "password-protected workbook": Case(
        _ole("locked.xlsx", "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")),
        ("password-protected",),
    ),
    "unknown extension": Case(_text("list.docx", "x"), ("unknown checklist format .docx",)),
    "no extension": Case(_text("checklist", "x"), ("(no extension)",)),
    "mixed encodings in csv": Case(_mixed_csv, ("mixes encodings", "line 3", "line 1"), row=3),
    "csv neither utf-8 nor gbk": Case(_text("bad.csv", b"No,Item,Points\r\n1,caf\x80e,5\r\n"), ("line 2",), row=2),
    "invalid toml": Case(_text("bad.toml", 'code = "X"\nname_zh = \n'), ("not valid TOML",), row=2),
    "invalid yaml": Case(_text("bad.yaml", "code: X\nsections: [\n  - a: b\n  c\n"), ("not valid YAML",), row=3),
    "toml saved as gbk": Case(_text("gbk.toml", 'name_zh = "熔铸"\n'.encode("gbk")), ("not UTF-8",)),
    "yaml that is a list": Case(_text("list.yaml", "- a\n- b\n"), ("not a checklist",)),
    "toml wrong type for points": Case(
        _text("types.toml", GOOD_TOML.replace("points = 5", 'points = "ten"')),
        ("sections[1] (A) → items[1] (A1) → points", "should be a number", "ten"),
    ),
    "toml unknown field": Case(
        _text("extra.toml", GOOD_TOML.replace("points = 5", "points = 5\npionts = 5")),
        ("pionts", "is not a checklist field"),
    ),
    "toml duplicate item codes": Case(
        _text("dup.toml", GOOD_TOML + '[[sections.items]]\ncode = "A1"\ntext_zh = "再来"\n'),
        ("item code A1 is used twice",),
    ),
    "toml weights not summing to 1": Case(
        _text(
            "weights.toml",
            GOOD_TOML.replace('title_zh = "一"', 'title_zh = "一"\nweight = 0.5')
            + '[[sections]]\ncode = "B"\ntitle_zh = "二"\nweight = 0.4\n[[sections.items]]\ncode = "B1"\ntext_zh = "x"\n',
        ),
        ("weights sum to 0.9, not 1",),
    ),
    "toml score item without max": Case(
        _text("score.toml", GOOD_TOML.replace("points = 5", 'points = 5\nkind = "score"')),
        ("A1", "score item without max_score"),
    ),
    "toml lower limit above upper": Case(
        _text(
            "limits.toml",
            GOOD_TOML.replace("points = 5", 'points = 5\nkind = "measurement"\nlower_limit = 5\nupper_limit = 1'),
        ),
        ("lower_limit 5 is above upper_limit 1",),
    ),
    "toml negative points": Case(
        _text("negative.toml", GOOD_TOML.replace("points = 5", "points = -2")), ("points", "at least 0", "-2")
    ),
    "xlsx without a header row": Case(
        _sheet([["熔铸车间安全检查表"], ["灭火器", "5"], ["通道", "3"]]),
        ("no header row found", "检查内容"),
        sheet="检查表",
    ),
    "xlsx with a header but no items": Case(
        _sheet([["检查表"], HEADER]), ("header row (row 2) but no items",), sheet="检查表", row=2
    ),
    "xlsx points not a number": Case(
        _sheet([HEADER, [1, "熔铸", "应急水源", "十分", ""]]), ("'十分' is not a number",), "检查表", 2, "D"
    ),
    "xlsx negative points": Case(
        _sheet([HEADER, [1, "熔铸", "应急水源", -5, ""]]), ("must be at least 0", "-5"), "检查表", 2, "D"
    ),
    "xlsx missing item text": Case(
        _sheet([HEADER, [1, "熔铸", "应急水源", 5], [2, "熔铸", None, 3, "每处扣1分"]]),
        ("item 2 has no text",),
        "检查表",
        3,
        "C",
    ),
    "xlsx duplicate item codes": Case(
        _sheet([HEADER, [1, "熔铸", "应急水源", 5], [1, "熔铸", "液位报警", 5]]),
        ("item code 1 is used twice", "row 2"),
        "检查表",
        3,
        "A",
    ),
    "xlsx measurement without limits": Case(
        _sheet([["序号", "检查内容", "类型", "分值"], [1, "接地电阻", "测量", 3]]),
        ("measurement without lower_limit or upper_limit",),
        "检查表",
        2,
        "C",
    ),
    "xlsx lower limit above upper": Case(
        _sheet([["序号", "检查内容", "下限", "上限", "分值"], [1, "冷却水压力", 0.4, 0.2, 3]]),
        ("lower_limit 0.4 is above upper_limit 0.2",),
        "检查表",
        2,
        "C",
    ),
    "xlsx score item without max": Case(
        _sheet([["No.", "Item", "Kind", "Points"], [1, "Tidy workplace", "score", 5]]),
        ("score item without max_score",),
        "检查表",
        2,
        "C",
    ),
    "xlsx unknown kind": Case(
        _sheet([["序号", "检查内容", "类型"], [1, "应急水源", "多选"]]), ("unknown kind '多选'",), "检查表", 2, "C"
    ),
    "xlsx veto mark not yes/no": Case(
        _sheet([["序号", "检查内容", "一票否决"], [1, "持证上岗", "maybe"]]),
        ("'maybe' is not yes/no",),
        "检查表",
        2,
        "C",
    ),
    "xlsx limits unreadable": Case(
        _sheet([["序号", "检查内容", "限值"], [1, "接地电阻", "about four"]]),
        ("cannot read limits from 'about four'",),
        "检查表",
        2,
        "C",
    ),
    "xlsx section weights not summing to 1": Case(
        _sheet([["序号", "检查项目", "检查内容", "权重"], [1, "熔铸", "应急水源", 0.5], [2, "挤压", "光栅", 0.3]]),
        ("weights sum to 0.8, not 1",),
    ),
    "xlsx two weights for one section": Case(
        _sheet([["序号", "检查项目", "检查内容", "权重"], [1, "熔铸", "应急水源", 0.5], [2, "熔铸", "液位", 0.4]]),
        ("two different weights (0.5 and 0.4)",),
        "检查表",
        3,
        "D",
    ),
    "xlsform unknown question type": Case(
        _form([["type", "name", "label"], ["select_one yn", "a", "应急水源"], ["thermometer", "b", "温度"]]),
        ("type thermometer", "not an XLSForm type"),
        "survey",
        3,
    ),
    "xlsform broken constraint": Case(
        _form([["type", "name", "label", "constraint"], ["decimal", "earth", "接地电阻", ". <= four"]]),
        ("cannot read limits from the constraint '. <= four'",),
        "survey",
        2,
        "constraint",
    ),
    "xlsform without survey rows": Case(_form([["type", "name", "label"]]), ("no questions",), "survey"),
    "xlsform choice list missing": Case(
        _form([["type", "name", "label"], ["select_one nope", "a", "应急水源"]]), ("invalid XLSForm", "nope"), "survey"
    ),
    "xlsform points not a number": Case(
        _form([["type", "name", "label", "points"], ["select_one yn", "a", "应急水源", "many"]]),
        ("'many' is not a number",),
        "survey",
        2,
        "points",
    ),
    "xlsform duplicate names in two groups": Case(
        _form(
            [
                ["type", "name", "label"],
                ["begin group", "g1", "一"],
                ["select_one yn", "water", "应急水源"],
                ["end group"],
                ["begin group", "g2", "二"],
                ["select_one yn", "water", "应急水源"],
                ["end group"],
            ]
        ),
        ("item code water is used twice: row 3 has it already",),
        "survey",
        6,
        "name",
    ),
    "directory": Case(lambda folder: folder, ("folder",)),
    "missing file": Case(lambda folder: folder / "nope.toml", ("no such file",)),
}


def _assert_located(problems: list[Problem], case: Case) -> Problem:
    errors = [p for p in problems if p.severity == "error"]
    assert errors, f"expected an error, got {problems}"
    text = "\n".join(str(p) for p in errors)
    matching = [p for p in errors if all(word in str(p) for word in case.words)]
    assert matching, f"no error mentions {case.words}:\n{text}"
    found = matching[0]
    if case.sheet is not None:
        assert found.sheet == case.sheet, text
    if case.row is not None:
        assert found.row == case.row, text
    if case.column is not None:
        assert found.column == case.column, text
    assert found.message_zh and found.message_zh != found.message, "every problem is also in Chinese"
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_gets_a_located_message(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = case.make(tmp_path)
    result = read_checklist(path)
    assert result.spec is None or result.errors
    assert not result.ok
    found = _assert_located(result.problems, case)
    assert str(path) in str(found)


def test_at_least_twenty_five_kinds_of_broken_input() -> None:
    assert len(CASES) >= 25


def test_huge_file_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "huge.csv"
    path.write_text("序号,检查内容,分值\n" + "1,灭火器在有效期内,5\n" * 200, encoding="utf-8")
    result = read_checklist(path)
    assert not result.ok
    assert "checklists larger than 0.000977 MiB are refused" in str(result.errors[0])


def test_huge_file_default_limit_is_20_mib() -> None:
    assert reader.MAX_FILE_BYTES == 20 * 1024 * 1024


def test_workbook_that_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_UNPACKED_BYTES", 2000)
    path = write_xlsx(tmp_path / "bomb.xlsx", {"检查表": SAFETY_ROWS})
    result = read_checklist(path)
    assert "unpacks to" in str(result.errors[0])


def test_sheet_with_too_many_rows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_ROWS", 5)
    path = write_xlsx(tmp_path / "long.xlsx", {"检查表": SAFETY_ROWS})
    result = read_checklist(path)
    found = result.errors[0]
    assert found.sheet == "检查表"
    assert "6 rows of data" in found.message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _text("locked.toml", GOOD_TOML)(tmp_path)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # The tests may run as root, for whom chmod 000 still reads; the read itself is made to fail instead.
    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = read_checklist(path)
    assert "cannot read the file: Permission denied" in str(result.errors[0])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    path = _text("locked.toml", GOOD_TOML)(tmp_path)
    path.chmod(0)
    try:
        result = read_checklist(path)
    finally:
        path.chmod(0o600)
    assert "cannot read the file" in str(result.errors[0])


def test_unexpected_reader_failure_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reader, "read_csv_checklist", explode)
    path = _text("x.csv", "序号,检查内容\n1,a\n")(tmp_path)
    result = read_checklist(path)
    assert "unexpected error while reading the file (RuntimeError): boom" in str(result.errors[0])


def test_damaged_utf16_csv(tmp_path: Path) -> None:
    path = tmp_path / "broken16.csv"
    path.write_bytes(b"\xff\xfe" + "序号\t检查内容\r\n".encode("utf-16-le") + b"\x00\xd8")
    result = read_checklist(path)
    assert "starts with a UTF-16 mark but byte" in str(result.errors[0])


def test_really_encrypted_workbook(tmp_path: Path) -> None:
    """A workbook saved with a password, as Excel does it (agile encryption in an OLE2 container)."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(_good_xlsx(tmp_path))).encrypt("安全第一", encrypted)
    path = tmp_path / "加密.xlsx"
    path.write_bytes(encrypted.getvalue())
    result = read_checklist(path)
    (error,) = result.errors
    assert "password-protected" in error.message and "密码" in error.message_zh
