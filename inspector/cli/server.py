"""``inspector server``: run the central sync server and manage its devices."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inspector.cli.common import console, fail
from inspector.cli.problems import current_lang
from inspector.cli.report_lang import LangOption
from inspector.errors import InspectorError
from inspector.i18n import register, t

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sync.server.settings import ServerSettings

server_app = typer.Typer(help="The central sync server: run it, enrol and revoke devices.", no_args_is_help=False)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="postgresql+psycopg://user@host/db, or sqlite:///file (default: INSPECTOR_SERVER_DATABASE_URL, then a SQLite file).",
        show_default=False,
    ),
]
ROLES = {"inspector": "inspector", "team-leader": "team_leader", "supervisor": "supervisor", "auditor": "auditor"}


register(
    {
        "cli.server.bad_url": (
            "--database-url {url}：不是数据库地址（{reason}）；请使用 postgresql+psycopg://用户@主机/数据库 或 "
            "sqlite:///文件",
            "--database-url {url}: not a database address ({reason}); use postgresql+psycopg://user@host/db or "
            "sqlite:///file",
        ),
        "cli.server.unknown_scheme": (
            "--database-url {url}：不认识的数据库类型 {scheme}；请使用 postgresql+psycopg://用户@主机/数据库 或 "
            "sqlite:///文件",
            "--database-url {url}: {scheme} is not a database type this server knows; use "
            "postgresql+psycopg://user@host/db or sqlite:///file",
        ),
        "cli.server.no_driver": (
            "--database-url {url}：本机没有安装数据库驱动 {driver}；PostgreSQL 请使用 postgresql+psycopg://",
            "--database-url {url}: the database driver {driver} is not installed; for PostgreSQL use "
            "postgresql+psycopg://",
        ),
        "cli.server.not_sqlite": (
            "{url} 不是数据库文件（不是 SQLite 文件）；文件没有被改动",
            "{url} is not a database file (not a SQLite file); it was not changed",
        ),
        "cli.server.unreachable": ("无法连接数据库 {url}：{reason}", "Cannot reach the database {url}: {reason}"),
        "cli.server.no_folder": (
            "无法创建服务器数据库 {url} 的文件夹：{reason}",
            "Cannot create the folder of the server database {url}: {reason}",
        ),
        "cli.server.laptop_db": (
            "{url} 是笔记本上的检查数据库（数据库结构 {revision}），不是同步服务器的数据库；文件没有被改动。"
            "请用 --database-url 指定服务器的数据库",
            "{url} is a laptop's inspector database (schema {revision}), not the sync server's; it was not changed. "
            "Name the server's database with --database-url",
        ),
        "cli.server.foreign_db": (
            "{url} 是其他程序的数据库（表 {tables}），不是同步服务器的数据库；没有被改动",
            "{url} is another program's database (tables {tables}), not the sync server's; it was not changed",
        ),
        "cli.server.newer_db": (
            "服务器数据库 {url} 由更新版本的 inspector 写入（数据库结构 {revision}）；请升级本机的 inspector",
            "The server database {url} was written by a newer inspector (schema {revision}); update inspector here",
        ),
        "cli.server.col.name": ("名称", "name"),
        "cli.server.col.role": ("角色", "role"),
        "cli.server.col.person": ("人员", "person"),
        "cli.server.col.state": ("状态", "state"),
        "cli.server.col.seq": ("最近序号", "last seq"),
        "cli.server.col.seen": ("最近同步", "last seen"),
        "cli.server.state.revoked": ("已撤销", "revoked"),
        "cli.server.state.enrolled": ("已登记", "enrolled"),
        "cli.server.state.code": ("已发登记码", "code issued"),
        "cli.server.bad_role": ("--role {role}：请使用 {roles} 之一", "--role {role}: use one of {roles}"),
        "cli.server.no_name": ("--name：请给设备起一个名称", "--name: give the device a name"),
        "cli.server.need_person": (
            "--person：{role} 设备需要其使用人员的人员编号",
            "--person: an {role} device needs the roster code of its person",
        ),
    }
)


def _lang(value: str | None = None) -> str:
    """The command's ``--lang`` (a wrong value is refused), else ``inspector --lang``, ``INSPECTOR_LANG``, the
    locale: the same choice :func:`inspector.cli.common.fail` makes for its "错误："/"Error:"."""
    from inspector.cli.report_lang import resolve_lang

    return resolve_lang(value) if value is not None else current_lang()


def _settings(database_url: str | None, **overrides: object) -> ServerSettings:
    from sync.server.settings import ServerSettings

    settings = ServerSettings()
    updates = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        updates["database_url"] = database_url
    return settings.model_copy(update=updates)


def _engine(database_url: str | None) -> Engine:
    """The server's database, migrated; anything that is not a server database it can open is named and left as
    it was (an unknown address scheme, a laptop's database, another program's, one written by a newer version)."""
    import sqlalchemy as sa
    from alembic.util.exc import CommandError

    from inspector.file_errors import os_reason
    from sync.server.db import make_engine, migrate
    from sync.server.settings import ServerSettings

    lang = _lang()
    settings = _settings(database_url)
    assert isinstance(settings, ServerSettings)
    url = _shown(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except sa.exc.NoSuchModuleError:
        scheme = settings.database_url.partition("://")[0] or settings.database_url
        fail(t("cli.server.unknown_scheme", lang, url=url, scheme=scheme))
    except sa.exc.ArgumentError as exc:
        fail(t("cli.server.bad_url", lang, url=url, reason=str(exc).strip().splitlines()[0]))
    except ImportError as exc:  # postgresql:// means psycopg2, which is not installed
        fail(t("cli.server.no_driver", lang, url=url, driver=exc.name or str(exc)))
    except OSError as exc:  # the folder of a sqlite:/// file cannot be made
        fail(t("cli.server.no_folder", lang, url=url, reason=os_reason(exc, lang)))
    _refuse_foreign(engine, url, lang)
    try:
        migrate(engine)
    except sa.exc.DBAPIError as exc:  # unreachable, refused, not a database file
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if "not a database" in reason:  # SQLite's words for a file of another kind
            fail(t("cli.server.not_sqlite", lang, url=url))
        fail(t("cli.server.unreachable", lang, url=url, reason=reason))
    except CommandError as exc:  # a revision this server does not know: written by a newer version
        fail(t("cli.server.newer_db", lang, url=url, revision=str(exc)))
    return engine


def _shown(database_url: str) -> str:
    """The address as it may be printed: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return database_url


