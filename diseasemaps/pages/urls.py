from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from diseasemaps.answers.urls import QUESTION
from diseasemaps.pages import views
from diseasemaps.pages.sitemaps import SITEMAPS

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("conditions/<slug:slug>/ask/", views.ask_question, name="ask-question"),
    path(QUESTION, views.question_detail, name="question"),
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
