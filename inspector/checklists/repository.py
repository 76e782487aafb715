"""Storing checklist specs as immutable template versions."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from inspector.checklists.spec import ChecklistSpec
from inspector.models import ChecklistTemplate, TemplateItem, TemplateSection, TemplateVersion, stable_id


def latest_version(session: Session, template_code: str) -> TemplateVersion | None:
    """The newest version of the template with ``template_code``."""
    return session.exec(
        select(TemplateVersion)
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(ChecklistTemplate.code == template_code)
        .order_by(col(TemplateVersion.version).desc())
    ).first()


def store_checklist(
    session: Session, *, spec: ChecklistSpec, source: str, id_namespace: str | None = None
) -> tuple[TemplateVersion, bool]:
    """Store ``spec`` as a new version of its template; returns (version, created).

    Importing content identical to the newest version stores nothing and returns that version. Earlier versions
    are never edited: every inspection keeps the version it was scored with. With ``id_namespace`` (seed data such
    as the demo group) the new rows get ids derived from it, the codes and the content hash, so the same content
    stored on two laptops gets the same ids.
    """

    def new_id(*parts: object) -> uuid.UUID:
        return stable_id(id_namespace, *parts) if id_namespace is not None else uuid.uuid4()

    template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == spec.code)).first()
    if template is None:
        template = ChecklistTemplate(
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            category=spec.category,
            id=new_id("template", spec.code),
        )
        session.add(template)
        session.flush()
    content_hash = spec.content_hash()
    newest = latest_version(session, spec.code)
    if newest is not None and newest.content_hash == content_hash:
        return newest, False
    template.name_zh, template.name_en, template.category = spec.name_zh, spec.name_en, spec.category
    number = (newest.version + 1) if newest else 1
    version = TemplateVersion(
        id=new_id("version", spec.code, number, content_hash),
        template_id=template.id,
        version=number,
        source=source[-500:],
        content_hash=content_hash,
        grade_bands=[[threshold, grade] for threshold, grade in spec.grade_bands],
        rule_version=spec.rule_version,
    )
    session.add(version)
    # Parents are flushed before their children: the tables declare no ORM relationships to order the inserts,
    # and SQLite's deferred foreign keys only hold inside a transaction the driver has already begun.
    session.flush()
    position = 0
    for s_index, section_spec in enumerate(spec.sections):
        section = TemplateSection(
            id=new_id("section", version.id, section_spec.code),
            version_id=version.id,
            code=section_spec.code,
            position=s_index,
            title_zh=section_spec.title_zh,
            title_en=section_spec.title_en,
            weight=section_spec.weight,
        )
        session.add(section)
        session.flush()
        for item_spec in section_spec.items:
            session.add(
                TemplateItem(
                    id=new_id("item", version.id, item_spec.code),
                    version_id=version.id,
                    section_id=section.id,
                    position=position,
                    **item_spec.model_dump(exclude={"kind"}),
                    kind=item_spec.kind.value,
                )
            )
            position += 1
    session.flush()
    return version, True


def version_items(session: Session, version_id: object) -> list[TemplateItem]:
    """The items of a version in checklist order."""
    return list(
        session.exec(
            select(TemplateItem).where(TemplateItem.version_id == version_id).order_by(col(TemplateItem.position))
        )
    )


def version_sections(session: Session, version_id: object) -> list[TemplateSection]:
    """The sections of a version in order."""
    return list(
        session.exec(
            select(TemplateSection)
            .where(TemplateSection.version_id == version_id)
            .order_by(col(TemplateSection.position))
        )
    )
