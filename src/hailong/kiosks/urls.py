from django.urls import path

from . import views

app_name = "kiosks"
urlpatterns = [
    path("kiosk/", views.kiosk_page, name="page"),
    path("kiosk/sw.js", views.service_worker, name="service_worker"),
    path("kiosk/manifest.webmanifest", views.manifest, name="manifest"),
    path("kiosk/dang-ky/<str:code>/", views.register, name="register"),
]
