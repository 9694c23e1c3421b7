from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("xuat.csv", views.export, name="export"),
    path("kiem-tra/", views.verify, name="verify"),
]
