"""Domain errors: raised by services, turned by the edge (page, API, command) into a message for a person."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action. ``message`` is Vietnamese, for the person who acted."""

    def __init__(self, message: str, *, code: str = "domain_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(DomainError):
    """The person may not take this action (role, agency, delegation)."""


class Conflict(DomainError):
    """Someone else changed the object first, or it is not in a state that allows the action."""
