from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "diseasemaps.members"
    label = "members"
    verbose_name = "Members"
