from django.urls import path

from diseasemaps.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="results"),
]
