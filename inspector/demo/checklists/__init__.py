"""The demo group's checklists, kept as TOML files beside this module and stored as template versions."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, SQLModel, col, select

from inspector.checklists.repository import store_checklist, version_items, version_sections
from inspector.checklists.spec import ChecklistSpec
from inspector.checklists.text_format import read_text_checklist
from inspector.demo.campaigns import ANNOUNCED_ON, QUALITY_CHECKLIST, SAFETY_CHECKLIST, SIX_S_CHECKLIST
from inspector.demo.records import DEMO_NAMESPACE, local_time, stamp
from inspector.errors import InspectorError
from inspector.models import ChecklistTemplate, TemplateVersion

FOLDER = Path(__file__).parent
#: Template code → file name.
FILES = {SAFETY_CHECKLIST: "safety.toml", SIX_S_CHECKLIST: "six_s.toml", QUALITY_CHECKLIST: "team_quality.toml"}


def read_demo_checklist(code: str) -> ChecklistSpec:
    """The spec of a demo checklist, read from its file (a broken file is a packaging error, reported clearly)."""
    path = FOLDER / FILES[code]
    result = read_text_checklist(path, path.read_bytes())
    if result.spec is None or not result.ok:
        problems = "; ".join(str(p) for p in result.errors[:3])
        raise InspectorError("E_DEMO_CHECKLIST", f"The demo checklist {path.name} cannot be read: {problems}")
    return result.spec


def _version_with_content(session: Session, code: str, content_hash: str) -> TemplateVersion | None:
    return session.exec(
        select(TemplateVersion)
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(ChecklistTemplate.code == code, TemplateVersion.content_hash == content_hash)
        .order_by(col(TemplateVersion.version))
    ).first()


def store_demo_checklists(session: Session) -> tuple[dict[str, TemplateVersion], set[str]]:
    """Store each demo checklist unless a version with the same content exists; returns (versions by template
    code, the codes of the checklists stored now)."""
    versions: dict[str, TemplateVersion] = {}
    stored: set[str] = set()
    at = local_time(ANNOUNCED_ON, 9)
    for code, file_name in FILES.items():
        spec = read_demo_checklist(code)
        existing = _version_with_content(session, code, spec.content_hash())
        if existing is not None:
            versions[code] = existing
            continue
        version, _created = store_checklist(
            session, spec=spec, source=f"inspector/demo/checklists/{file_name}", id_namespace=DEMO_NAMESPACE
        )
        records: list[SQLModel] = [version, *version_sections(session, version.id), *version_items(session, version.id)]
        template = session.get(ChecklistTemplate, version.template_id)
        if template is not None and version.version == 1:
            records.append(template)
        for record in records:
            stamp(record, at)
        version.imported_at = at
        versions[code] = version
        stored.add(code)
    return versions, stored
