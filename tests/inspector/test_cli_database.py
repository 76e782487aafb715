"""The command line given the wrong database: a mistyped path, a file that is not a database (or another program's,
or the sync server's), one from a newer version, one another program is writing, a damaged one, Ctrl+C. Each time:
exit code non-zero, one sentence in the chosen language naming what and where, no traceback, the file untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.inspector.award_world import CAMPAIGN_CODE
from tests.inspector.cli_world import build_world_db, digest, private_crash_log, run


@pytest.fixture
def world_db(db_path: Path) -> Path:
    return build_world_db(db_path)


@pytest.fixture
def crash_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return private_crash_log(tmp_path, monkeypatch)


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


def test_an_empty_inspector_db_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSPECTOR_DB", "")  # `export INSPECTOR_DB=` in a script: it said ". is a folder"
    code, err = run(["verify", "--chain", "--lang", "zh"], capsys)
    assert code == 1 and "数据库路径是空的" in err and "INSPECTOR_DB" in err


def test_a_file_that_is_not_a_database_is_named_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"PK\x03\x04 a spreadsheet renamed .db")
    before = digest(notes)
    code, err = run(["verify", "--chain", "--db", str(notes), "--lang", "zh"], capsys)
    assert code == 1
    assert err.startswith("错误：") and "不是检查应用的数据库" in err and str(notes) in err
    assert digest(notes) == before


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


def test_another_programs_wal_mode_file_is_refused_without_tables_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file already in WAL mode is checked on the app's own connection instead of a read-only look first.
    contacts = tmp_path / "contacts.db"
    with sqlite3.connect(contacts) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.close()
    before = digest(contacts)
    code, err = run(["verify", "--chain", "--db", str(contacts), "--lang", "en"], capsys)
    assert code == 1 and "another program's SQLite database" in err and "contacts" in err and "not changed" in err
    assert digest(contacts) == before
    with sqlite3.connect(contacts) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    connection.close()
    assert tables == ["contacts"]


def test_the_sync_servers_database_is_not_taken_for_a_newer_laptop_one(
    world_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(world_db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 's0004'")
    connection.close()
    code, err = run(["verify", "--chain", "--db", str(world_db), "--lang", "en"], capsys)
    assert code == 1 and "the sync server's" in err and "s0004" in err and "newer version" not in err


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


def test_a_full_disk_while_backing_up_before_a_migration_leaves_no_half_backup(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from inspector.store import current_revision, make_engine, migrate

    engine = make_engine(db_path)
    migrate(engine, "0003")  # a laptop that last ran an older version
    engine.dispose()
    before = digest(db_path)
    real_connect = sqlite3.connect

    class FullDisk:
        """The database as the backup reads it, on a disk that fills up half way through the copy."""

        def __init__(self, connection: sqlite3.Connection) -> None:
            self.connection = connection

        def backup(self, copy: sqlite3.Connection) -> None:
            copy.execute("CREATE TABLE half_copied (x)")
            copy.commit()
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self.connection.close()

    def connect(database: object, *args: object, **kwargs: object) -> object:
        connection = real_connect(database, *args, **kwargs)  # type: ignore[call-overload]
        backing_up = isinstance(database, Path) and database == db_path
        return FullDisk(connection) if backing_up else connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    code, err = run(["verify", "--chain", "--db", str(db_path), "--lang", "zh"], capsys)
    monkeypatch.undo()
    assert code == 1 and "磁盘已满" in err and str(db_path) in err
    assert not list(db_path.parent.glob("*.bak"))  # a half-written copy is no backup
    assert digest(db_path) == before
    engine = make_engine(db_path)
    assert current_revision(engine) == "0003"  # not migrated without its backup
    engine.dispose()
