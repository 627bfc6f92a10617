"""Writes that belong to no single domain app: the staff roles."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction


class Role:
    EDITOR = "Editor"
    MEDICAL_REVIEWER = "Medical reviewer"
    MODERATOR = "Moderator"


# What each role may do in the admin, as "app_label.codename". A reviewer works on medical
# content only: no role but the superuser sees members' health data (MemberCondition).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EDITOR: [
        "conditions.add_condition",
        "conditions.change_condition",
        "conditions.view_condition",
        "conditions.add_conditionalias",
        "conditions.change_conditionalias",
        "conditions.delete_conditionalias",
        "conditions.view_conditionalias",
        "answers.add_question",
        "answers.change_question",
        "answers.view_question",
        "answers.add_answerrevision",
        "answers.change_answerrevision",
        "answers.view_answerrevision",
        "answers.add_source",
        "answers.change_source",
        "answers.delete_source",
        "answers.view_source",
        "answers.view_answerfeedback",
        # The queue of members' suggested questions: editorial triage, not medical review.
        "answers.view_questionsuggestion",
        "answers.change_questionsuggestion",
        "experiences.add_treatment",
        "experiences.change_treatment",
        "experiences.view_treatment",
    ],
    Role.MEDICAL_REVIEWER: [
        "conditions.view_condition",
        "conditions.view_conditionalias",
        "answers.view_question",
        "answers.change_question",
        "answers.add_answerrevision",
        "answers.change_answerrevision",
        "answers.view_answerrevision",
        "answers.review_answerrevision",
        "answers.add_source",
        "answers.change_source",
        "answers.delete_source",
        "answers.view_source",
        "answers.view_answerfeedback",
        "answers.change_answerfeedback",
        "members.view_reviewerprofile",
    ],
    # A moderator sees posts and reports (pseudonyms, never e-mail addresses or the conditions
    # on members' profiles), decides on them, and suspends members; they cannot delete a post
    # or rewrite a decision.
    Role.MODERATOR: [
        "conditions.view_condition",
        "answers.view_question",
        "experiences.view_experience",
        "experiences.change_experience",
        "experiences.moderate_experience",
        "experiences.view_treatment",
        "experiences.view_report",
        "experiences.view_reply",
        "experiences.change_reply",
        "experiences.view_replyreport",
        "experiences.view_moderationdecision",
        "experiences.view_memberstanding",
        "experiences.change_memberstanding",
        "experiences.suspend_member",
    ],
}


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """
    Make the staff groups hold exactly the permissions listed in ROLE_PERMISSIONS.

    Idempotent: run after every migrate. A listed permission that does not exist is an error,
    so a renamed model cannot silently take a permission away from a role.
    """
    groups = {}
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            try:
                permissions.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                raise LookupError(
                    f"Role {name!r} lists a permission that does not exist: {code}"
                ) from None
        group.permissions.set(permissions)
        groups[name] = group
    return groups


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    """post_migrate handler: permissions exist for every app only after the last one migrates."""
    # post_migrate is sent only for apps with a models module, in INSTALLED_APPS order.
    last_app = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not None and app_config.label == last_app.label:
        with transaction.atomic(using=using):
            sync_roles()
