from django.urls import path

from diseasemaps.community import views

app_name = "community"

QUESTION = "<slug:condition_slug>/<slug:slug>/"

urlpatterns = [
    path("follow/<slug:condition_slug>/", views.follow_condition, name="follow-condition"),
    path(
        "unfollow/<slug:condition_slug>/",
        views.follow_condition,
        {"on": False},
        name="unfollow-condition",
    ),
    path(f"follow/{QUESTION}", views.follow_question, name="follow-question"),
    path(f"unfollow/{QUESTION}", views.follow_question, {"on": False}, name="unfollow-question"),
    path("following/", views.following, name="following"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="mark-all-read"),
    path("notifications/<int:pk>/", views.open_notification, name="open"),
    path("email/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
