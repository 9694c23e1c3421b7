from django.urls import path

from . import staff, views

app_name = "cases"
urlpatterns = [
    path("gop-y/", views.submit, name="submit"),
    path("gop-y/tra-cuu/", views.track, name="track"),
    path("gop-y/cong-khai/", views.published, name="published"),
    path("can-bo/phan-anh/", staff.case_list, name="staff_list"),
    path("can-bo/phan-anh/ngay-nghi/", staff.holidays, name="holidays"),
    path("can-bo/phan-anh/<int:pk>/", staff.case_page, name="staff_case"),
]
