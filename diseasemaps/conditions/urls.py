from django.urls import path

from diseasemaps.conditions import views

app_name = "conditions"

# A condition's own page composes questions, experiences and its community figure from the
# apps above this one: it is in pages.urls (pages:condition).
urlpatterns = [
    path("", views.condition_list, name="index"),
]
