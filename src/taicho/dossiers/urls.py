from django.urls import path

from taicho.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("", views.workspace, name="workspace"),
]
