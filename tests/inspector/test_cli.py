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
