"""A database the app cannot open is explained in the app's language: the dialog showed ``str(error)``, the English
half of a message that carries both."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from screens.app import create_app
from screens.dialogs.message import MessageDialog


@pytest.mark.parametrize(
    ("lang", "expected", "other"),
    [("zh", "不是检查应用的数据库", "not an inspector database"), ("en", "is not an inspector database", "不是")],
)
def test_a_database_that_cannot_be_opened_is_explained_in_the_apps_language(
    tmp_path: Path, lang: str, expected: str, other: str
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list, not a database", encoding="utf-8")
    app = create_app(notes, lang)

    async def run() -> str:
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(200):  # the database is opened after the first frame, in a worker
                await pilot.pause()
                if isinstance(app.screen, MessageDialog):
                    return app.screen.body
            raise AssertionError("no message about the database")

    body = asyncio.run(run())
    assert expected in body and str(notes) in body and other not in body
    assert notes.read_text(encoding="utf-8") == "shopping list, not a database"
