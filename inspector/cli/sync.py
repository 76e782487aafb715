"""``inspector sync``: enrol this laptop, sync headless with a progress bar, export/import bundles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inspector.cli.common import DbOption, console, fail, open_db
from inspector.cli.problems import current_lang, database_problem
from inspector.cli.report_lang import LangOption, resolve_lang
from inspector.config import load_settings
from inspector.errors import InspectorError
from inspector.file_errors import os_reason
from inspector.i18n import register, t

if TYPE_CHECKING:
    from sync.client.credentials import Credentials
    from sync.client.service import SyncPaths

sync_app = typer.Typer(help="Sync this laptop with the central server (or by bundle files).", no_args_is_help=False)

register(
    {
        "cli.sync.bad_url": (
            "{url}：服务器地址必须以 http:// 或 https:// 开头",
            "{url}: the server address must start with http:// or https://",
        ),
        "cli.sync.token_unsaved": (
            "无法保存设备令牌文件 {path}：{reason}。{after}",
            "The device token file {path} cannot be saved: {reason}. {after}",
        ),
        "cli.sync.enrol_unsaved": (
            "登记码已经用掉；请腾出空间后向管理员索取新的登记码再登记。",
            "The enrolment code is used up; make room, then ask the administrator for a new code and enrol again.",
        ),
        "cli.sync.rotate_unsaved": (
            "令牌未更换，旧令牌仍然有效。",
            "The token was not replaced; the old one still works.",
        ),
        "cli.sync.rotated_unsaved": (
            "服务器已换发新令牌而旧令牌已失效；请腾出空间后向管理员索取新的登记码重新登记（本机未同步的记录仍保存在本机）。",
            "The server issued a new token and the old one no longer works; make room, then ask the administrator "
            "for a new enrolment code and enrol again (this laptop's unsynced records stay here).",
        ),
        "cli.sync.unwritable": (
            "无法写入离线包 {path}：{reason}。没有留下写了一半的文件，本机的待同步变更都还在。",
            "The bundle {path} cannot be written: {reason}. No half-written file was left; this laptop's pending "
            "changes are all still here.",
        ),
    }
)


def _lang(value: str | None = None) -> str:
    """The command's ``--lang`` (a wrong value is refused), else ``inspector --lang``, ``INSPECTOR_LANG``, the
    locale: the same choice :func:`inspector.cli.common.fail` makes for its "错误："/"Error:"."""
    return resolve_lang(value) if value is not None else current_lang()


def _credentials(paths: SyncPaths, lang: str) -> Credentials:
    """This laptop's credentials, or the command ends with why there are none (not enrolled, a damaged token file,
    a signing key that cannot be kept)."""
    from sync.client.service import NotEnrolled, require_credentials

    try:
        return require_credentials(paths)
    except NotEnrolled:
        fail(t("sync.not_enrolled", lang))
    except InspectorError as exc:
        fail(exc.text(lang))


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder of the device token and attachments (default: INSPECTOR_DATA_DIR).",
        show_default=False,
    ),
]


@sync_app.callback(invoke_without_command=True)
def sync_now(
    ctx: typer.Context,
    db: DbOption = None,
    data_dir: DataDirOption = None,
    retry_rejected: Annotated[
        bool, typer.Option("--retry-rejected", help="Send the changes the server rejected once more (after a fix).")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Push this laptop's changes and pull what it may see, showing progress."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    import sync.messages  # noqa: F401
    from sync.client.bundle_forward import ForwardReport
    from sync.client.http import Offline, SyncError
    from sync.client.service import NotEnrolled, SyncPaths, run_sync

    lang = _lang(lang)
    paths = SyncPaths(data_dir or load_settings().data_dir)
    creds = _credentials(paths, lang)  # before the database: a laptop not enrolled gets no empty one made
    store = open_db(db)  # the first sync of a new laptop creates its database
    forwarded = ForwardReport()
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int | None) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(t(f"sync.stage.{stage}", lang), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = run_sync(
                store, paths, progress=progress, retry_rejected=retry_rejected, forwarded=forwarded, credentials=creds
            )
    except NotEnrolled:
        fail(t("sync.not_enrolled", lang))
    except InspectorError as exc:  # a damaged token file, or a signing key that cannot be kept
        fail(exc.text(lang))
    except Offline as exc:
        fail(t("sync.offline", lang, reason=exc.text(lang)))
    except SyncError as exc:
        fail(t("sync.failed", lang, reason=exc.text(lang)))
    finally:
        store.close()
    if report.resynced:
        console.print(t("sync.resynced", lang, resent=report.resent))
    if forwarded.bundles:
        console.print(t("sync.forwarded", lang, bundles=forwarded.bundles, changes=forwarded.changes))
    console.print(
        t(
            "sync.report",
            lang,
            pushed=report.pushed,
            pulled=report.pulled,
            conflicts=report.conflicts,
            rejected=report.rejected,
            uploaded=report.uploaded,
        )
    )
    for what in report.rejections[:20]:
        console.print(t("sync.rejection", lang, what=what), style="yellow")
    for what in report.errors[:20]:
        console.print(t("sync.warning", lang, what=what), style="yellow")


@sync_app.command("enroll")
def enroll_command(
    url: Annotated[str, typer.Argument(help="The server, e.g. http://10.0.0.5:8765")],
    code: Annotated[str, typer.Argument(help="The one-time code printed by `inspector server enroll`.")],
    data_dir: DataDirOption = None,
    lang: LangOption = None,
) -> None:
    """Enrol this laptop with the server using a one-time code."""
    import sync.messages  # noqa: F401
    from sync.client.http import Offline, SyncError
    from sync.client.service import SyncPaths, enroll

    lang = _lang(lang)
    paths = SyncPaths(data_dir or load_settings().data_dir)
    if not url.startswith(("http://", "https://")):
        fail(t("cli.sync.bad_url", lang, url=url))
    try:
        creds = enroll(url, code, paths)
    except OSError as exc:  # the token came but cannot be kept (a full disk, a read-only folder)
        after = t("cli.sync.enrol_unsaved", lang)
        fail(t("cli.sync.token_unsaved", lang, path=paths.credentials, reason=os_reason(exc, lang), after=after))
    except Offline as exc:
        fail(t("sync.offline", lang, reason=exc.text(lang)))
    except SyncError as exc:
        fail(t("sync.failed", lang, reason=exc.text(lang)))
    console.print(
        t("sync.enrolled", lang, name=creds.name, role=creds.role, url=creds.server_url, path=paths.credentials)
    )


@sync_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="The bundle file to write (e.g. on a USB stick).")],
    db: DbOption = None,
    data_dir: DataDirOption = None,
    lang: LangOption = None,
) -> None:
    """Write this laptop's pending changes to a signed bundle file, for a plant without network."""
    import sync.messages  # noqa: F401
    from sync.client.bundle import export_bundle
    from sync.client.service import SyncPaths

    lang = _lang(lang)
    paths = SyncPaths(data_dir or load_settings().data_dir)
    creds = _credentials(paths, lang)
    store = open_db(db, must_exist=True)  # a mistyped --db has no pending changes to export
    try:
        count = export_bundle(store, creds, out)
    except InspectorError as exc:
        fail(exc.text(lang))
    except OSError as exc:  # a full disk, a USB stick pulled out, no permission: no half-written bundle remains
        fail(t("cli.sync.unwritable", lang, path=out, reason=os_reason(exc, lang)))
    finally:
        store.close()
    console.print(t("sync.exported", lang, count=count, path=out) if count else t("sync.nothing_to_export", lang))


