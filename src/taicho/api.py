"""The JSON API (django-ninja): OpenAPI 3 at /api/docs. Each app adds its router in `register()`."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="taicho API",
    version="1",
    description="API của hệ thống “5 tại chỗ”: mọi bước xử lý hồ sơ, cùng dịch vụ với giao diện cán bộ.",
    urls_namespace="api",
)


def register() -> NinjaAPI:
    from taicho.dossiers.api import router as dossiers_router

    api.add_router("/", dossiers_router)
    return api
