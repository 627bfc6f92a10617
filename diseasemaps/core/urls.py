from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from diseasemaps.core import views
from diseasemaps.core.sitemaps import SITEMAPS

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("contact/", views.contact, name="contact"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Browsers ask for /favicon.ico whatever the page says (the admin's pages name no icon);
    # send them to the real icon, named by the static storage in use at request time.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=True),
        name="favicon",
    ),
]
