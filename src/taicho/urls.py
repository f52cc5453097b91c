from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from taicho.api import register as register_api
from taicho.core import views as core_views

admin.site.site_header = _("Quản trị hệ thống “5 tại chỗ”")
admin.site.site_title = _("Quản trị taicho")
admin.site.index_title = _("Quản trị")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("ho-so/", include("taicho.dossiers.urls")),
    path("giam-sat/", include("taicho.supervision.urls")),
    path("api/", register_api().urls),
    path("", include("taicho.public.urls")),
]

if settings.TAICHO_LOCAL_MEDIA:
    # Embedded mode keeps uploads (seal and signature images) on local disk; only signed-in staff may read them.
    urlpatterns.append(path("media/<path:path>", core_views.media, name="media"))
