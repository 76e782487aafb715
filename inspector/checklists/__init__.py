"""Checklist templates: reading them from files (TOML/YAML, spreadsheets, XLSForm) and storing versions."""

from inspector.checklists.spec import ChecklistSpec, ItemSpec, Problem, ReadResult, SectionSpec

__all__ = ["ChecklistSpec", "ItemSpec", "Problem", "ReadResult", "SectionSpec"]
