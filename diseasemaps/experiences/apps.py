from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "diseasemaps.experiences"
    label = "experiences"
    verbose_name = "Experiences"

    def ready(self) -> None:
        from diseasemaps.experiences.models import Experience
        from diseasemaps.members.registry import OnErase, register

        register(
            Experience,
            user_field="author",
            on_erase=OnErase.MEMBER_CHOICE,
            export_fields=(
                "condition",
                "question",
                "audience",
                "status",
                "body",
                "years_since_diagnosis",
                "created_at",
                "updated_at",
            ),
        )
