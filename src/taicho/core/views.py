from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from taicho.catalog.selectors import catalog_summary
from taicho.core.calendar import calendar_for


@login_required
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files in embedded (filesystem) mode, for signed-in staff only."""
    from django.conf import settings
    from django.views.static import serve

    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cal = calendar_for(request.user.center)  # type: ignore[union-attr]
    roles = [r.get_role_display() for r in request.user.roles.all()]  # type: ignore[union-attr]
    return render(
        request,
        "home.html",
        {
            **catalog_summary(),
            "roles": roles,
            "today_reason": f"{today:%d/%m/%Y}: {cal.day_kind_reason(today)}",
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
