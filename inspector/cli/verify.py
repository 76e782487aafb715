"""``inspector verify RECEIPT`` and ``inspector verify --chain``: is the signed record still what was signed?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.cli.common import DbOption, console, err_console, fail, open_db
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.i18n import register, t
from inspector.integrity import check_integrity
from inspector.receipt import MATCH, ReceiptError, verify_receipt

register(
    {
        "verify.file_damaged": (
            "数据库文件已损坏（SQLite 检查：{problems}）；请用备份恢复（迁移前的备份在同一文件夹，文件名含 .before-）",
            "The database file is damaged (SQLite check: {problems}); restore it from a backup (the copies made "
            "before migrations are in the same folder, named *.before-*)",
        ),
    }
)


def verify_command(
    receipt: Annotated[
        str | None, typer.Argument(help="The receipt text (what its QR code decodes to).", show_default=False)
    ] = None,
    chain: Annotated[
        bool, typer.Option("--chain", help="Verify the database file, the whole audit chain and every signed record.")
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Check a receipt against the stored inspection, or walk the audit chain; exit 1 when anything does not hold."""
    language = resolve_lang(lang)
    if receipt is None and not chain:
        fail(t("verify.need_receipt", language), code=2)
    store = open_db(db, must_exist=True)
    try:
        with store.session() as session:
            ok = True
            if receipt is not None:
                ok = _verify_receipt(session, receipt, language) and ok
            if chain:
                ok = _verify_chain(session, language) and ok
    finally:
        store.close()
    if not ok:
        raise typer.Exit(1)


def _verify_receipt(session: Session, text: str, lang: str) -> bool:
    try:
        check = verify_receipt(session, text)
    except ReceiptError as exc:
        err_console.print("[bold red]✘[/] " + escape(exc.localized(lang)))  # it quotes what was scanned
        return False
    receipt = check.receipt
    values = {
        "id": receipt.inspection_id,
        "signer": check.signer_code or "—",
        "receipt_signer": receipt.signer_code,
        "signed_at": check.signed_at.strftime("%Y-%m-%d %H:%M UTC") if check.signed_at else "—",
        "score": f"{check.score_percent:.1f}" if check.score_percent is not None else "—",
        "grade": t(f"rpt.grade.{check.grade}", lang) if check.grade else "—",
        "receipt": receipt.hash_prefix[:16],
        "current": (check.current_hash or "")[:16],
        "stored": (check.stored_hash or "")[:16],
    }
    message = t(f"receipt.{check.status}", lang, **values)
    if check.status == MATCH:
        console.print(f"[bold green]✔[/] {message}")
        if check.superseded_by_id is not None:
            console.print(t("receipt.superseded", lang, id=check.superseded_by_id))
        return True
    err_console.print(f"[bold red]✘[/] {message}")
    return False


def _verify_file(session: Session, lang: str) -> bool:
    """SQLite's own check of the file's pages: a damaged page that no chained record sits on (an outbox row, a
    team's figures) passes the chain walk, and the reports would still be printed from it."""
    from sqlalchemy.exc import DatabaseError

    try:
        found = [str(row[0]) for row in session.connection().exec_driver_sql("PRAGMA quick_check(5)")]
    except DatabaseError as exc:
        found = [str(getattr(exc, "orig", None) or exc)]
    if found == ["ok"]:
        return True
    details = " ".join("; ".join(found).split())  # SQLite's lines, for the maintainers: one line, not a page
    details = details if len(details) <= 160 else details[:157] + "…"
    err_console.print("[bold red]✘[/] " + escape(t("verify.file_damaged", lang, problems=details)))
    return False


def _verify_chain(session: Session, lang: str) -> bool:
    if not _verify_file(session, lang):
        return False  # the chain of a damaged file proves nothing
    report = check_integrity(session)
    if report.ok:
        console.print(
            "[bold green]✔[/] " + t("chain.ok", lang, entries=report.chain.entries, signed=report.signed_checked)
        )
        if report.received:
            console.print(t("chain.received", lang, count=len(report.received)))
        return True
    if not report.chain.ok:
        chain_report = report.chain
        where = t("chain.broken_id", lang, id=chain_report.broken_id) if chain_report.broken_id else ""
        reason = t(f"chain.{chain_report.problem}", lang)
        err_console.print(
            "[bold red]✘[/] " + t("chain.broken", lang, seq=chain_report.broken_seq, where=where, reason=reason)
        )
    for problem in report.problems:
        reason = t(
            f"chain.{problem.problem}",
            lang,
            stored=(problem.stored_hash or "—")[:16],
            current=problem.current_hash[:16],
            chained=(problem.chained_hash or "—")[:16],
        )
        err_console.print("[bold red]✘[/] " + t("chain.signed_problem", lang, id=problem.inspection_id, reason=reason))
    return False
