"""Sheets of QR labels for checkpoints (or workshops), printed on A4 label stock and stuck up in the plant.

Each label carries the QR code of :func:`inspector.labels_payload.encode_label` (what the walk recognises when the
USB scanner types it), and beneath it the Chinese name, the English name and the code, large enough to read from a
metre away. The stock is 6 labels of 99.1 × 93.1 mm per A4 sheet (Avery L7166 and compatibles); the QR code is
54 mm wide at error correction Q (25 % of a dirty or scratched label can be lost), about 2 mm per module.

PDF output is drawn with reportlab (vector QR from qrcode's module matrix); SVG and PNG use qrcode's own image
factories, one file per sheet (``labels.png``, or ``labels-1.png``, ``labels-2.png``, … when there are several).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import qrcode
import qrcode.constants
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, col, select

from inspector.labels_payload import encode_label
from inspector.models import Checkpoint, Unit, Workshop
from inspector.output_file import replacing
from inspector.reports.errors import ReportError, ReportNotFound
from inspector.reports.fonts import image_font_file, pdf_font

FORMATS = ("pdf", "svg", "png")
PER = ("checkpoint", "workshop")
PT_PER_MM = 72 / 25.4


class LabelError(ReportError):
    """Labels cannot be made as asked (nothing matches, unknown format, …)."""


@dataclass(frozen=True)
class LabelStock:
    """A sheet of label stock: where each label sits on the page (millimetres from the top-left corner)."""

    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm) of the ``index``-th label of a sheet, filled row by row."""
        row, column = divmod(index % self.per_sheet, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y


#: A4, 2 × 3 labels of 99.1 × 93.1 mm (Avery L7166 and compatible stock).
A4_6_UP = LabelStock("A4 6-up 99.1×93.1 mm (Avery L7166)", 210.0, 297.0, 2, 3, 99.1, 93.1, 4.65, 8.85, 101.6, 93.1)

#: Layout inside a label (mm): the QR square and the text lines beneath it (baseline from the label's top).
QR_SIZE = 54.0
QR_TOP = 6.0
NAME_ZH_PT, NAME_EN_PT, CODE_PT, CONTEXT_PT = 20.0, 13.0, 18.0, 10.0
MIN_PT = 9.0
BASELINES = {"name_zh": 69.0, "name_en": 76.0, "code": 84.0, "context": 89.5}
TEXT_MARGIN = 4.0


@dataclass(frozen=True)
class Label:
    """One label: what it points at, its payload, and the text printed under the code."""

    kind: str  # "checkpoint" | "workshop"
    code: str
    name_zh: str
    name_en: str
    #: Where it is (unit and workshop names), printed small under the code.
    context: str
    payload: str


def collect_labels(
    session: Session, *, unit: str | None = None, workshop: str | None = None, per: str = "checkpoint"
) -> list[Label]:
    """The labels to print, in unit / workshop / code order.

    ``unit`` is a unit code; ``workshop`` a workshop code (``UNIT/WS`` when several units share it). ``per`` is
    ``"checkpoint"`` (one label per checkpoint) or ``"workshop"`` (one per workshop). Raises :class:`ReportNotFound`
    for an unknown unit or workshop and :class:`LabelError` when nothing matches.
    """
    if per not in PER:
        raise LabelError("E_LABEL_PER", "err.label_per", allowed=", ".join(PER), per=repr(per))
    units = {u.id: u for u in session.exec(select(Unit)).all()}
    query = select(Workshop).order_by(col(Workshop.code))
    workshops = [w for w in session.exec(query).all() if w.unit_id in units]
    if unit is not None:
        chosen = [u for u in units.values() if u.code == unit]
        if not chosen:
            raise ReportNotFound("E_LABEL_UNIT", "err.unit_unknown", unit=repr(unit))
        workshops = [w for w in workshops if w.unit_id in {u.id for u in chosen}]
    if workshop is not None:
        unit_code, _, ws_code = workshop.rpartition("/")
        workshops = [
            w for w in workshops if w.code == ws_code and (not unit_code or units[w.unit_id].code == unit_code)
        ]
        if not workshops:
            if unit:
                raise ReportNotFound(
                    "E_LABEL_WORKSHOP", "err.workshop_unknown_in_unit", workshop=repr(workshop), unit=repr(unit)
                )
            raise ReportNotFound("E_LABEL_WORKSHOP", "err.workshop_unknown", workshop=repr(workshop))
    workshops.sort(key=lambda w: (units[w.unit_id].code, w.code))
    labels: list[Label] = []
    for ws in workshops:
        owner = units[ws.unit_id]
        if per == "workshop":
            code = f"{owner.code}/{ws.code}"
            labels.append(
                Label("workshop", code, ws.name_zh, ws.name_en, _context(owner, None), encode_label("workshop", code))
            )
            continue
        checkpoints = session.exec(
            select(Checkpoint).where(Checkpoint.workshop_id == ws.id).order_by(col(Checkpoint.code))
        ).all()
        for cp in checkpoints:
            labels.append(
                Label("checkpoint", cp.code, cp.name_zh, cp.name_en, _context(owner, ws), _payload_for(cp.code))
            )
    if not labels:
        raise LabelError("E_LABEL_NONE", "err.no_checkpoints" if per == "checkpoint" else "err.no_workshops")
    return labels


def _payload_for(code: str) -> str:
    try:
        return encode_label("checkpoint", code)
    except ValueError as exc:
        raise LabelError("E_LABEL_CODE", "err.label_code", code=repr(code), reason=exc) from exc


def _context(unit: Unit, workshop: Workshop | None) -> str:
    parts = [f"{unit.name_zh} {unit.name_en}".strip()]
    if workshop is not None:
        parts.append(f"{workshop.name_zh} {workshop.name_en}".strip())
    return " · ".join(parts)


def label_qr(payload: str, *, border: int = 0) -> qrcode.QRCode:
    """The QR code of a label at error correction Q."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=border)
    code.add_data(payload)
    code.make(fit=True)
    return code


def output_format(path: Path) -> str:
    """``pdf``, ``svg`` or ``png`` from the file name; :class:`LabelError` for anything else."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise LabelError("E_LABEL_FORMAT", "err.label_format", name=path.name, suffix=repr(path.suffix))
    return suffix


def sheet_paths(path: Path, sheets: int) -> list[Path]:
    """Files for ``sheets`` sheets of SVG/PNG: ``path`` itself for one, numbered beside it for several."""
    if sheets == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(1, sheets + 1)]


