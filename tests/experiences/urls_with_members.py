"""
The site's URLs plus a stand-in for the members' "my conditions" page, which the accounts feature
provides: the share page links to it when it exists.
"""

from django.http import HttpResponse
from django.urls import include, path

from diseasemaps.urls import urlpatterns as site_urlpatterns


def _conditions(request):
    return HttpResponse("My conditions")


urlpatterns = [
    path(
        "members/",
        include(([path("conditions/", _conditions, name="conditions")], "members")),
    ),
    *site_urlpatterns,
]
