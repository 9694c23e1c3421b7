from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("du-lieu-mo/", views.index, name="index"),
    path("du-lieu-mo/<slug:campaign>/tu-dien/", views.data_dictionary, name="dictionary"),
    path(
        "du-lieu-mo/<slug:campaign>/<slug:dataset>.<slug:extension>",
        views.download,
        name="download",
    ),
]
