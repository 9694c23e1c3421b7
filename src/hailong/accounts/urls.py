from django.urls import path

from .views import enrol, home, password, signin, users

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", signin.sign_in, name="signin"),
    path("dang-nhap/xac-thuc/", signin.second_step, name="second_step"),
    path("dang-xuat/", signin.sign_out, name="signout"),
    path("can-bo/", home.home, name="home"),
    path("can-bo/xac-thuc-hai-buoc/", enrol.enrol, name="totp"),
    path("can-bo/mat-khau/", password.password_change, name="password"),
    path("can-bo/nguoi-dung/", users.users, name="users"),
    path("can-bo/nguoi-dung/moi/", users.user_new, name="user_new"),
    path("can-bo/nguoi-dung/<int:pk>/", users.user_detail, name="user"),
    path(
        "can-bo/nguoi-dung/<int:pk>/vai-tro/<int:assignment>/bo/",
        users.role_delete,
        name="role_delete",
    ),
    path("can-bo/nguoi-dung/<int:pk>/<slug:action>/", users.user_action, name="user_action"),
]
