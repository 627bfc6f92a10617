from django.urls import path

from diseasemaps.experiences import views

app_name = "experiences"

urlpatterns = [
    path("community-guidelines/", views.guidelines, name="guidelines"),
    path("experiences/mine/", views.mine, name="mine"),
    path("experiences/share/<slug:condition_slug>/", views.share, name="share-condition"),
    path(
        "experiences/share/<slug:condition_slug>/<slug:question_slug>/",
        views.share,
        name="share",
    ),
    path("experiences/<int:pk>/", views.detail, name="detail"),
    path("experiences/<int:pk>/edit/", views.edit, name="edit"),
    path("experiences/<int:pk>/delete/", views.delete, name="delete"),
    path("experiences/<int:pk>/helpful/", views.helpful, name="helpful"),
    path("experiences/<int:pk>/report/", views.report, name="report"),
    path("experiences/<int:pk>/reply/", views.reply, name="reply"),
    path("experiences/replies/<int:pk>/delete/", views.reply_delete, name="reply-delete"),
    path("experiences/replies/<int:pk>/report/", views.reply_report, name="reply-report"),
]
