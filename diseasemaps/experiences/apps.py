from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "diseasemaps.experiences"
    label = "experiences"
    verbose_name = "Experiences"

    def ready(self) -> None:
        from diseasemaps.experiences import services
        from diseasemaps.experiences.models import (
            Experience,
            MemberStanding,
            ModerationDecision,
            Reaction,
            Reply,
            ReplyReport,
            Report,
        )
        from diseasemaps.members.registry import OnErase, register

        register(
            Reaction,
            user_field="user",
            on_erase=OnErase.DELETE,
            export_fields=("created_at", "experience_id"),
            delete=services.erase_reactions,
        )
        for report_model, noun in ((Report, "post"), (ReplyReport, "reply")):
            register(
                report_model,
                user_field="reporter",
                on_erase=OnErase.ANONYMISE,
                export_fields=(
                    "created_at",
                    report_model.target_field + "_id",
                    "reason",
                    "details",
                    "status",
                ),
                anonymise=services.anonymise_reports,
            )
            register(
                report_model,
                user_field="resolved_by",
                on_erase=OnErase.ANONYMISE,
                reason=f"A moderator who resolved a report on a {noun}; the report stays.",
            )
        # After the reactions and reports: an erasure locks the posts the member reacted to
        # before the questions their own posts were on (posts, then questions, as everywhere).
        register(
            Experience,
            user_field="author",
            on_erase=OnErase.MEMBER_CHOICE,
            anonymise=services.keep_posts_of_former_member,
            delete=services.erase_posts,
            export_fields=(
                "created_at",
                "condition__name",
                "question__title",
                "audience",
                "status",
                "body",
                "pending_body",
                "years_since_diagnosis",
                "moderator_note",
                "helpful_count",
            ),
        )
        register(
            Reply,
            user_field="author",
            on_erase=OnErase.MEMBER_CHOICE,
            anonymise=services.keep_replies_of_former_member,
            export_fields=(
                "created_at",
                "experience_id",
                "in_reply_to_id",
                "status",
                "body",
            ),
        )
        register(
            ModerationDecision,
            user_field="member",
            on_erase=OnErase.ANONYMISE,
            export_fields=(
                "created_at",
                "experience_id",
                "reply_id",
                "action",
                "guideline",
                "reason",
            ),
            reason="The record of moderation decisions is kept, without saying who it was about.",
        )
        register(
            ModerationDecision,
            user_field="moderator",
            on_erase=OnErase.ANONYMISE,
            reason="The record of moderation decisions is kept, without the moderator's account.",
        )
        register(
            MemberStanding,
            user_field="user",
            on_erase=OnErase.DELETE,
            export_fields=("is_suspended", "suspended_at", "suspension_reason"),
        )
