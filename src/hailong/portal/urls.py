from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/", views.units, name="units"),
    path("ket-qua/", views.results, name="results"),
    path("ket-qua/<str:code>/", views.unit_result, name="unit_result"),
]
