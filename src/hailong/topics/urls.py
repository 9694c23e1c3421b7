from django.urls import path

from . import views

app_name = "topics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.board, name="board"),
    path("<slug:code>/danh-sach/", views.comment_list, name="list"),
    path("<slug:code>/xuat.csv", views.export_csv, name="export_csv"),
    path("<slug:code>/xuat.xlsx", views.export_xlsx, name="export_xlsx"),
]
