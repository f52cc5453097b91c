"""Who may see supervision pages, and which agencies they see (design.md rule 6: authorization at the query)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from taicho.org.models import Agency, Role

# The center's director, inspectors and administrators see the whole province; an agency's leader sees (and
# proposes for) the agency.
SUPERVISORS = {Role.CENTER_DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR}


def is_supervisor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or bool(user.role_set & SUPERVISORS)
    )


def can_supervise(user: Any) -> bool:
    """Supervisors, and an agency's leaders for their own agency."""
    return is_supervisor(user) or (
        bool(getattr(user, "is_authenticated", False)) and Role.APPROVER in user.role_set and user.agency_id
    )


def agencies_for(user: Any) -> QuerySet[Agency]:
    """The agencies whose figures the user may see: all for supervisors; the own agency and its subordinates'
    for an agency leader; none otherwise."""
    if is_supervisor(user):
        return Agency.objects.all()
    if can_supervise(user):
        return Agency.objects.filter(pk__in=_subtree(user.agency_id))
    return Agency.objects.none()


def _subtree(root_id: int) -> list[int]:
    ids, frontier = [root_id], [root_id]
    while frontier:
        frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def supervision_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and allowed to supervise, else 403 (the message is shown by the 403 page)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_supervise(request.user):
            raise PermissionDenied("Tài khoản không có quyền xem số liệu giám sát.")
        return view(request, *args, **kwargs)

    return wrapped


def supervisor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_supervisor(request.user):
            raise PermissionDenied("Chỉ lãnh đạo Trung tâm, thanh tra và quản trị được thực hiện.")
        return view(request, *args, **kwargs)

    return wrapped
