from django.urls import path

from diseasemaps.members import views

app_name = "members"

urlpatterns = [
    path("me/", views.account, name="account"),
    path("me/profile/", views.profile, name="profile"),
    path("me/avatar/", views.avatar, name="avatar"),
    path("me/avatar/remove/", views.avatar_remove, name="avatar_remove"),
    path("me/conditions/", views.conditions, name="conditions"),
    path("me/conditions/<int:pk>/", views.condition_edit, name="condition_edit"),
    path("me/conditions/<int:pk>/remove/", views.condition_remove, name="condition_remove"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete_account, name="delete"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("<str:public_id>/", views.member_detail, name="detail"),
]
