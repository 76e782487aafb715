"""The receipt dialog after sign-off: a QR code that scans off the terminal, fits 80×24, in both languages."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Button, Footer, Label, Static

from inspector.models import Inspection
from inspector.receipt import ReceiptView, make_receipt, receipt_for
from inspector.store import Store
from screens.dialogs.receipt import ReceiptDialog
from screens.widgets.qr_code import DARK, QrCode, half_block_text
from tests.inspector.records_world import build_world
from tests.screens.conftest import wait_workers

FIXED_VIEW = ReceiptView(
    text=make_receipt(uuid.UUID(int=0x1234), "ab" * 32, "INS-001").text(),
    inspection_id=uuid.UUID(int=0x1234),
    place_zh="熔铸炉平台 CAST-01",
    place_en="Melting furnace platform CAST-01",
    signer_zh="李明",
    signer_en="Li Ming",
    signer_code="INS-001",
    signed_at=datetime(2022, 6, 8, 3, 30, tzinfo=UTC),
    score_percent=92.5,
    grade="excellent",
    hash_prefix="ab" * 16,
)


def decode_half_blocks(text: Text) -> list[str]:
    """Read the half-block characters back into modules and decode them with zxing-cpp."""
    lines = text.split("\n")
    rows: list[list[bool]] = []
    for line in lines:
        top: list[bool] = []
        bottom: list[bool] = []
        for span in line.spans:  # one span per character cell
            style = span.style
            assert isinstance(style, Style)
            top.append(style.color is not None and style.color.name == DARK)
            bottom.append(style.bgcolor is not None and style.bgcolor.name == DARK)
        rows += [top, bottom]
    size = len(rows[0])
    image = Image.new("L", (size, len(rows)), 255)
    image.putdata([0 if dark else 255 for row in rows for dark in row])
    image = image.resize((size * 8, len(rows) * 8), Image.Resampling.NEAREST)
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_half_blocks_decode_back_to_the_receipt() -> None:
    widget = QrCode(FIXED_VIEW.text)
    text = half_block_text(widget.matrix)
    assert decode_half_blocks(text) == [FIXED_VIEW.text]
    assert len(text.plain.splitlines()) <= 17 and max(len(line) for line in text.plain.splitlines()) <= 33


class Host(App[None]):
    """A bare app to show the dialog on (what the snapshots see does not depend on other screens)."""

    def __init__(self, lang: str, view: ReceiptView | None = None) -> None:
        super().__init__()
        self.lang = lang
        self.view = view

    def compose(self) -> ComposeResult:
        yield Footer()

    def format_time(self, value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"

    def on_mount(self) -> None:
        if self.view is not None:
            self.push_screen(ReceiptDialog(view=self.view))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_receipt_dialog_snapshot(snap_compare: Any, lang: str) -> None:
    assert snap_compare(Host(lang, FIXED_VIEW), terminal_size=(80, 24))


def test_dialog_fits_80x24_and_its_code_scans_off_the_screen() -> None:
    asyncio.run(_fits_and_scans())


async def _fits_and_scans() -> None:
    app = Host("en", FIXED_VIEW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReceiptDialog)
        qr = dialog.query_one("#receipt-qr", QrCode)
        assert qr.region.width == 33 and qr.region.height == 17
        box = dialog.query_one("#receipt-box").region
        assert box.right <= 80 and box.bottom <= 24 and box.x >= 0 and box.y >= 0
        assert qr.region.right <= box.right
        assert decode_half_blocks(half_block_text(qr.matrix)) == [FIXED_VIEW.text]
        assert str(dialog.query_one("#receipt-title", Label).render()) == "Inspection receipt"
        hint = str(dialog.query_one("#receipt-hint", Static).render())
        assert "请班组长拍照" in hint and "photograph this code" in hint
        app.lang = "zh"
        dialog.apply_language()
        await pilot.pause()
        assert str(dialog.query_one("#receipt-title", Label).render()) == "检查回执"
        assert "李明" in str(dialog.query_one("#receipt-signer", Static).render())
        await pilot.click("#receipt-close")
        await pilot.pause()
        assert not isinstance(app.screen, ReceiptDialog)


def test_the_app_shows_the_receipt_after_sign_off(store: Store) -> None:
    asyncio.run(_receipt_after_sign_off(store))


async def _receipt_after_sign_off(store: Store) -> None:
    from screens.app import InspectorApp
    from tests.screens.bare_app import bare_app

    world = build_world(store)
    with store.session() as session:
        inspection = session.get(Inspection, world.inspections[0])
        assert inspection is not None and inspection.content_hash
        expected = receipt_for(session, inspection).text()
    app = bare_app(store=store, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.post_message(InspectorApp.InspectionSigned(world.inspections[0], inspection.content_hash))
        await pilot.pause()
        await wait_workers(app, lambda w: w.name == "receipt")  # the dialog loads the receipt
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReceiptDialog)
        qr = dialog.query_one("#receipt-qr", QrCode)
        assert qr.data == expected
        assert decode_half_blocks(half_block_text(qr.matrix)) == [expected]
        assert "Melting furnace platform CAST-01" in str(dialog.query_one("#receipt-place", Static).render())
        assert str(dialog.query_one("#receipt-close", Button).label) == "Close"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReceiptDialog)
