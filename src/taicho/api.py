"""The JSON API (django-ninja): OpenAPI 3 at /api/docs. Each app adds its router in `register()`.

Every endpoint needs a signed-in session (with Django's CSRF check on unsafe methods, as ninja does for cookie
auth) or a bearer token (`Authorization: Bearer tc_…`, see `org.services.issue_api_token`). Every error answers
in one format, `{"error": {"code": …, "message": <Vietnamese>, "details": […]}}`, with the HTTP status of its
kind: 401 not signed in, 403 not allowed, 404 not found or not visible, 409 conflict (someone else acted first or
the state forbids the step), 422 invalid input or refused by a rule of the domain.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from taicho.core.errors import Conflict, DomainError, NotAllowed


class StaffToken(HttpBearer):
    """`Authorization: Bearer tc_…`: the active staff account that owns the (unrevoked) token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from taicho.org.services import staff_for_token

        return staff_for_token(token)


# The bearer token is tried first: a client that sends a token is not subject to the session's CSRF check even
# when its cookie jar also holds a session cookie.
api = NinjaAPI(
    title="taicho API",
    version="1",
    description="API của hệ thống “5 tại chỗ”: mọi bước xử lý hồ sơ, cùng dịch vụ với giao diện cán bộ.",
    urls_namespace="api",
    auth=[StaffToken(), django_auth],
)


def error(
    request: HttpRequest, status: int, code: str, message: str, details: list[Any] | None = None
) -> HttpResponse:
    """The one error format of the API."""
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(exc, Conflict) else 422
    code = exc.code
    if code == "domain_error":  # the default: name the kind instead
        code = {403: "not_allowed", 409: "conflict"}.get(status, code)
    return error(request, status, code, exc.message)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error(request, 422, "invalid", " ".join(exc.messages), list(exc.messages))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Same answer for "does not exist" and "exists in another agency": codes are not to be probed.
    return error(request, 404, "not_found", _("Không tìm thấy, hoặc bạn không có quyền xem."))


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    return error(request, 422, "invalid_request", _("Dữ liệu gửi lên không hợp lệ"), details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, "unauthenticated", _("Chưa đăng nhập hoặc khóa truy cập không hợp lệ"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in exc.message:
        return error(
            request,
            403,
            "csrf_failed",
            _("Thiếu hoặc sai mã chống giả mạo (CSRF); hãy tải lại trang và thử lại."),
        )
    if exc.status_code == 400:
        return error(request, 400, "bad_request", _("Không đọc được nội dung yêu cầu (JSON không hợp lệ)."))
    return error(request, exc.status_code, "http_error", exc.message)


_registered = False


def register() -> NinjaAPI:
    """Attach the routers once (urls.py may be imported again, e.g. by tests overriding ROOT_URLCONF)."""
    global _registered
    if not _registered:
        from taicho.dossiers.api import router as dossiers_router

        api.add_router("/", dossiers_router)
        _registered = True
    return api
