from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from taicho.supervision.access import can_supervise


def nav(request: HttpRequest) -> dict[str, Any]:
    """Whether the top bar shows the supervision link."""
    return {"can_supervise": can_supervise(getattr(request, "user", None))}
