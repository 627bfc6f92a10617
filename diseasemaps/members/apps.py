from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "diseasemaps.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.mfa.signals import authenticator_used
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from diseasemaps.members.middleware import (
            rotate_session_after_second_factor,
            start_session_lifetime,
        )
        from diseasemaps.members.models import normalize_email_address

        register_personal_data()
        pre_save.connect(
            normalize_email_address, sender=EmailAddress, dispatch_uid="members.email_lower"
        )
        user_logged_in.connect(start_session_lifetime, dispatch_uid="members.session_lifetime")
        authenticator_used.connect(
            rotate_session_after_second_factor, dispatch_uid="members.rotate_session"
        )


def register_personal_data() -> None:
    """How export and erasure treat the members app's models, and the account apps' ones."""
    # Each app registers its own models from its own ready(): answers and experiences do.
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from django.contrib.admin.models import LogEntry

    from diseasemaps.members import services
    from diseasemaps.members.models import (
        HealthDataConsent,
        MemberCondition,
        MemberProfile,
        ReviewerProfile,
    )
    from diseasemaps.members.registry import STAFF_ONLY, OnErase, register

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
        delete=services.erase_member_conditions,
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
    register(ReviewerProfile, user_field="user", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
    register(LogEntry, user_field="user", on_erase=OnErase.KEEP, reason=STAFF_ONLY)
