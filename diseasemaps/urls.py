from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from diseasemaps.members import views as members_views

# The admin logs in through allauth (rate limits, second factor), never its own form.
admin.site.login = secure_admin_login(admin.site.login)

# A database or cache fault raised outside a view still ends in the 503 page, not a 500.
handler500 = "diseasemaps.core.unavailable.server_error"

urlpatterns = [
    path("", include("diseasemaps.pages.urls")),
    path("conditions/", include("diseasemaps.conditions.urls")),
    path("", include("diseasemaps.answers.urls")),
    path("", include("diseasemaps.experiences.urls")),
    path("", include("diseasemaps.search.urls")),
    path("community/", include("diseasemaps.community.urls")),
    # Ours first: a pseudonym lost to a racing sign-up is a form error (members/views.py).
    path("accounts/signup/", members_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("diseasemaps.members.urls")),
    path("admin/", admin.site.urls),
]
# Uploads on local disk are served by the app itself, before this list (core/media.py).
