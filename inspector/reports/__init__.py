"""Reports a supervisor prints or sends: the inspection report, the campaign summary and the commendation list.

Each report is first gathered into plain data (:mod:`inspector.reports.tables` rows, dataclasses), then written
as PDF (:mod:`inspector.reports.pdf`), XLSX or CSV (:mod:`inspector.reports.tables`).
"""