def write_labels(labels: Sequence[Label], path: Path, *, stock: LabelStock = A4_6_UP) -> list[Path]:
    """Write the sheets of ``labels`` to ``path`` (format from its suffix); returns the files written."""
    kind = output_format(path)
    if not labels:
        raise LabelError("E_LABEL_NONE", "err.no_labels")
    sheets = [list(labels[i : i + stock.per_sheet]) for i in range(0, len(labels), stock.per_sheet)]
    if kind == "pdf":
        with replacing(path) as part:  # a failed write leaves no damaged sheet and keeps the previous file
            _write_pdf(sheets, part, stock)
        return [path]
    targets = sheet_paths(path, len(sheets))
    for sheet, target in zip(sheets, targets, strict=True):
        with replacing(target) as part:
            if kind == "svg":
                part.write_bytes(_svg_sheet(sheet, stock))
            else:
                _png_sheet(sheet, stock).save(part, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return targets


def _fit(text: str, font: str, size: float, width_pt: float) -> tuple[str, float]:
    """Shrink ``text`` to fit ``width_pt`` (not below :data:`MIN_PT`), then cut it with an ellipsis."""
    while size > MIN_PT and stringWidth(text, font, size) > width_pt:
        size -= 0.5
    if stringWidth(text, font, size) <= width_pt:
        return text, size
    while text and stringWidth(text + "…", font, size) > width_pt:
        text = text[:-1]
    return text + "…", size


def _lines(label: Label) -> list[tuple[str, str, float]]:
    """(line key, text, point size) for the text under the code."""
    return [
        ("name_zh", label.name_zh, NAME_ZH_PT),
        ("name_en", label.name_en, NAME_EN_PT),
        ("code", label.code, CODE_PT),
        ("context", label.context, CONTEXT_PT),
    ]


def _write_pdf(sheets: list[list[Label]], path: Path, stock: LabelStock) -> None:
    font = pdf_font()
    canvas = Canvas(str(path), pagesize=(stock.page_width * mm, stock.page_height * mm))
    canvas.setTitle("Checkpoint labels 检查点标签")
    canvas.setCreator("inspector")
    page_height = stock.page_height * mm
    for sheet in sheets:
        for index, label in enumerate(sheet):
            x0, y0 = stock.origin(index)
            # the QR code, module by module (vector: sharp at any printer resolution)
            matrix = label_qr(label.payload).get_matrix()
            module = QR_SIZE / len(matrix)
            qx = x0 + (stock.label_width - QR_SIZE) / 2
            canvas.setFillColorRGB(0, 0, 0)
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        top = y0 + QR_TOP + r * module
                        canvas.rect(
                            (qx + c * module) * mm,
                            page_height - (top + module) * mm,
                            module * mm,
                            module * mm,
                            stroke=0,
                            fill=1,
                        )
            width_pt = (stock.label_width - 2 * TEXT_MARGIN) * mm
            centre = (x0 + stock.label_width / 2) * mm
            for key, text, size in _lines(label):
                if not text:
                    continue
                fitted, fitted_size = _fit(text, font, size, width_pt)
                canvas.setFont(font, fitted_size)
                canvas.drawCentredString(centre, page_height - (y0 + BASELINES[key]) * mm, fitted)
        canvas.showPage()
    canvas.save()


SVG_NS = "http://www.w3.org/2000/svg"
SVG_FONTS = "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"


def _svg_sheet(sheet: list[Label], stock: LabelStock) -> bytes:
    """One sheet as SVG in millimetre user units; each QR code is qrcode's SvgPathImage, nested in place."""
    ET.register_namespace("", SVG_NS)
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": f"{stock.page_width}mm",
            "height": f"{stock.page_height}mm",
            "viewBox": f"0 0 {stock.page_width} {stock.page_height}",
            "version": "1.1",
        },
    )
    ET.SubElement(root, f"{{{SVG_NS}}}title").text = "Checkpoint labels 检查点标签"
    ET.SubElement(root, f"{{{SVG_NS}}}rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    width_pt = (stock.label_width - 2 * TEXT_MARGIN) * mm
    font = pdf_font()  # only to measure text for shrinking; the SVG viewer draws it with its own CJK font
    for index, label in enumerate(sheet):
        x0, y0 = stock.origin(index)
        image = label_qr(label.payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
        qr = ET.fromstring(image.to_string())
        qr.set("x", f"{x0 + (stock.label_width - QR_SIZE) / 2:.3f}")
        qr.set("y", f"{y0 + QR_TOP:.3f}")
        qr.set("width", f"{QR_SIZE}")
        qr.set("height", f"{QR_SIZE}")
        qr.set("shape-rendering", "crispEdges")
        group = ET.SubElement(root, f"{{{SVG_NS}}}g", {"id": f"label-{index + 1}", "data-payload": label.payload})
        group.append(qr)
        for key, text, size in _lines(label):
            if not text:
                continue
            fitted, fitted_size = _fit(text, font, size, width_pt)
            node = ET.SubElement(
                group,
                f"{{{SVG_NS}}}text",
                {
                    "x": f"{x0 + stock.label_width / 2:.3f}",
                    "y": f"{y0 + BASELINES[key]:.3f}",
                    "font-size": f"{fitted_size / PT_PER_MM:.3f}",
                    "font-family": SVG_FONTS,
                    "text-anchor": "middle",
                    "fill": "#000000",
                },
            )
            node.text = fitted
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()


PNG_DPI = 300


def _px(value_mm: float) -> int:
    return round(value_mm / 25.4 * PNG_DPI)


def _png_sheet(sheet: list[Label], stock: LabelStock) -> Image.Image:
    """One sheet as a 300 dpi image; each QR code is qrcode's PIL image scaled by whole pixels per module."""
    font_file = image_font_file()
    page = Image.new("RGB", (_px(stock.page_width), _px(stock.page_height)), "white")
    draw = ImageDraw.Draw(page)
    pdf_measure = pdf_font()
    width_pt = (stock.label_width - 2 * TEXT_MARGIN) * mm
    for index, label in enumerate(sheet):
        x0, y0 = stock.origin(index)
        code = label_qr(label.payload)
        modules = len(code.get_matrix())
        code.box_size = max(1, _px(QR_SIZE) // modules)
        qr_image = code.make_image().get_image().convert("RGB")
        left = _px(x0 + stock.label_width / 2) - qr_image.width // 2
        top = _px(y0 + QR_TOP) + (_px(QR_SIZE) - qr_image.height) // 2
        page.paste(qr_image, (left, top))
        for key, text, size in _lines(label):
            if not text:
                continue
            fitted, fitted_size = _fit(text, pdf_measure, size, width_pt)
            font = ImageFont.truetype(str(font_file), size=round(fitted_size / 72 * PNG_DPI), index=0)
            draw.text(
                (_px(x0 + stock.label_width / 2), _px(y0 + BASELINES[key])),
                fitted,
                fill="black",
                font=font,
                anchor="ms",
            )
    return page
