"""Typed, user-facing errors of the domain core. Each has a stable code and a message that names what is wrong."""

from __future__ import annotations


class InspectorError(Exception):
    """Base of every error the user is meant to read (never shown as a traceback)."""

    def __init__(self, code: str, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        #: The same message in Chinese, where the raiser gave one.
        self.message_zh = message_zh

    def text(self, lang: str) -> str:
        """The message in ``lang`` (zh or en), falling back to English."""
        return (self.message_zh or self.message) if lang == "zh" else self.message

    def __str__(self) -> str:
        return self.message


class StoreError(InspectorError):
    """The database file cannot be opened, migrated or written."""


class NotFoundError(InspectorError):
    """A campaign, team, checkpoint, … named by the user does not exist."""


class RuleViolation(InspectorError):
    """An operation the domain refuses: editing a signed inspection, closing a major hazard without a plan, …"""
