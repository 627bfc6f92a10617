"""
Every write to a member's account, profile, conditions and personal data. Views, forms and the
admin call these; nothing here trusts that the caller checked anything.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from diseasemaps.members import avatars, registry
from diseasemaps.members.models import HealthDataConsent, MemberCondition, MemberProfile, User

logger = logging.getLogger(__name__)

# --- Profile ------------------------------------------------------------------------------------


def display_name_taken(display_name: str, *, exclude: MemberProfile | None = None) -> bool:
    profiles = MemberProfile.objects.filter(display_name__iexact=display_name.strip())
    if exclude is not None:
        profiles = profiles.exclude(pk=exclude.pk)
    return profiles.exists()


@transaction.atomic
def create_profile(*, user: User, display_name: str) -> MemberProfile:
    """The new member's public face: only the pseudonym they chose, nothing public yet."""
    display_name = display_name.strip()
    if display_name_taken(display_name):
        raise ValidationError({"display_name": "Another member already uses this name."})
    return MemberProfile.objects.create(user=user, display_name=display_name)


@transaction.atomic
def update_profile(
    *, profile: MemberProfile, display_name: str, bio: str, is_bio_public: bool
) -> MemberProfile:
    display_name = display_name.strip()
    if display_name_taken(display_name, exclude=profile):
        raise ValidationError({"display_name": "Another member already uses this name."})
    profile.display_name = display_name
    profile.bio = bio.strip()
    profile.is_bio_public = is_bio_public
    profile.save(update_fields=["display_name", "bio", "is_bio_public", "updated_at"])
    return profile


