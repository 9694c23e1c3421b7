from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("can-bo/don-vi/", views.tree, name="tree"),
    path("can-bo/don-vi/hop-nhat/", views.merge, name="merge"),
    path("can-bo/don-vi/nhap-tep/", views.units_upload, name="upload"),
    path("can-bo/don-vi/<str:code>/", views.unit_detail, name="unit"),
    path("can-bo/don-vi/<str:code>/sua/", views.unit_edit, name="edit"),
    path("can-bo/don-vi/<str:code>/chia-tach/", views.split, name="split"),
    path("can-bo/don-vi/<str:code>/quay/", views.desk_add, name="desk_add"),
    path("can-bo/don-vi/<str:code>/quay/<int:pk>/", views.desk_change, name="desk"),
    path("can-bo/don-vi/<str:code>/ki-ot/", views.kiosk_add, name="kiosk_add"),
    path("can-bo/don-vi/<str:code>/ki-ot/<int:pk>/thu-hoi/", views.kiosk_stop, name="kiosk_stop"),
    path("can-bo/thu-tuc/", views.services, name="services"),
    path("can-bo/thu-tuc/nhap-tep/", views.services_upload, name="services_upload"),
]
