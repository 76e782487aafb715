"""`inspector sync …` and `inspector server …` given bad input: a device or a pipe as a bundle, a huge file, a full
disk, a mistyped --db, an unknown database address, a laptop's database as the server's: one clear sentence in the
user's language (its "错误："/"Error:" prefix in the same language), never a traceback, nothing lost or changed."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import typer.main
from sqlmodel import func, select

from inspector.cli.commands import app
from inspector.cli.help_language import walk_commands
from inspector.models import ImportedBundle
from inspector.store import open_store
from sync.client.credentials import load_credentials, save_credentials
from tests.inspector.cli_world import digest, private_crash_log, run
from tests.sync.bundle_world import supervisor
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection

#: Words of the system's English that must not appear inside a Chinese sentence.
ENGLISH_REASONS = ("No such file", "No space left", "cannot be reached", "not a regular file", "larger than")


@pytest.fixture(autouse=True)
def no_crash_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A user's mistake is not a bug: nothing may be written to the crash log."""
    logs = private_crash_log(tmp_path, monkeypatch)
    yield
    assert not logs.exists() or not any(logs.rglob("*.log"))


@pytest.fixture
def laptop_db(tmp_path: Path) -> Path:
    """An existing laptop database (a supervisor's laptop that imports bundles)."""
    path = tmp_path / "laptop.db"
    open_store(path).close()
    return path


def imported(db: Path) -> int:
    store = open_store(db)
    try:
        with store.session() as s:
            return int(s.exec(select(func.count()).select_from(ImportedBundle)).one())
    finally:
        store.close()


# -- the language --------------------------------------------------------------------------------------------


def test_inspector_lang_sets_the_language_of_the_message_and_of_its_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    code, err = run(["--lang", "zh", "sync", "enroll", "ftp://x", "CODE", "--data-dir", str(tmp_path)], capsys)
    assert code == 1 and err == "错误：ftp://x：服务器地址必须以 http:// 或 https:// 开头"
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    code, err = run(["sync", "enroll", "ftp://x", "CODE", "--data-dir", str(tmp_path), "--lang", "en"], capsys)
    assert code == 1 and err == "Error: ftp://x: the server address must start with http:// or https://"
    code, err = run(["sync", "export", "--out", "x.bundle", "--lang", "xx"], capsys)
    assert code == 2 and "xx" in err and "--lang" in err  # a wrong language is refused, not ignored


def test_an_unreachable_server_is_named_in_chinese_inside_a_chinese_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    url = f"http://127.0.0.1:{port}"
    code, err = run(["--lang", "zh", "sync", "enroll", url, "CODE", "--data-dir", str(tmp_path)], capsys)
    assert code == 1 and err.startswith(f"错误：离线：无法连接服务器 {url}。未同步的记录仍保存在本机。"), err
    assert not any(english in err for english in ENGLISH_REASONS), err
    code, err = run(["sync", "enroll", url, "CODE", "--data-dir", str(tmp_path)], capsys)
    assert code == 1 and f"Error: Offline: The server at {url} cannot be reached" in err


# -- what `sync import` reads --------------------------------------------------------------------------------


def _device(_tmp: Path) -> Path:
    return Path("/dev/zero")


def _pipe(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.bundle")
    return tmp / "pipe.bundle"


def _huge(tmp: Path) -> Path:
    path = tmp / "video.bundle"
    with path.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)  # sparse: refused by its size, never read
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "missing.bundle"


def _folder(tmp: Path) -> Path:
    (tmp / "folder.bundle").mkdir()
    return tmp / "folder.bundle"


UNREADABLE = [
    (_device, "it is not a regular file (a device or a pipe)", "这不是普通文件（设备或管道）"),
    (_pipe, "it is not a regular file (a device or a pipe)", "这不是普通文件（设备或管道）"),
    (_huge, "it is larger than 512 MiB, too large for a bundle", "文件超过 512 MiB，不像是离线包"),
    (_missing, "no such file or folder", "文件或文件夹不存在"),
    (_folder, "it is a folder, not a file", "这是一个文件夹，不是文件"),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("make", "english", "chinese"), UNREADABLE, ids=[u[0].__name__ for u in UNREADABLE])
