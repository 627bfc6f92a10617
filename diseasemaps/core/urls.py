from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from diseasemaps.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says; send them to the real icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("img/favicon.ico"), permanent=True),
        name="favicon",
    ),
]
