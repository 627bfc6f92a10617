from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "diseasemaps.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        register_personal_data()


def register_personal_data() -> None:
    """How export and erasure treat the members app's models, and the account apps' ones."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from django.contrib.admin.models import LogEntry

    from diseasemaps.answers.models import AnswerFeedback, AnswerRevision, RevisionEvent
    from diseasemaps.members.models import (
        HealthDataConsent,
        MemberCondition,
        MemberProfile,
        ReviewerProfile,
    )
    from diseasemaps.members.registry import OnErase, register

    register(
        MemberProfile,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=(
            "public_id",
            "display_name",
            "bio",
            "is_bio_public",
            "avatar",
            "avatar_small",
            "created_at",
            "updated_at",
        ),
    )
    register(
        MemberCondition,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=(
            "condition",
            "relationship",
            "diagnosed_in",
            "visibility",
            "is_counted",
            "consent_id",
            "created_at",
            "updated_at",
        ),
    )
    # After MemberCondition: erasure deletes in this order, and a condition row rests on its
    # consent until it is gone.
    register(
        HealthDataConsent,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=(
            "id",
            "condition",
            "purpose",
            "notice_version",
            "given_at",
            "withdrawn_at",
        ),
    )
    register(
        EmailAddress,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("email", "verified", "primary"),
    )
    register(
        Authenticator,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("type", "created_at", "last_used_at"),  # never the secret
    )
    register(
        UserSession,
        user_field="user",
        on_erase=OnErase.DELETE,
        export_fields=("ip", "user_agent", "created_at", "last_seen_at"),
    )
    staff_only = (
        "Only staff have these rows, and staff accounts are closed by an administrator, "
        "never erased by their owner: the editorial and medical record must stay accountable."
    )
    register(ReviewerProfile, user_field="user", on_erase=OnErase.KEEP, reason=staff_only)
    register(AnswerRevision, user_field="author", on_erase=OnErase.KEEP, reason=staff_only)
    register(AnswerRevision, user_field="reviewer", on_erase=OnErase.KEEP, reason=staff_only)
    register(RevisionEvent, user_field="actor", on_erase=OnErase.KEEP, reason=staff_only)
    register(AnswerFeedback, user_field="resolved_by", on_erase=OnErase.KEEP, reason=staff_only)
    register(LogEntry, user_field="user", on_erase=OnErase.KEEP, reason=staff_only)