def test_sync_import_refuses_what_is_not_a_bundle_file_before_reading_it(
    laptop_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    make: object,
    english: str,
    chinese: str,
) -> None:
    bundle = make(tmp_path)  # type: ignore[operator]
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    before = digest(laptop_db)
    code, err = run(["sync", "import", str(bundle), "--db", str(laptop_db), "--data-dir", str(tmp_path)], capsys)
    assert code == 1
    if lang == "zh":
        assert err.startswith(f"错误：离线包 {bundle} 无法读取：{chinese}") and err.endswith("。未导入任何内容。"), err
        assert not any(reason in err for reason in ENGLISH_REASONS), err
    else:
        assert err.startswith(f"Error: The bundle {bundle} cannot be read: {english}") and "Nothing was imported" in err
    assert digest(laptop_db) == before and imported(laptop_db) == 0


@pytest.mark.parametrize(("lang", "words"), [("en", "There is no database file"), ("zh", "没有数据库文件")])
def test_sync_import_into_a_mistyped_db_names_it_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str, words: str
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    typo = tmp_path / "laptpo.db"
    code, err = run(["sync", "import", str(tmp_path / "x.bundle"), "--db", str(typo)], capsys)
    assert code == 1 and words in err and str(typo) in err
    assert not typo.exists()


# -- help ----------------------------------------------------------------------------------------------------


def test_no_paragraph_of_any_command_help_breaks_mid_sentence() -> None:
    """Typer (rich mode) shows a docstring's single line breaks as they are: each paragraph must be one line."""
    broken = [
        " ".join(path)
        for path, command in walk_commands(typer.main.get_command(app))
        for paragraph in (command.help or "").strip().split("\n\n")
        if "\n" in paragraph.strip()
    ]
    assert broken == []


# -- the server's database -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Error: --database-url foo://x: foo is not a database type this server knows"),
        ("zh", "错误：--database-url foo://x：不认识的数据库类型 foo"),
    ],
)
def test_an_unknown_database_address_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    # (`inspector server` itself refuses to run as root before it reads the address)
    for command in (["server", "devices"], ["server", "audit-verify"], ["server", "new-epoch"]):
        code, err = run([*command, "--database-url", "foo://x"], capsys)
        assert code == 1 and err.startswith(expected), err
        assert "Unexpected" not in err and "意外错误" not in err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "is a laptop's inspector database (schema"),
        ("zh", "是笔记本上的检查数据库（数据库结构"),
    ],
)
def test_a_laptops_database_given_to_the_server_is_named_and_left_unchanged(
    laptop_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    before = digest(laptop_db)
    for command in ("audit-verify", "devices", "new-epoch"):
        code, err = run(["server", command, "--database-url", f"sqlite:///{laptop_db}"], capsys)
        assert code == 1 and expected in err and str(laptop_db) in err, err
    assert digest(laptop_db) == before


def test_another_programs_database_given_to_the_server_is_left_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    other = tmp_path / "accounts.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE ledger (amount INTEGER)")
    before = digest(other)
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    code, err = run(["server", "devices", "--database-url", f"sqlite:///{other}"], capsys)
    assert code == 1 and "是其他程序的数据库（表 ledger）" in err, err
    assert digest(other) == before and not Path(f"{other}-wal").exists()
    notes = tmp_path / "notes.db"
    notes.write_text("not a database", encoding="utf-8")
    code, err = run(["server", "devices", "--database-url", f"sqlite:///{notes}"], capsys)
    assert code == 1 and err == f"错误：sqlite:///{notes} 不是数据库文件（不是 SQLite 文件）；文件没有被改动", err
    assert notes.read_text(encoding="utf-8") == "not a database"


