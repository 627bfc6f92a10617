from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "diseasemaps.pages"
    label = "pages"
    verbose_name = "Site pages"

    def ready(self) -> None:
        from diseasemaps.pages import invalidation

        invalidation.connect()