def _refuse_foreign(engine: Engine, url: str, lang: str) -> None:
    """Refuse, before anything writes to it, a database that is not the server's: a laptop's inspector database
    (its schema 0001…, the server's s0001…) or another program's (tables without an Alembic stamp). Read-only
    (SQLite is read with ``mode=ro``: opening it through the server's engine would switch it to WAL)."""
    found = _tables_and_revision(engine)
    if found is None:
        return
    tables, revision = found
    if revision is not None and not revision.startswith("s"):
        fail(t("cli.server.laptop_db", lang, url=url, revision=revision))
    if tables and "alembic_version" not in tables:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        fail(t("cli.server.foreign_db", lang, url=url, tables=shown))
    if revision is not None and not _known_revision(revision):
        fail(t("cli.server.newer_db", lang, url=url, revision=revision))


def _tables_and_revision(engine: Engine) -> tuple[list[str], str | None] | None:
    """The database's tables and Alembic revision, or ``None`` when it cannot be read (migrating says why)."""
    import contextlib
    import sqlite3

    import sqlalchemy as sa

    if engine.url.get_backend_name() == "sqlite":
        database = engine.url.database or ""
        if database in ("", ":memory:") or not Path(database).expanduser().is_file():
            return None
        try:
            uri = f"{Path(database).expanduser().resolve().as_uri()}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
                tables = [
                    str(name)
                    for (name,) in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                ]
                row = (
                    connection.execute("SELECT version_num FROM alembic_version").fetchone()
                    if "alembic_version" in tables
                    else None
                )
        except sqlite3.Error:
            return None
        return tables, (str(row[0]) if row else None)
    try:
        with engine.connect() as connection:
            tables = sorted(sa.inspect(connection).get_table_names())
            revision = (
                connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                if "alembic_version" in tables
                else None
            )
    except sa.exc.DBAPIError:
        return None
    return tables, (str(revision) if revision is not None else None)


def _known_revision(revision: str) -> bool:
    from sync.server.db import MIGRATIONS_DIR

    return any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py"))


@server_app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    database_url: DatabaseUrl = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default 127.0.0.1).", show_default=False)
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8765).", show_default=False)] = None,
    workers: Annotated[
        int | None, typer.Option(help="uvicorn worker processes (default 1).", show_default=False)
    ] = None,
    lang: LangOption = None,
) -> None:
    """Run the sync server under uvicorn (migrating its database first)."""
    if ctx.invoked_subcommand is not None:
        return
    import sync.messages  # noqa: F401

    lang = _lang(lang)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        fail(t("server.root", lang))
    import uvicorn

    from sync.server.app import create_app
    from sync.server.settings import ServerSettings

    settings = _settings(database_url, host=host, port=port, workers=workers)
    assert isinstance(settings, ServerSettings)
    engine = _engine(settings.database_url)
    console.print(
        t(
            "server.listening",
            lang,
            host=settings.host,
            port=settings.port,
            db=engine.url.render_as_string(hide_password=True),
        )
    )
    if settings.workers > 1:
        os.environ["INSPECTOR_SERVER_DATABASE_URL"] = settings.database_url
        uvicorn.run(
            "sync.server.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
        )
    else:
        uvicorn.run(create_app(settings, engine=engine), host=settings.host, port=settings.port)