def test_sync_without_enrolment_makes_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    db = tmp_path / "laptop.db"
    code, err = run(["sync", "--db", str(db), "--data-dir", str(tmp_path / "none")], capsys)
    assert code == 1 and err.startswith("错误：此设备尚未登记") and not db.exists()


def test_server_enroll_mistakes_are_worded_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    url = f"sqlite:///{tmp_path / 's.db'}"
    code, err = run(["server", "enroll", "--name", "x", "--role", "boss", "--database-url", url], capsys)
    assert code == 1 and err.startswith("错误：--role boss：请使用 inspector, team-leader, supervisor, auditor 之一")
    code, err = run(["server", "enroll", "--name", " ", "--role", "inspector", "--database-url", url], capsys)
    assert code == 1 and err == "错误：--name：请给设备起一个名称"


# -- `sync export`: a full disk, a device, a mistyped --db (against a real server) ---------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs filled to the last byte (mounting needs root; skipped elsewhere)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (folder / "old.bundle").write_text("the bundle exported yesterday", encoding="utf-8")
        fill(folder)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write ``folder/filler`` until the disk is full."""
    filler = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        while True:
            os.write(filler, b"\0" * 512)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(filler)


@pytest.fixture
def exporting(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> tuple[Laptop, Path]:
    """An enrolled inspector's laptop with 3 pending changes, and its data folder (token and signing key)."""
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    supervisor(server, ins, "ins", tmp_path / "ins-data")  # writes the credentials file as enrolment does
    return ins, tmp_path / "ins-data"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("lang", "reason"), [("en", "the disk is full"), ("zh", "磁盘已满")])
