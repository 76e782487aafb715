"""The command line as a person uses it: help, clear errors, exit codes, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli import main

INSPECTOR = [sys.executable, "-m", "inspector"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*INSPECTOR, *args], capture_output=True, text=True, env=env, timeout=120)


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "template", "labels", "verify", "export"):
        assert command in result.stdout


def test_template_check_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("template", "check", str(tmp_path / "nope.toml"))
    assert result.returncode == 1
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_folder_as_database_is_a_clear_error(tmp_path: Path) -> None:
    checklist = Path(__file__).parents[2] / "examples" / "checklists"
    sample = next(checklist.glob("*.toml"))
    result = run("template", "import", str(sample), "--db", str(tmp_path))
    assert result.returncode == 1
    assert "is a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_unexpected_errors_become_one_line_and_a_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import inspector.cli.template as template

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(template, "read_checklist", boom)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(["template", "check", "x.toml"])
    assert exit_info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "Unexpected error: RuntimeError: simulated bug" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], {}),
        (["--db", "x.db"], {"--db": "x.db"}),
        (["--lang=zh", "--db", "x.db"], {"--lang": "zh", "--db": "x.db"}),
        (["demo"], None),
        (["--help"], None),
        (["--db"], None),  # a missing value: the command tree names it
        (["--db", "--lang"], None),
        (["--lang", "zh", "--lang", "en"], None),
        (["--db", "x.db", "sync"], None),
    ],
)
def test_only_opening_the_app_skips_the_command_tree(args: list[str], expected: dict[str, str] | None) -> None:
    from inspector.cli import app_only

    assert app_only(args) == expected


def test_opening_the_app_loads_neither_the_command_tree_nor_the_database_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code = (
        "import sys, inspector.cli; "
        "print(sorted(m for m in ('inspector.cli.commands', 'sqlalchemy', 'typer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # …and main() hands the options straight to the app
    import screens.app

    opened: list[tuple[object, object]] = []
    monkeypatch.setattr(screens.app, "run_app", lambda db, lang: opened.append((db, lang)))
    main(["--db", str(tmp_path / "x.db"), "--lang", "zh"])
    assert opened == [(tmp_path / "x.db", "zh")]


def test_failures_are_reported_in_the_users_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import screens.app

    def full_disk(db: object, lang: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "x.db"))

    monkeypatch.setattr(screens.app, "run_app", full_disk)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "x.db"), "--lang", "zh"])
    assert exit_info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("错误：") and "已保存的内容都没有丢失" in err and "x.db" in err
    assert "Traceback" not in err
