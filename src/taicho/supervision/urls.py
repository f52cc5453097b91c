from django.urls import path

from taicho.supervision.views import dashboard, plans, registers, reports, review

app_name = "supervision"

urlpatterns = [
    *dashboard.urlpatterns,
    *review.urlpatterns,
    *plans.urlpatterns,
    *registers.urlpatterns,
    *reports.urlpatterns,
]

__all__ = ["path", "urlpatterns"]
