"""Exporting reports from the screens: the dialog writes the chosen format where the user says, in a worker."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from textual.pilot import Pilot
from textual.widgets import Input

from inspector.store import Store
from screens.dialogs.export_report import ExportReportDialog
from tests.inspector.records_world import build_world
from tests.screens.bare_app import bare_app
from tests.screens.conftest import wait_workers


async def _export(app: Any, dialog: ExportReportDialog, pilot: Any, *, clicks: list[str]) -> Path | None:
    results: list[Path | None] = []
    app.push_screen(dialog, results.append)
    await pilot.pause()
    for selector in clicks:
        await pilot.click(selector)
        await pilot.pause()
    await pilot.click("#export-write")
    await wait_workers(app, lambda w: w.name == "export")
    await pilot.pause()
    return results[0] if results else None


def test_summary_as_xlsx_from_the_dialog(store: Store, tmp_path: Path) -> None:
    build_world(store)

    async def run() -> None:
        app = bare_app(store=store, lang="zh")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            dialog = ExportReportDialog("summary", campaign_code="SPM-2022", folder=tmp_path)
            # the file name follows the chosen format
            written = await _export(app, dialog, pilot, clicks=["#format-xlsx"])
            assert written == tmp_path / "summary-SPM-2022.xlsx"
            assert load_workbook(written).sheetnames[0] == "车间覆盖情况"

    asyncio.run(run())


def test_inspection_pdf_to_a_typed_path_and_a_clear_error(store: Store, tmp_path: Path) -> None:
    world = build_world(store)

    async def run() -> None:
        app = bare_app(store=store, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            dialog = ExportReportDialog("inspection", inspection_id=world.inspections[0], folder=tmp_path)
            written = await _export(app, dialog, pilot, clicks=[])
            assert written == tmp_path / f"inspection-{world.inspections[0].hex[:8]}.pdf"
            assert "Inspection report" in PdfReader(written).pages[0].extract_text()
            # an unknown inspection: the user reads why, the dialog stays open
            missing = ExportReportDialog("inspection", inspection_id=uuid.uuid4(), folder=tmp_path)
            results: list[Path | None] = []
            app.push_screen(missing, results.append)
            await pilot.pause()
            field = missing.query_one("#export-path", Input)
            field.value = str(tmp_path / "x.pdf")
            await pilot.click("#export-write")
            await wait_workers(app, lambda w: w.name == "export")
            await pilot.pause()
            assert results == [] and app.screen is missing
            assert any("No inspection" in str(n.message) for n in app._notifications)

    asyncio.run(run())


def test_the_dialog_refuses_incomplete_requests() -> None:
    with pytest.raises(ValueError, match="campaign_code"):
        ExportReportDialog("summary")
    with pytest.raises(ValueError, match="inspection_id"):
        ExportReportDialog("inspection")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_dialog_snapshot(snap_compare: Any, store: Store, lang: str) -> None:
    build_world(store, inspections=False)
    app = bare_app(store=store, lang=lang)

    async def open_dialog(pilot: Any) -> None:
        await pilot.pause()
        app.push_screen(ExportReportDialog("summary", campaign_code="SPM-2022", folder=Path("/reports")))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_dialog)


@pytest.mark.anyio
async def test_the_supervisor_screen_offers_the_reports(store: Store, tmp_path: Path) -> None:
    from screens.app import InspectorApp, create_app
    from screens.supervisor import SupervisorScreen
    from tests.screens.award_sample import build_award_sample
    from tests.screens.bare_app import FIXED_NOW
    from tests.screens.conftest import settle

    build_award_sample(store, signed_in="supervisor")
    app = create_app(store.path, "en", clock=lambda: FIXED_NOW, tz=UTC, store=store)
    async with app.run_test(size=(100, 30)) as running:
        pilot = cast("Pilot[object]", running)
        await settle(pilot)
        assert isinstance(app, InspectorApp)
        await app.switch_mode("supervise")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen) and screen.data is not None
        code = screen.data.campaign.code
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportReportDialog) and dialog.report == "summary" and dialog.campaign_code == code
        dialog.query_one("#export-path", Input).value = str(tmp_path / "summary.csv")
        await pilot.click("#export-write")
        for worker in [w for w in app.workers if w.name == "export"]:
            await worker.wait()
        await pilot.pause()
        assert (tmp_path / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        assert app.screen is screen
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ExportReportDialog) and app.screen.report == "commendation"
        described = {binding.description for _node, binding, _on, _tip in screen.active_bindings.values()}
        assert "Export the campaign summary" in described  # the palette lists it too
