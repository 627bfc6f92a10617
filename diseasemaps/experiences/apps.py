from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "diseasemaps.experiences"
    label = "experiences"
    verbose_name = "Experiences"
