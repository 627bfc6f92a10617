from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "diseasemaps.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # The apps below announce what happened; the community listens, so that they need not
        # know it exists.
        from diseasemaps.answers.signals import answer_reviewed, suggestions_answered
        from diseasemaps.community import receivers
        from diseasemaps.experiences.signals import experience_published, reply_published

        experience_published.connect(
            receivers.experience_published, dispatch_uid="community.experience_published"
        )
        reply_published.connect(receivers.reply_published, dispatch_uid="community.reply")
        answer_reviewed.connect(receivers.answer_reviewed, dispatch_uid="community.reviewed")
        suggestions_answered.connect(
            receivers.suggestions_answered, dispatch_uid="community.suggestions"
        )
        register_personal_data()


def register_personal_data() -> None:
    from diseasemaps.community.models import EmailPreference, Follow, Notification
    from diseasemaps.members.registry import OnErase, register

    register(
        Follow,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("condition", "question", "created_at"),
    )
    register(
        Notification,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("kind", "text", "detail", "url", "created_at", "read_at", "emailed_at"),
    )
    register(
        EmailPreference,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("kind", "frequency", "updated_at"),
    )
