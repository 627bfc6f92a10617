from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "diseasemaps.answers"
    label = "answers"
    verbose_name = "Answers"

    def ready(self) -> None:
        register_personal_data()


def register_personal_data() -> None:
    """
    How export and erasure treat the rows of this app that point at a user: staff's, but for
    the questions members suggest, which are theirs and go with their account.
    """
    from diseasemaps.answers.models import (
        AnswerFeedback,
        AnswerRevision,
        QuestionSuggestion,
        RevisionEvent,
    )
    from diseasemaps.answers.services.suggestions import erase_suggestions
    from diseasemaps.members.registry import STAFF_ONLY, OnErase, register

    register(AnswerRevision, user_field="author", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
    register(AnswerRevision, user_field="reviewer", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
    register(RevisionEvent, user_field="actor", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
    register(AnswerFeedback, user_field="resolved_by", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
    register(
        QuestionSuggestion,
        user_field="member",
        on_erase=OnErase.DELETE,
        delete=erase_suggestions,
        export_fields=(
            "created_at",
            "condition__name",
            "text",
            "details",
            "status",
            "question__title",
            "note_to_member",
            "answered_at",
        ),
    )
    register(QuestionSuggestion, user_field="handled_by", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
