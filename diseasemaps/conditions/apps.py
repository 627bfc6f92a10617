from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "diseasemaps.conditions"
    label = "conditions"
    verbose_name = "Conditions"
