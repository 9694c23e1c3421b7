from django.urls import path

from . import views

app_name = "collection"
urlpatterns = [
    path("khao-sat/", views.survey_start, name="start"),
    path("khao-sat/phieu/", views.survey_form, name="form"),
    path("cam-on/<str:receipt>/", views.thanks, name="thanks"),
    path("bien-nhan/", views.receipt_check, name="receipt"),
]
