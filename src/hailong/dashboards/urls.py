from django.urls import path, re_path

from . import views

app_name = "dashboards"
FILE = r"tai/(?P<key>[a-z-]+)\.(?P<fmt>csv|xlsx)$"
urlpatterns = [
    path("", views.chooser, name="chooser"),
    path("<slug:code>/", views.campaign_overview, name="overview"),
    re_path(rf"^(?P<code>[-\w]+)/{FILE}", views.overview_download, name="overview_download"),
    path("<slug:code>/don-vi/<str:unit>/", views.unit_scorecard, name="unit"),
    re_path(
        rf"^(?P<code>[-\w]+)/don-vi/(?P<unit>[^/]+)/{FILE}",
        views.unit_download,
        name="unit_download",
    ),
    path("<slug:code>/phan-tich/<slug:dimension>/", views.drill_down, name="drill"),
    re_path(
        rf"^(?P<code>[-\w]+)/phan-tich/(?P<dimension>[-\w]+)/{FILE}",
        views.drill_download,
        name="drill_download",
    ),
]
