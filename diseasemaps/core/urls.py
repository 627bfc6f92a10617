from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from diseasemaps.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says (the admin's pages name no icon);
    # send them to the real icon, named by the static storage in use at request time.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=True),
        name="favicon",
    ),
]
