from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "diseasemaps.answers"
    label = "answers"
    verbose_name = "Answers"
