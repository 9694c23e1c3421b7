from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.reports, name="index"),
    path("viec/", views.jobs, name="jobs"),
    path("viec/<int:pk>/tai-ve/", views.download, name="download"),
]
