"""One hierarchy of application errors with stable codes (SPEC §6: errors are JSON with a message).

Services raise Django's ``ValidationError`` for bad input (field by field) and these for
everything else; the DRF exception handler and the page helper turn both into answers.
"""

from __future__ import annotations


class ApplicationError(Exception):
    code = "application_error"
    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status_code = 403


class Conflict(ApplicationError):
    """The object is in a state that forbids the change (approved statements never change)."""

    code = "conflict"
    status_code = 409


class NotFound(ApplicationError):
    """Missing, or not the caller's to see: the same answer either way."""

    code = "not_found"
    status_code = 404
