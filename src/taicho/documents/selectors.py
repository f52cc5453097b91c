"""Reads of issued documents."""

from __future__ import annotations

from taicho.documents.models import DocumentStatus, IssuedDocument


def public_document(code: str) -> IssuedDocument | None:
    """A released document by its verification code — the only lookup the public may make."""
    if not code or len(code) > 32:
        return None
    return (
        IssuedDocument.objects.select_related("agency", "procedure")
        .filter(verification_code=code, status=DocumentStatus.RELEASED)
        .first()
    )
