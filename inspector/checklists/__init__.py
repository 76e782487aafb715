"""Checklist templates: reading them from files (TOML/YAML, spreadsheets, XLSForm) and storing versions.

``read_checklist(path)`` reads any supported file into a :class:`ReadResult` (a valid :class:`ChecklistSpec` or
located, bilingual :class:`Problem` entries); ``repository.store_checklist`` stores a spec as a template version.
The formats are documented in ``docs/checklist-files.md``.
"""

from inspector.checklists.meta import ChecklistMeta
from inspector.checklists.reader import read_checklist
from inspector.checklists.spec import ChecklistSpec, ItemSpec, Problem, ReadResult, SectionSpec

__all__ = ["ChecklistMeta", "ChecklistSpec", "ItemSpec", "Problem", "ReadResult", "SectionSpec", "read_checklist"]
