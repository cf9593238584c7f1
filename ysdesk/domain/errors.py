"""Errors whose message is one plain Chinese sentence meant for the user."""

from __future__ import annotations


class UserError(Exception):
    """A refusal the user should read: bad file, bad argument, locked database, stale edit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadFileError(UserError):
    """A file that cannot be read: broken, foreign, hostile, or of the wrong kind."""


class DatabaseLockedError(UserError):
    """Another writer holds the database."""


class LockUnavailableError(DatabaseLockedError):
    """The writer lock cannot be created beside the database (a read-only folder or disk):
    nobody else writes, but the database can only be read from here."""


class DatabaseDamagedError(UserError):
    """The database file is damaged (or not a database at all): only a backup helps."""


class SchemaError(UserError):
    """The database is not a ysdesk database, or is from a newer version."""


class NotFoundError(UserError):
    """A project, unit or year that does not exist."""


class ValidationError(UserError):
    """A project that breaks a rule (no name, no lead unit, bad task number …)."""


class StaleEditError(UserError):
    """The record changed since it was loaded; carries the current version."""

    def __init__(self, message: str, *, project_id: int, expected: int, actual: int) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.expected = expected
        self.actual = actual
