from django.urls import path

from diseasemaps.conditions import views

app_name = "conditions"

urlpatterns = [
    path("", views.condition_list, name="index"),
    path("<slug:slug>/", views.condition_detail, name="detail"),
]
