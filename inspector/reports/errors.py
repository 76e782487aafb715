"""Errors of the labels, receipts and reports, worded in both languages.

The message (``str(error)``, logs, tests) is English; :meth:`ReportError.localized` gives the reader's language, as
the command line and the screens show it.
"""

from __future__ import annotations

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.errors import InspectorError, NotFoundError
from inspector.i18n import t


class ReportError(InspectorError):
    """A report, label or export that cannot be made as asked; ``key`` names its text in the catalogue."""

    def __init__(self, code: str, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(code, t(key, "en", **values))

    def localized(self, lang: str) -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.values)


class ReportNotFound(ReportError, NotFoundError):
    """A campaign, inspection, unit or workshop named by the user does not exist."""


def localized(error: InspectorError, lang: str) -> str:
    """``error``'s message in ``lang`` when it has one in both languages, else its message."""
    return error.localized(lang) if isinstance(error, ReportError) else error.message
