from django.urls import path

from . import views

app_name = "invitations"
urlpatterns = [
    path("m/<str:code>", views.invitation_open, name="open"),
    path("quan-tri/ma-moi/", views.codes_list, name="list"),
    path("quan-tri/ma-moi/tai-len/", views.codes_upload, name="upload"),
    path("quan-tri/ma-moi/tao/", views.codes_create, name="create"),
    path("quan-tri/ma-moi/ma-moi.csv", views.codes_csv, name="csv"),
    path("quan-tri/ma-moi/phieu/", views.codes_slips, name="slips"),
    path("quan-tri/ma-moi/mau.csv", views.template_csv, name="template"),
]
