from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("moi/", views.campaign_new, name="new"),
    path("<slug:code>/", views.campaign_detail, name="detail"),
    path("<slug:code>/cai-dat/", views.campaign_settings, name="settings"),
    path("<slug:code>/pham-vi/", views.campaign_scope, name="scope"),
    path("<slug:code>/buoc/", views.campaign_step, name="step"),
    path("<slug:code>/tinh-ket-qua/", views.campaign_compute_view, name="compute"),
    path("<slug:code>/ke-hoach/", views.plan, name="plan"),
    path("<slug:code>/ke-hoach/luu/", views.plan_save_view, name="plan_save"),
    path("<slug:code>/ke-hoach/theo-loai/", views.plan_kinds, name="plan_kinds"),
    path("<slug:code>/ke-hoach/tai-len/", views.plan_upload, name="plan_upload"),
    path("<slug:code>/ke-hoach/tai-len/ghi/", views.plan_upload_commit, name="plan_upload_commit"),
]
