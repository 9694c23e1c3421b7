from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .api import api
from .collection.review import review_queue

admin.site.site_header = _("hailong — administration")
admin.site.site_title = _("hailong administration")
admin.site.index_title = _("Satisfaction survey administration")

urlpatterns = [
    path("", include("hailong.qrcodes.urls")),  # /q/… and /quan-tri/ma-qr/, ahead of the admin
    path("", include("hailong.invitations.urls")),  # before the admin: /quan-tri/ma-moi/
    path("quan-tri/nhap-lieu/", include("hailong.entry.urls")),  # before the admin's catch-all
    path("can-bo/dot-khao-sat/", include("hailong.progress.urls")),  # …/<code>/tien-do/
    path("can-bo/bao-cao/", include("hailong.reports.urls")),  # report jobs, downloads
    path("can-bo/y-kien/", include("hailong.topics.urls")),  # comments read by staff
    path("", include("hailong.accounts.urls")),  # /dang-nhap/, /can-bo/; admin login goes there
    path("can-bo/dot-khao-sat/", include("hailong.campaigns.urls")),  # campaign screens
    path("", include("hailong.units.urls")),  # /can-bo/don-vi/, /can-bo/thu-tuc/
    path("can-bo/bang-dieu-khien/", include("hailong.dashboards.urls")),
    path("quan-tri/nhat-ky/", include("hailong.audit.urls")),  # before the admin's catch-all
    path("quan-tri/xet-duyet/", review_queue, name="review_queue"),  # before the admin
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("hailong.cases.urls")),  # /gop-y/…, /can-bo/phan-anh/…
    path("", include("hailong.collection.urls")),
    path("", include("hailong.kiosks.urls")),
    path("", include("hailong.opendata.urls")),
    path("", include("hailong.portal.urls")),
]

handler403 = "hailong.accounts.refusals.permission_denied"
