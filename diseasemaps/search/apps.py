from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "diseasemaps.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The apps below announce changes to their public text; the index listens, so that
        # they need not know it exists.
        from diseasemaps.answers.signals import question_text_changed
        from diseasemaps.conditions.signals import condition_text_changed
        from diseasemaps.search import services

        question_text_changed.connect(
            services.reindex_question_on_change, dispatch_uid="search.reindex_question"
        )
        condition_text_changed.connect(
            services.reindex_condition_on_change, dispatch_uid="search.reindex_condition"
        )