@server_app.command("enroll")
def enroll_command(
    name: Annotated[str, typer.Option("--name", help="The device's name, e.g. the laptop's asset tag.")],
    role: Annotated[str, typer.Option("--role", help="inspector, team-leader, supervisor or auditor.")],
    person: Annotated[str | None, typer.Option("--person", help="The roster code of the person using it.")] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="The server address the laptop will use (put in the hint and QR).")
    ] = None,
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Register a device and print its one-time enrolment code (also as a QR code)."""
    import io

    import qrcode
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.protocol import DeviceRole
    from sync.server.devices import create_enrolment
    from sync.server.settings import ServerSettings

    lang = _lang(lang)
    if role not in ROLES:
        fail(t("cli.server.bad_role", lang, role=role, roles=", ".join(ROLES)))
    if not name.strip():
        fail(t("cli.server.no_name", lang))
    device_role = DeviceRole(ROLES[role])
    if device_role in (DeviceRole.INSPECTOR, DeviceRole.TEAM_LEADER) and not person:
        fail(t("cli.server.need_person", lang, role=role))
    settings = _settings(database_url)
    assert isinstance(settings, ServerSettings)
    engine = _engine(database_url)
    with Session(engine) as session:
        enrolment = create_enrolment(
            session, name=name.strip(), role=device_role, person_code=person, hours=settings.enroll_code_hours
        )
        session.commit()
    console.print(
        t(
            "server.enrol_code",
            lang,
            name=enrolment.name,
            role=role,
            code=enrolment.code,
            hours=settings.enroll_code_hours,
        )
    )
    server = url or f"http://{settings.host}:{settings.port}"
    console.print(t("server.enrol_hint", lang, url=server, code=enrolment.code))
    qr = qrcode.QRCode(border=1)
    qr.add_data(f"inspector-enrol:{server}#{enrolment.code}")
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    console.print(out.getvalue(), markup=False)


@server_app.command("devices")
def devices_command(database_url: DatabaseUrl = None, lang: LangOption = None) -> None:
    """List the devices with their role, state and last sync."""
    from rich.table import Table
    from sqlalchemy.orm import Session

    from sync.server.devices import list_devices

    language = _lang(lang)
    engine = _engine(database_url)
    table = Table(
        *(t(f"cli.server.col.{key}", language) for key in ("name", "role", "person", "state", "seq", "seen")), "id"
    )
    with Session(engine) as session:
        for d in list_devices(session):
            state = t(
                f"cli.server.state.{'revoked' if d.revoked else ('enrolled' if d.enrolled else 'code')}", language
            )
            seen = d.last_seen_at.strftime("%Y-%m-%d %H:%M") if d.last_seen_at else "-"
            table.add_row(d.name, d.role.value, d.person_code or "-", state, str(d.last_seq), seen, str(d.device_id))
    console.print(table)


@server_app.command("revoke")
def revoke_command(
    device: Annotated[str, typer.Argument(help="Device name or id.")],
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Revoke a device: its token stops working at once (its laptop keeps its unsynced records)."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.server.devices import find_device, revoke

    lang = _lang(lang)
    engine = _engine(database_url)
    with Session(engine) as session:
        row = find_device(session, device)
        if row is None:
            fail(t("server.no_device", lang, name=device))
        revoke(session, row["id"])
        session.commit()
    console.print(t("server.revoked", lang, name=row["name"]))


@server_app.command("new-epoch")
def new_epoch_command(database_url: DatabaseUrl = None, lang: LangOption = None) -> None:
    """After restoring the database from a backup: start a new epoch so every device re-sends what may be lost."""
    import sync.messages  # noqa: F401
    from sync.server.db import new_epoch

    engine = _engine(database_url)
    console.print(t("server.new_epoch", _lang(lang), epoch=new_epoch(engine)))


@server_app.command("audit-verify")
def audit_verify_command(database_url: DatabaseUrl = None, lang: LangOption = None) -> None:
    """Verify the server's hash-chained audit log and report the first broken entry."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.server.audit import verify_audit

    lang = _lang(lang)
    engine = _engine(database_url)
    with Session(engine) as session:
        report = verify_audit(session)
    if not report.ok:
        fail(t("server.audit_broken", lang, seq=report.broken_seq, reason=report.reason))
    console.print(t("server.audit_ok", lang, count=report.entries))


@server_app.command("import-bundle")
def import_bundle_command(
    file: Annotated[Path, typer.Argument(help="A bundle written by `inspector sync export`.")],
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Apply a bundle straight into the server's database (same rules as a push; importing twice changes nothing).

    With INSPECTOR_SERVER_ACCEPT_LEGACY_BUNDLES=false a bundle of a laptop with no registered signing key is refused."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.client.bundle import read_bundle
    from sync.errors import SyncProtocolError, message_for
    from sync.protocol import ChangeStatus
    from sync.server.bundles import apply_bundle

    lang = _lang(lang)
    settings = _settings(database_url)
    try:
        bundle = read_bundle(file)
    except InspectorError as exc:
        fail(exc.text(lang))
    engine = _engine(database_url)
    with Session(engine) as session:
        try:
            result = apply_bundle(session, bundle, accept_legacy=settings.accept_legacy_bundles)
        except SyncProtocolError as exc:
            known = message_for(exc.error.code, lang)  # the catalogue's text in the user's language
            fail(t("sync.failed", lang, reason=known if exc.message == exc.error.en else f"{known} ({exc.message})"))
        session.commit()
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
