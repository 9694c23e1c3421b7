from django.urls import path

from . import views

app_name = "entry"
urlpatterns = [
    path("", views.index, name="index"),
    path("lo/moi/", views.batch_new, name="batch_new"),
    path("lo/<int:pk>/", views.batch_detail, name="batch"),
    path("lo/<int:pk>/nhap/", views.sheet_entry, name="sheet"),
    path("lo/<int:pk>/sai-khac/", views.mismatches, name="mismatches"),
    path("lo/<int:pk>/sai-khac/<int:number>/", views.mismatch_resolve, name="resolve"),
    path("lo/<int:pk>/dong/", views.batch_close_view, name="batch_close"),
    path("tep/", views.upload, name="upload"),
    path("tep/ghi/", views.upload_commit_view, name="upload_commit"),
    path("tep/mau/<slug:code>.<str:ext>", views.template_download, name="template"),
]
