"""Staff workspace pages (filled in by the workspace work)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    return redirect("home")