def test_export_to_a_full_disk_leaves_no_half_written_bundle_and_keeps_the_old_one(
    exporting: tuple[Laptop, Path],
    full_disk: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    reason: str,
) -> None:
    ins, data = exporting
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    out = full_disk / "old.bundle"
    args = ["sync", "export", "--out", str(out), "--db", str(ins.store.path), "--data-dir", str(data)]
    code, err = run(args, capsys)
    assert code == 1 and str(out) in err and reason in err, err
    assert "No space left" not in err
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "old.bundle"]  # no .part left behind
    assert out.read_text(encoding="utf-8") == "the bundle exported yesterday"
    (full_disk / "filler").unlink()  # room again: the same command now writes the bundle
    code, _ = run(args, capsys)
    assert code == 0 and out.read_text(encoding="utf-8").startswith('{"format":"inspector-bundle')


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_export_refuses_a_device_and_a_mistyped_db(
    exporting: tuple[Laptop, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ins, data = exporting
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    device = Path("/dev/null")
    args = ["sync", "export", "--out", str(device), "--db", str(ins.store.path), "--data-dir", str(data)]
    code, err = run(args, capsys)
    assert code == 1 and err == f"错误：无法将离线包写入 {device}：这不是普通文件（设备或管道）。未导出任何内容。"
    assert stat.S_ISCHR(device.stat().st_mode)
    typo = tmp_path / "inspectr.db"
    code, err = run(
        ["sync", "export", "--out", str(tmp_path / "b"), "--db", str(typo), "--data-dir", str(data)], capsys
    )
    assert code == 1 and "没有数据库文件" in err and not typo.exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_rotate_on_a_full_disk_keeps_the_old_token_working(
    exporting: tuple[Laptop, Path], full_disk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ins, data = exporting
    (full_disk / "filler").unlink()
    token_file = full_disk / "sync-device.json"
    shutil.copy(data / "sync-device.json", token_file)
    fill(full_disk)
    before = token_file.read_bytes()
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    code, err = run(["sync", "rotate", "--data-dir", str(full_disk)], capsys)
    assert code == 1 and err == f"错误：无法保存设备令牌文件 {token_file}：磁盘已满。令牌未更换，旧令牌仍然有效。", err
    assert token_file.read_bytes() == before
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "old.bundle", "sync-device.json"]
    assert ins.client.me().name == "ins"  # the token it holds still works


def test_a_sync_error_reads_in_the_users_language() -> None:
    import httpx

    from sync.client.http import SyncError, _error
    from sync.errors import E_AUTH_REVOKED, E_TOO_LARGE

    assert _error(httpx.Response(500, content=b"<html>oops</html>")).text("zh") == "服务器返回了 500。"
    assert _error(httpx.Response(500, content=b"<html>oops</html>")).text("en") == "The server answered 500."
    revoked = SyncError(E_AUTH_REVOKED.code, E_AUTH_REVOKED.en, 401)
    assert revoked.text("zh") == E_AUTH_REVOKED.zh and revoked.text("en") == E_AUTH_REVOKED.en
    detailed = SyncError(E_TOO_LARGE.code, "The request is larger than 5 bytes.", 413)
    assert detailed.text("zh") == f"{E_TOO_LARGE.zh} (The request is larger than 5 bytes.)"
    assert SyncError("E_NEW_KIND", "Something new.").text("zh") == "Something new."  # nothing better to say


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_whose_photos_meet_a_full_disk_applies_nothing_and_leaves_no_part_file(
    server: RunningServer,
    tmp_path: Path,
    laptops: list[Laptop],
    full_disk: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date

    from inspector.models import Finding

    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup.sync()  # the group's device keys
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(b"\xff\xd8" + os.urandom(30_000))
    with ins.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="护栏缺失",
                team_id=WORLD.team_a,
                deadline=date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    supervisor(server, ins, "ins", tmp_path / "ins-data")
    bundle = tmp_path / "ins.bundle"
    args = [
        "sync",
        "export",
        "--out",
        str(bundle),
        "--db",
        str(ins.store.path),
        "--data-dir",
        str(tmp_path / "ins-data"),
    ]
    assert run(args, capsys)[0] == 0
    (full_disk / "filler").unlink()  # the supervisor's data folder on the full disk: its token and keys, no room
    for name in (sup.paths.credentials, sup.paths.bundle_keys):
        shutil.copy(name, full_disk / name.name)
    fill(full_disk)
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    db = sup.laptop.store.path
    args = ["sync", "import", str(bundle), "--db", str(db), "--data-dir", str(full_disk)]
    code, err = run(args, capsys)
    assert code == 1 and err.startswith("错误：离线包未能导入（未应用任何变更，可再次导入）：磁盘已满"), err
    assert not list(full_disk.rglob("*.part*")) and imported(db) == 0
    (full_disk / "filler").unlink()
    code, err = run(args, capsys)
    assert code == 0 and imported(db) == 1, err


def test_a_database_that_refuses_the_import_is_worded_not_quoted(
    laptop_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import sync.client.bundle_import

    def full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(sync.client.bundle_import, "import_bundle", full)
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    code, err = run(["sync", "import", str(tmp_path / "b.bundle"), "--db", str(laptop_db)], capsys)
    assert code == 1 and err.startswith(f"错误：磁盘已满，无法写入数据库 {laptop_db}"), err
    assert "disk is full" not in err and "之前保存的内容都没有丢失" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sync_whose_data_folder_is_full_is_worded_not_a_traceback(
    exporting: tuple[Laptop, Path], full_disk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop enrolled before keys registers its signing key at its next sync and notes that in its token file:
    a full disk there ends the sync with a worded reason (no traceback), and the token file is as it was."""
    ins, data = exporting
    (full_disk / "filler").unlink()
    token_file = full_disk / "sync-device.json"
    saved = load_credentials(data / "sync-device.json")
    assert saved is not None
    save_credentials(token_file, replace(saved, key_registered=False))
    fill(full_disk)
    before = token_file.read_bytes()
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    code, err = run(["sync", "--db", str(ins.store.path), "--data-dir", str(full_disk)], capsys)
    assert code == 1 and err == "错误：磁盘已满。已保存的内容都没有丢失。", err  # the CLI's own OSError wording
    assert token_file.read_bytes() == before
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "old.bundle", "sync-device.json"]
