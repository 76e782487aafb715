"""The tamper-evident record and the printed labels.

- ``chain.verify``: walking a chain of 5,000 audit entries (:func:`inspector.audit.verify_chain`). Baseline: bare
  ``sqlite3`` reading the same rows and recomputing each SHA-256 from the same canonical JSON, with the link check.
- ``labels.pdf``: a 60-label PDF sheet set (:func:`inspector.labels.write_labels`, text fitted, vector QR codes).
  Baseline: bare reportlab drawing the same 60 qrcode matrices as squares and the same four text lines per label,
  without fitting.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import uuid
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from bench.common import Result, best_of
from inspector.audit import GENESIS_HASH, append_entry, verify_chain
from inspector.labels import A4_6_UP, BASELINES, QR_SIZE, QR_TOP, Label, label_qr, write_labels
from inspector.labels_payload import encode_label
from inspector.reports.fonts import pdf_font
from inspector.store import open_store

ENTRIES = 5_000
LABELS = 60


def _build_chain(path: Path) -> None:
    store = open_store(path)
    with store.session(skip_outbox=True) as session:
        for n in range(ENTRIES):
            append_entry(
                session,
                kind="sign_off",
                subject_id=uuid.uuid4(),
                actor_id=uuid.uuid4(),
                payload={"content_hash": hashlib.sha256(str(n).encode()).hexdigest(), "grade": "good", "n": n},
            )
        session.commit()
    store.close()


def _raw_verify(path: Path) -> int:
    """The same walk with bare sqlite3: rebuild each entry's canonical body, hash it, check the link."""
    conn = sqlite3.connect(path)
    previous = GENESIS_HASH
    count = 0
    for seq, id_, at, kind, subject, actor, payload, prev, stored in conn.execute(
        "SELECT seq, id, at, kind, subject_id, actor_id, payload, prev_hash, hash FROM auditentry ORDER BY seq"
    ):
        body = {
            "id": str(uuid.UUID(id_)),
            "at": at.replace(" ", "T").split(".")[0] + "+00:00",
            "kind": kind,
            "subject_id": str(uuid.UUID(subject)),
            "actor_id": str(uuid.UUID(actor)) if actor else None,
            "payload": json.loads(payload),
            "prev_hash": prev,
        }
        digest = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
        if prev != previous or digest != stored:
            raise AssertionError(f"raw verification disagrees at {seq}")
        previous = stored
        count += 1
    conn.close()
    return count


def _labels() -> list[Label]:
    return [
        Label(
            "checkpoint",
            f"CP-{n:03d}",
            f"检查点 {n} 熔铸炉平台",
            f"Checkpoint {n} furnace platform",
            "一分厂 Plant 1 · 熔铸车间 Casting",
            encode_label("checkpoint", f"CP-{n:03d}"),
        )
        for n in range(LABELS)
    ]


def _raw_labels(labels: list[Label], path: Path) -> None:
    font = pdf_font()
    stock = A4_6_UP
    canvas = Canvas(str(path), pagesize=(stock.page_width * mm, stock.page_height * mm))
    height = stock.page_height * mm
    for index, label in enumerate(labels):
        if index and index % stock.per_sheet == 0:
            canvas.showPage()
        x0, y0 = stock.origin(index)
        matrix = label_qr(label.payload).get_matrix()
        module = QR_SIZE / len(matrix)
        qx = x0 + (stock.label_width - QR_SIZE) / 2
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    top = y0 + QR_TOP + r * module
                    canvas.rect((qx + c * module) * mm, height - (top + module) * mm, module * mm, module * mm, 0, 1)
        for key, text in (("name_zh", label.name_zh), ("name_en", label.name_en), ("code", label.code)):
            canvas.setFont(font, 14)
            canvas.drawCentredString((x0 + stock.label_width / 2) * mm, height - (y0 + BASELINES[key]) * mm, text)
        canvas.setFont(font, 10)
        canvas.drawCentredString(
            (x0 + stock.label_width / 2) * mm, height - (y0 + BASELINES["context"]) * mm, label.context
        )
    canvas.showPage()
    canvas.save()


def run() -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "chain.db"
        _build_chain(db)
        store = open_store(db)

        def ours() -> None:
            with store.session() as session:
                report = verify_chain(session)
                assert report.ok and report.entries == ENTRIES

        ours_s = best_of(ours)
        store.close()
        raw_s = best_of(lambda: _assert_count(_raw_verify(db)))
        results.append(
            Result(
                "chain.verify",
                ours_s / ENTRIES * 1e6,
                "µs/entry",
                raw_s / ENTRIES * 1e6,
                note=f"{ENTRIES} entries; baseline bare sqlite3 + hashlib doing the same checks",
            )
        )
        labels = _labels()

        def ours_labels() -> None:
            write_labels(labels, Path(tmp) / "ours.pdf")

        ours_l = best_of(ours_labels)
        raw_l = best_of(lambda: _raw_labels(labels, Path(tmp) / "raw.pdf"))
        results.append(
            Result(
                "labels.pdf",
                ours_l / LABELS * 1e3,
                "ms/label",
                raw_l / LABELS * 1e3,
                note=f"{LABELS} labels on {LABELS // A4_6_UP.per_sheet} sheets; baseline bare reportlab + qrcode",
            )
        )
    return results


def _assert_count(count: int) -> None:
    assert count == ENTRIES
