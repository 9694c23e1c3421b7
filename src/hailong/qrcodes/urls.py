"""Public links (/q/…) and the staff printing screens (/quan-tri/ma-qr/…).

Included ahead of the admin, whose catch-all would otherwise answer /quan-tri/ma-qr/.
"""

from django.urls import path, register_converter

from . import staff, views


class TokenConverter:
    regex = r"[^/.]+"  # anything else a scanner produces reaches link_read and its message

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

app_name = "qrcodes"
urlpatterns = [
    path("q/<token:token>", views.link_open, name="open"),
    path("Q/<token:token>", views.link_open, name="open_capitals"),  # typed with caps lock
    path("q/<token:token>.svg", views.link_image, {"kind": "svg"}, name="svg"),
    path("q/<token:token>.png", views.link_image, {"kind": "png"}, name="png"),
    path("quan-tri/ma-qr/", staff.units, name="units"),
    path("quan-tri/ma-qr/in/ap-phich.pdf", staff.posters_many, name="posters"),
    path("quan-tri/ma-qr/in/phieu.pdf", staff.slips_many, name="slips_many"),
    path("quan-tri/ma-qr/<str:code>/", staff.unit, name="unit"),
    path("quan-tri/ma-qr/<str:code>/ap-phich.pdf", staff.poster, name="poster"),
    path("quan-tri/ma-qr/<str:code>/phieu.pdf", staff.slips, name="slips"),
]
