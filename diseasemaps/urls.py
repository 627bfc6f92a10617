from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "DiseaseMaps administration"
admin.site.site_title = "DiseaseMaps admin"

urlpatterns = [
    path("", include("diseasemaps.core.urls")),
    path("conditions/", include("diseasemaps.conditions.urls")),
    path("", include("diseasemaps.answers.urls")),
    path("", include("diseasemaps.experiences.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
