"""``inspector server``: run the central sync server and manage its devices."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inspector.cli.common import console, fail
from inspector.config import load_settings
from inspector.errors import InspectorError
from inspector.i18n import locale_lang, normalise_lang, t

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


def _lang() -> str:
    return normalise_lang(load_settings().lang) or locale_lang()


def _settings(database_url: str | None, **overrides: object) -> ServerSettings:
    from sync.server.settings import ServerSettings

    settings = ServerSettings()
    updates = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        updates["database_url"] = database_url
    return settings.model_copy(update=updates)


def _engine(database_url: str | None) -> Engine:
    import sqlalchemy as sa

    from sync.server.db import make_engine, migrate
    from sync.server.settings import ServerSettings

    settings = _settings(database_url)
    assert isinstance(settings, ServerSettings)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
    except sa.exc.OperationalError as exc:
        fail(
            f"Cannot reach the database {engine.url.render_as_string(hide_password=True)}: {str(exc.orig).strip().splitlines()[0]}"
        )
    except sa.exc.ArgumentError as exc:
        fail(f"--database-url: {exc}")
    return engine


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
) -> None:
    """Run the sync server under uvicorn (migrating its database first)."""
    if ctx.invoked_subcommand is not None:
        return
    import sync.messages  # noqa: F401

    lang = _lang()
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
) -> None:
    """Register a device and print its one-time enrolment code (also as a QR code)."""
    import io

    import qrcode
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.protocol import DeviceRole
    from sync.server.devices import create_enrolment
    from sync.server.settings import ServerSettings

    lang = _lang()
    if role not in ROLES:
        fail(f"--role {role}: use one of {', '.join(ROLES)}")
    if not name.strip():
        fail("--name: give the device a name")
    device_role = DeviceRole(ROLES[role])
    if device_role in (DeviceRole.INSPECTOR, DeviceRole.TEAM_LEADER) and not person:
        fail(f"--person: an {role} device needs the roster code of its person")
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
def devices_command(database_url: DatabaseUrl = None) -> None:
    """List the devices with their role, state and last sync."""
    from rich.table import Table
    from sqlalchemy.orm import Session

    from sync.server.devices import list_devices

    engine = _engine(database_url)
    table = Table("name", "role", "person", "state", "last seq", "last seen", "id")
    with Session(engine) as session:
        for d in list_devices(session):
            state = "revoked" if d.revoked else ("enrolled" if d.enrolled else "code issued")
            seen = d.last_seen_at.strftime("%Y-%m-%d %H:%M") if d.last_seen_at else "-"
            table.add_row(d.name, d.role.value, d.person_code or "-", state, str(d.last_seq), seen, str(d.device_id))
    console.print(table)


@server_app.command("revoke")
def revoke_command(
    device: Annotated[str, typer.Argument(help="Device name or id.")], database_url: DatabaseUrl = None
) -> None:
    """Revoke a device: its token stops working at once (its laptop keeps its unsynced records)."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.server.devices import find_device, revoke

    lang = _lang()
    engine = _engine(database_url)
    with Session(engine) as session:
        row = find_device(session, device)
        if row is None:
            fail(t("server.no_device", lang, name=device))
        revoke(session, row["id"])
        session.commit()
    console.print(t("server.revoked", lang, name=row["name"]))


@server_app.command("new-epoch")
def new_epoch_command(database_url: DatabaseUrl = None) -> None:
    """After restoring the database from a backup: start a new epoch so every device re-sends what may be lost."""
    import sync.messages  # noqa: F401
    from sync.server.db import new_epoch

    engine = _engine(database_url)
    console.print(t("server.new_epoch", _lang(), epoch=new_epoch(engine)))


@server_app.command("audit-verify")
def audit_verify_command(database_url: DatabaseUrl = None) -> None:
    """Verify the server's hash-chained audit log and report the first broken entry."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.server.audit import verify_audit

    lang = _lang()
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
) -> None:
    """Apply a bundle straight into the server's database (same rules as a push; importing twice changes nothing)."""
    from sqlalchemy.orm import Session

    import sync.messages  # noqa: F401
    from sync.client.bundle import read_bundle
    from sync.errors import SyncProtocolError, message_for
    from sync.protocol import ChangeStatus
    from sync.server.bundles import apply_bundle

    lang = _lang()
    try:
        bundle = read_bundle(file)
    except InspectorError as exc:
        fail(exc.text(lang))
    engine = _engine(database_url)
    with Session(engine) as session:
        try:
            result = apply_bundle(session, bundle)
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
