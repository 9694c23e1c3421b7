from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("<slug:code>/tien-do/", views.board, name="board"),
    path("<slug:code>/tien-do/bang/", views.body, name="body"),
    path("<slug:code>/tien-do.xlsx", views.export, name="export"),
]
