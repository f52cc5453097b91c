from django.urls import path

from taicho.public import views

urlpatterns = [
    path("v/<str:code>", views.verify, name="verify"),
    path("tra-cuu/<str:code>", views.track, name="track"),
]