def _delete_files_on_commit(names: list[str]) -> None:
    """Files go only once the rows that named them are gone for good."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


AVATAR_NOT_STORED = (
    "We could not store your picture just now, so nothing has changed. Please try again later."
)


@transaction.atomic
def set_avatar(*, profile: MemberProfile, upload) -> MemberProfile:
    """
    Check and re-encode an uploaded picture (see avatars.py), store both sizes under random
    names and delete the previous ones once the change is committed. Raises ValidationError with
    a message for the member when the file is not a picture we accept, or when the storage fails
    (a full disk, say): then nothing of the new picture is left in storage and the profile keeps
    its old picture.
    """
    large, small = avatars.process(upload)
    old = [profile.avatar.name, profile.avatar_small.name]
    storage = profile.avatar.storage
    written: list[str] = []
    try:
        for field_file, data in ((profile.avatar, large), (profile.avatar_small, small)):
            name = field_file.field.generate_filename(profile, "avatar.webp")
            # Named before saving: a save that fails part-way (ENOSPC) can leave a file behind.
            # The name is random, so it cannot be anyone else's file.
            written.append(name)
            written[-1] = storage.save(
                name, ContentFile(data), max_length=field_file.field.max_length
            )
        profile.avatar.name, profile.avatar_small.name = written
        profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
    except Exception as error:
        profile.avatar.name, profile.avatar_small.name = old
        for name in written:
            _delete_file_quietly(storage, name)
        if isinstance(error, OSError):
            logger.exception("An avatar could not be stored")
            raise ValidationError(AVATAR_NOT_STORED, code="not_stored") from error
        raise
    _delete_files_on_commit(old)
    return profile


def _delete_file_quietly(storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.exception("A file left by a failed save could not be deleted: %s", name)


@transaction.atomic
def remove_avatar(*, profile: MemberProfile) -> MemberProfile:
    old = [profile.avatar.name, profile.avatar_small.name]
    profile.avatar = ""
    profile.avatar_small = ""
    profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
    _delete_files_on_commit(old)
    return profile


# --- Conditions I live with ---------------------------------------------------------------------


@transaction.atomic
def add_condition(
    *,
    user: User,
    condition,
    relationship: str,
    diagnosed_in: int | None,
    visibility: str,
    is_counted: bool,
    consent: bool,
) -> MemberCondition:
    """
    Record that `user` lives with (or cares for someone with) `condition`, with their explicit
    consent to store this health data under the current privacy notice.
    """
    if not consent:
        raise ValidationError(
            {"consent": "We can only store this if you agree to the privacy notice."}
        )
    if MemberCondition.objects.filter(user=user, condition=condition).exists():
        raise ValidationError({"condition": "This condition is already on your list."})
    member_condition = MemberCondition(
        user=user,
        condition=condition,
        relationship=relationship,
        diagnosed_in=diagnosed_in,
        visibility=visibility,
        is_counted=is_counted,
    )
    member_condition.full_clean(exclude=["user", "condition"])
    member_condition.save()
    HealthDataConsent.objects.update_or_create(
        user=user,
        condition=condition,
        defaults={
            "notice_version": settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION,
            "given_at": timezone.now(),
        },
    )
    return member_condition


@transaction.atomic
def update_condition(
    *,
    member_condition: MemberCondition,
    relationship: str,
    diagnosed_in: int | None,
    visibility: str,
    is_counted: bool,
) -> MemberCondition:
    member_condition.relationship = relationship
    member_condition.diagnosed_in = diagnosed_in
    member_condition.visibility = visibility
    member_condition.is_counted = is_counted
    member_condition.full_clean(exclude=["user", "condition"])
    member_condition.save()
    return member_condition


@transaction.atomic
def withdraw_condition(*, member_condition: MemberCondition) -> None:
    """One click: the condition and the consent to store it are deleted, not hidden."""
    HealthDataConsent.objects.filter(
        user_id=member_condition.user_id, condition_id=member_condition.condition_id
    ).delete()
    member_condition.delete()


# --- Export and erasure -------------------------------------------------------------------------


def _value(instance: models.Model, path: str):
    """
    One exported value: a field by name or attname ("experience_id"), or a lookup path through
    related rows ("condition__name"). Files give their stored name, related rows their text.
    """
    *hops, last = path.split("__")
    for hop in hops:
        instance = getattr(instance, hop)
        if instance is None:
            return None
    field = instance._meta.get_field(last)
    if field.is_relation and field.attname != last:
        related = getattr(instance, last)
        return None if related is None else str(related)
    value = getattr(instance, field.attname)
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


def _row(instance: models.Model, fields: tuple[str, ...], user_field: str) -> dict:
    if not fields:
        fields = tuple(
            field.name
            for field in instance._meta.concrete_fields
            if field.name != user_field and not field.primary_key
        )
    return {path: _value(instance, path) for path in fields}


def export_data(*, user: User) -> dict:
    """
    Everything we hold about `user`, walking the personal-data registry: one JSON-ready dict,
    one list of rows per registered model.
    """
    data = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
    }
    for entry in sorted(registry.registered(), key=lambda e: (e.model._meta.label, e.user_field)):
        if entry.on_erase == registry.OnErase.KEEP and not entry.export_fields:
            continue
        rows = entry.model._default_manager.filter(**{entry.user_field: user}).order_by("pk")
        key = (
            entry.model._meta.label
            if entry.user_field in ("user", "author")
            else (f"{entry.model._meta.label}.{entry.user_field}")
        )
        data[key] = [_row(row, entry.export_fields, entry.user_field) for row in rows]
    return data


def export_json(*, user: User) -> str:
    return json.dumps(export_data(user=user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class ErasureReport:
    deleted_rows: int
    kept_rows: int
    deleted_files: tuple[str, ...]


class CannotErase(Exception):
    """The account cannot be erased by its owner (staff accounts are closed by an admin)."""


def _file_names(queryset: models.QuerySet) -> list[str]:
    file_fields = [
        field.name
        for field in queryset.model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    if not file_fields:
        return []
    return [name for row in queryset.values_list(*file_fields) for name in row if name]


@transaction.atomic
def erase_account(*, user: User, keep_posts: bool) -> ErasureReport:
    """
    Delete the account and everything registered as going with it, in one transaction: the
    member chooses whether their posts go too or stay as "a former member". Files named by the
    deleted rows are deleted through the storage API once the transaction has committed.
    """
    if user.is_staff or user.is_superuser:
        raise CannotErase("Staff accounts are closed by an administrator.")
    user = User.objects.select_for_update().get(pk=user.pk)
    _end_sessions_on_commit(user)
    deleted = kept = 0
    files: list[str] = []
    for entry in registry.registered():
        rows = entry.model._default_manager.filter(**{entry.user_field: user})
        action = entry.on_erase
        if action == registry.OnErase.MEMBER_CHOICE:
            action = registry.OnErase.ANONYMISE if keep_posts else registry.OnErase.DELETE
        if action == registry.OnErase.DELETE:
            files += _file_names(rows)
            deleted += rows.delete()[0]
        elif action == registry.OnErase.ANONYMISE:
            kept += rows.update(**{entry.user_field: None})
        else:
            kept += rows.count()
    deleted += user.delete()[0]
    _delete_files_on_commit(files)
    return ErasureReport(deleted_rows=deleted, kept_rows=kept, deleted_files=tuple(files))


def _end_sessions_on_commit(user: User) -> None:
    """The member's sessions in the session store (database or Redis) end with the account."""
    from importlib import import_module

    from allauth.usersessions.models import UserSession

    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def end() -> None:
        for key in keys:
            store(session_key=key).delete()

    transaction.on_commit(end)


def privacy_notice_date() -> datetime.date:
    return datetime.date.fromisoformat(settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION)