@sync_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A bundle written by `inspector sync export` on another laptop.")],
    db: DbOption = None,
    data_dir: DataDirOption = None,
    to_server: Annotated[
        bool,
        typer.Option(
            "--to-server",
            help="Hand the bundle straight to the server instead (needs the network); by default it is applied "
            "to this laptop and goes to the server at its next sync.",
        ),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Import another laptop's bundle into this supervisor's laptop (no network needed).

    The bundle is checked with the group's device keys, fetched at this laptop's last sync.

    It is applied with the server's rules (the device's rights, signed inspections unchangeable, the domain rules); conflicts wait on the Conflicts screen.

    At the next `inspector sync` it goes to the server unchanged. Importing the same bundle twice changes nothing.
    """
    from sqlalchemy.exc import SQLAlchemyError

    import sync.messages  # noqa: F401
    from sync.client.bundle import read_bundle
    from sync.client.bundle_forward import send_bundle
    from sync.client.bundle_import import import_bundle
    from sync.client.http import Offline, SyncError
    from sync.client.service import SyncPaths, client_for
    from sync.protocol import ChangeStatus

    lang = _lang(lang)
    paths = SyncPaths(data_dir or load_settings().data_dir)
    if not to_server:
        store = open_db(db, must_exist=True)  # a mistyped --db is named, not made into an empty laptop
        try:
            report = import_bundle(store, file=file, keys_path=paths.bundle_keys, attachments=paths.attachments)
        except InspectorError as exc:
            fail(exc.text(lang))
        except OSError as exc:  # the bundle was read: its photos cannot be written here (a full disk)
            where = f" ({exc.filename})" if exc.filename else ""
            fail(t("sync.import_failed", lang, reason=os_reason(exc, lang) + where))
        except SQLAlchemyError as exc:  # e.g. the database is locked by a long write elsewhere: nothing was applied
            worded = database_problem(exc, lang)  # locked, full disk, damaged: in words, not SQLite's English
            fail(worded or t("sync.import_failed", lang, reason=str(getattr(exc, "orig", None) or exc)))
        finally:
            store.close()
        console.print(
            t(
                "sync.imported_local",
                lang,
                device=report.device_name,
                applied=report.count(ChangeStatus.APPLIED),
                duplicates=report.count(ChangeStatus.DUPLICATE),
                conflicts=report.count(ChangeStatus.CONFLICT),
                rejected=report.count(ChangeStatus.REJECTED),
            )
        )
        if not report.stored:
            console.print(t("sync.imported_again", lang))
        for where, why in report.rejections[:20]:
            console.print(t("sync.rejection", lang, what=f"{where}: {_side(why, lang)}"), style="yellow")
        return
    try:
        bundle = read_bundle(file)
    except InspectorError as exc:
        fail(exc.text(lang))
    creds = _credentials(paths, lang)
    try:
        with client_for(creds) as client:
            result = send_bundle(client, bundle)
    except Offline as exc:
        fail(t("sync.offline", lang, reason=exc.text(lang)))
    except SyncError as exc:
        fail(t("sync.failed", lang, reason=exc.text(lang)))
    counts = {s: sum(1 for r in result.results if r.status == s) for s in ChangeStatus}
    console.print(
        t(
            "sync.imported",
            lang,
            applied=counts[ChangeStatus.APPLIED],
            duplicates=counts[ChangeStatus.DUPLICATE],
            conflicts=counts[ChangeStatus.CONFLICT],
            rejected=counts[ChangeStatus.REJECTED],
        )
    )


def _side(text: str, lang: str) -> str:
    """One language of a reason given as "English / 中文" (a reason in one language stays as it is)."""
    english, sep, chinese = text.rpartition(" / ")
    if not sep or not any("\u4e00" <= ch <= "\u9fff" for ch in chinese):
        return text
    return chinese if lang == "zh" else english


@sync_app.command("rotate")
def rotate_command(data_dir: DataDirOption = None, lang: LangOption = None) -> None:
    """Replace this laptop's device token with a new one (the old one stops working at once)."""
    import sync.messages  # noqa: F401
    from sync.client.credentials import save_credentials
    from sync.client.http import Offline, SyncError
    from sync.client.service import SyncPaths, client_for

    lang = _lang(lang)
    paths = SyncPaths(data_dir or load_settings().data_dir)
    creds = _credentials(paths, lang)
    try:  # first make sure the token file can be written: the server's rotation ends the old token at once
        save_credentials(paths.credentials, creds)
    except OSError as exc:
        after = t("cli.sync.rotate_unsaved", lang)
        fail(t("cli.sync.token_unsaved", lang, path=paths.credentials, reason=os_reason(exc, lang), after=after))
    try:
        with client_for(creds) as client:
            fresh = client.rotate()
    except Offline as exc:
        fail(t("sync.offline", lang, reason=exc.text(lang)))
    except SyncError as exc:
        fail(t("sync.failed", lang, reason=exc.text(lang)))
    from dataclasses import replace

    try:
        save_credentials(paths.credentials, replace(creds, token=fresh.token, expires_at=fresh.expires_at))
    except OSError as exc:
        after = t("cli.sync.rotated_unsaved", lang)
        fail(t("cli.sync.token_unsaved", lang, path=paths.credentials, reason=os_reason(exc, lang), after=after))
    console.print(t("sync.rotated", lang, when=fresh.expires_at.strftime("%Y-%m-%d")))
