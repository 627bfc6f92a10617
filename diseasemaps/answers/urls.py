from django.urls import path

from diseasemaps.answers import views

app_name = "answers"

urlpatterns = [
    path("<slug:condition_slug>/questions/<slug:slug>/", views.question_detail, name="question"),
]
