"""Storing checklist specs as immutable template versions."""

from __future__ import annotations

from sqlmodel import Session, col, select

from inspector.checklists.spec import ChecklistSpec
from inspector.models import ChecklistTemplate, TemplateItem, TemplateSection, TemplateVersion


def latest_version(session: Session, template_code: str) -> TemplateVersion | None:
    """The newest version of the template with ``template_code``."""
    return session.exec(
        select(TemplateVersion)
        .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
        .where(ChecklistTemplate.code == template_code)
        .order_by(col(TemplateVersion.version).desc())
    ).first()


def store_checklist(session: Session, *, spec: ChecklistSpec, source: str) -> tuple[TemplateVersion, bool]:
    """Store ``spec`` as a new version of its template; returns (version, created).

    Importing content identical to the newest version stores nothing and returns that version. Earlier versions
    are never edited: every inspection keeps the version it was scored with.
    """
    template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == spec.code)).first()
    if template is None:
        template = ChecklistTemplate(code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en, category=spec.category)
        session.add(template)
        session.flush()
    content_hash = spec.content_hash()
    newest = latest_version(session, spec.code)
    if newest is not None and newest.content_hash == content_hash:
        return newest, False
    template.name_zh, template.name_en, template.category = spec.name_zh, spec.name_en, spec.category
    version = TemplateVersion(
        template_id=template.id,
        version=(newest.version + 1) if newest else 1,
        source=source[-500:],
        content_hash=content_hash,
        grade_bands=[[threshold, grade] for threshold, grade in spec.grade_bands],
        rule_version=spec.rule_version,
    )
    session.add(version)
    position = 0
    for s_index, section_spec in enumerate(spec.sections):
        section = TemplateSection(
            version_id=version.id,
            code=section_spec.code,
            position=s_index,
            title_zh=section_spec.title_zh,
            title_en=section_spec.title_en,
            weight=section_spec.weight,
        )
        session.add(section)
        for item_spec in section_spec.items:
            session.add(
                TemplateItem(
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
