"""Checkpoint labels: the right labels are chosen, and every printed QR code decodes to its payload."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from inspector.errors import NotFoundError
from inspector.labels import A4_6_UP, QR_SIZE, Label, LabelError, collect_labels, label_qr, write_labels
from inspector.labels_payload import decode_label, encode_label
from inspector.store import Store
from tests.inspector.records_world import CHECKPOINTS, build_world


def decode_all(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds on a page image."""
    return sorted(r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode)


@pytest.fixture
def labels(store: Store) -> list[Label]:
    build_world(store, inspections=False)
    with store.session() as session:
        return collect_labels(session)


def test_one_label_per_checkpoint_with_the_walk_payload(labels: list[Label]) -> None:
    codes = ["CAST-01", "CAST-02", "EXTR-01", "EXTR-02", "EXTR-03", "ANOD-01", "ANOD-02"]  # unit, workshop, code
    assert [label.code for label in labels] == codes
    for label in labels:
        assert label.payload == encode_label("checkpoint", label.code)
        assert decode_label(label.payload).code == label.code
    furnace = next(label for label in labels if label.code == "CAST-01")
    assert (furnace.name_zh, furnace.name_en) == ("熔铸炉平台", "Melting furnace platform")
    assert "熔铸车间" in furnace.context and "Plant 1" in furnace.context


def test_filters_by_unit_and_workshop_and_per_workshop(store: Store) -> None:
    build_world(store, inspections=False)
    with store.session() as session:
        assert [label.code for label in collect_labels(session, unit="U2")] == ["ANOD-01", "ANOD-02"]
        assert [label.code for label in collect_labels(session, workshop="U1/EXTR")] == [
            "EXTR-01",
            "EXTR-02",
            "EXTR-03",
        ]
        per_ws = collect_labels(session, unit="U1", per="workshop")
        assert [(label.kind, label.code) for label in per_ws] == [("workshop", "U1/CAST"), ("workshop", "U1/EXTR")]
        assert decode_label(per_ws[0].payload).kind == "workshop"
        with pytest.raises(NotFoundError, match="'U9'"):
            collect_labels(session, unit="U9")
        with pytest.raises(NotFoundError, match="'PAINT'"):
            collect_labels(session, workshop="PAINT")
        with pytest.raises(NotFoundError):
            collect_labels(session, unit="U2", workshop="CAST")


def test_no_checkpoints_is_a_clear_error(store: Store) -> None:
    with store.session() as session, pytest.raises(LabelError, match="nothing to print"):
        collect_labels(session)


def test_modules_are_big_enough_to_scan_from_a_metre(labels: list[Label]) -> None:
    longest = max(labels, key=lambda label: len(label.payload))
    modules = len(label_qr(longest.payload).get_matrix())
    assert QR_SIZE / modules >= 1.5  # mm per module: a hand scanner reads ~1.5 mm modules at arm's length and more


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (.ci/install-system-deps)")
def test_every_qr_code_in_the_pdf_decodes_to_its_payload(labels: list[Label], tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    assert write_labels(labels, out) == [out]
    reader = PdfReader(out)
    assert len(reader.pages) == 2  # 7 labels, 6 per sheet
    text = "".join(page.extract_text() for page in reader.pages)
    for _ws, _team, code, zh, en in CHECKPOINTS:
        assert zh in text and en in text and code in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "page")], check=True)
    decoded: list[str] = []
    for page in sorted(tmp_path.glob("page-*.png")):
        decoded += decode_all(Image.open(page))
    assert sorted(decoded) == sorted(label.payload for label in labels)


def test_every_qr_code_in_the_png_sheets_decodes(labels: list[Label], tmp_path: Path) -> None:
    written = write_labels(labels, tmp_path / "labels.png")
    assert [p.name for p in written] == ["labels-1.png", "labels-2.png"]
    first = Image.open(written[0])
    assert first.size == (2480, 3508)  # A4 at 300 dpi
    decoded = decode_all(first) + decode_all(Image.open(written[1]))
    assert sorted(decoded) == sorted(label.payload for label in labels)


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="needs librsvg2-bin (.ci/install-system-deps)")
def test_every_qr_code_in_the_svg_sheet_decodes(labels: list[Label], tmp_path: Path) -> None:
    written = write_labels(labels[:6], tmp_path / "labels.svg")
    assert written == [tmp_path / "labels.svg"]
    svg_text = written[0].read_text(encoding="utf-8")
    assert "熔铸炉平台" in svg_text and "Melting furnace platform" in svg_text
    png = tmp_path / "svg.png"
    subprocess.run(
        ["rsvg-convert", "--dpi-x", "150", "--dpi-y", "150", "-b", "white", "-o", str(png), str(written[0])],
        check=True,
    )
    assert decode_all(Image.open(png)) == sorted(label.payload for label in labels[:6])


def test_labels_sit_inside_the_a4_sheet() -> None:
    for index in range(A4_6_UP.per_sheet):
        x, y = A4_6_UP.origin(index)
        assert x >= 0 and x + A4_6_UP.label_width <= A4_6_UP.page_width
        assert y >= 0 and y + A4_6_UP.label_height <= A4_6_UP.page_height + 0.1


def test_unknown_output_format_is_refused(labels: list[Label], tmp_path: Path) -> None:
    with pytest.raises(LabelError, match=r"\.pdf, \.svg or \.png"):
        write_labels(labels, tmp_path / "labels.docx")


def test_inspector_labels_command_writes_the_sheet(store: Store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from inspector.cli import app

    build_world(store, inspections=False)
    store.close()
    out = tmp_path / "u2.png"
    args = ["labels", "--db", str(store.path), "--unit", "U2", "--out", str(out), "--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 labels on 1 sheet(s)" in result.output
    assert decode_all(Image.open(out)) == sorted(encode_label("checkpoint", c) for c in ("ANOD-01", "ANOD-02"))
    bad = CliRunner().invoke(
        app, ["labels", "--db", str(store.path), "--unit", "NOPE", "--out", str(out), "--lang", "zh"]
    )
    assert bad.exit_code == 1 and "没有代码为 'NOPE' 的单位" in bad.output and "Traceback" not in bad.output


def test_workshop_labels_decode_too(store: Store, tmp_path: Path) -> None:
    build_world(store, inspections=False)
    with store.session() as session:
        labels = collect_labels(session, per="workshop")
    written = write_labels(labels, tmp_path / "ws.png")
    assert [label.code for label in labels] == ["U1/CAST", "U1/EXTR", "U2/ANOD"]
    decoded = decode_all(Image.open(written[0]))
    assert decoded == sorted(encode_label("workshop", label.code) for label in labels)
    assert {decode_label(text).code for text in decoded} == {"U1/CAST", "U1/EXTR", "U2/ANOD"}
