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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from diseasemaps.members import avatars, pseudonyms, registry
from diseasemaps.members.figures import refresh_community_figures
from diseasemaps.members.models import (
    NAME_TAKEN,
    HealthDataConsent,
    MemberCondition,
    MemberProfile,
    User,
)

logger = logging.getLogger(__name__)

# --- Profile ------------------------------------------------------------------------------------


def display_name_taken(display_name: str, *, exclude: MemberProfile | None = None) -> bool:
    """
    Whether another member's name looks like `display_name` (a cleaned name, see
    pseudonyms.clean): the same skeleton as written or case-folded.
    """
    keys = pseudonyms.skeletons(display_name)
    profiles = MemberProfile.objects.filter(
        models.Q(name_skeleton=keys.as_written) | models.Q(name_skeleton_folded=keys.folded)
    )
    if exclude is not None and exclude.pk is not None:
        profiles = profiles.exclude(pk=exclude.pk)
    return profiles.exists()


@transaction.atomic
def save_profile(
    *, profile: MemberProfile, update_fields: list[str] | None = None
) -> MemberProfile:
    """
    Save a profile under the pseudonym rules: the name is cleaned (NFKC, no invisible or
    direction-changing characters) and refused with a ValidationError on "display_name" when
    another member's name looks like it. Two members racing for lookalike names both pass the
    check; the database's unique skeletons let only one save, and the other gets the same
    ValidationError, not an IntegrityError.
    """
    try:
        name = pseudonyms.clean(profile.display_name)
    except ValidationError as error:
        raise ValidationError({"display_name": error.error_list}) from None
    if display_name_taken(name, exclude=profile):
        raise ValidationError({"display_name": NAME_TAKEN})
    profile.set_display_name(name)
    if update_fields is not None:
        update_fields = [*update_fields, "name_skeleton", "name_skeleton_folded"]
    try:
        with transaction.atomic():
            profile.save(update_fields=update_fields)
    except IntegrityError:
        if display_name_taken(name, exclude=profile):  # the other sign-up committed first
            raise ValidationError({"display_name": NAME_TAKEN}) from None
        raise
    return profile


def create_profile(*, user: User, display_name: str) -> MemberProfile:
    """The new member's public face: only the pseudonym they chose, nothing public yet."""
    return save_profile(profile=MemberProfile(user=user, display_name=display_name))


@transaction.atomic
def update_profile(
    *, profile: MemberProfile, display_name: str, bio: str, is_bio_public: bool
) -> MemberProfile:
    fields = ["display_name", "bio", "is_bio_public"]
    profile.display_name = display_name
    profile.bio = bio.strip()
    profile.is_bio_public = is_bio_public
    try:
        return save_profile(profile=profile, update_fields=[*fields, "updated_at"])
    except ValidationError:
        profile.refresh_from_db(fields=fields)  # the page shows the profile as it still is
        raise


def _delete_files_on_commit(files: list[tuple[Storage, str]]) -> None:
    """Files go only once the rows that named them are gone for good, each from its storage."""
    files = [(storage, name) for storage, name in files if name]
    if files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


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
    _delete_files_on_commit([(storage, name) for name in old])
    return profile


def _delete_file_quietly(storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.exception("A file left by a failed save could not be deleted: %s", name)


@transaction.atomic
def remove_avatar(*, profile: MemberProfile) -> MemberProfile:
    old = [(file.storage, file.name) for file in (profile.avatar, profile.avatar_small)]
    profile.avatar = ""
    profile.avatar_small = ""
    profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
    _delete_files_on_commit(old)
    return profile


# --- Conditions I live with ---------------------------------------------------------------------


def condition_on_list(*, user: User, condition) -> bool:
    return MemberCondition.objects.filter(user=user, condition=condition).exists()


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
    consent to store this health data under the current privacy notice: the consent row (its
    purpose, time and notice version) is written with the condition row, which rests on it.
    Only `consent=True` counts as consent.
    """
    if consent is not True:
        raise ValidationError(
            {"consent": "We can only store this if you agree to the privacy notice."}
        )
    already = ValidationError({"condition": "This condition is already on your list."})
    if condition_on_list(user=user, condition=condition):
        raise already
    member_condition = MemberCondition(
        user=user,
        condition=condition,
        relationship=relationship,
        diagnosed_in=diagnosed_in,
        visibility=visibility,
        is_counted=is_counted,
    )
    member_condition.full_clean(exclude=["user", "condition", "consent"])
    try:
        with transaction.atomic():
            member_condition.consent = HealthDataConsent.objects.create(
                user=user,
                condition=condition,
                purpose=HealthDataConsent.Purpose.MEMBER_CONDITION,
                notice_version=settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION,
                given_at=timezone.now(),
            )
            member_condition.save()
    except IntegrityError:
        # Two clicks of "Add" at once: the first one's row stands, the second is told so.
        if condition_on_list(user=user, condition=condition):
            raise already from None
        raise
    refresh_community_figures([condition.pk])
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
    refresh_community_figures([member_condition.condition_id])
    return member_condition


@transaction.atomic
def withdraw_condition(*, member_condition: MemberCondition) -> HealthDataConsent:
    """
    One click: the condition row is deleted, not hidden, and its consent is marked withdrawn.
    The consent's record stays (purpose, notice version, given and withdrawn times) to show that
    the data was stored only with consent; it goes with the account.
    """
    consent = member_condition.consent
    condition_id = member_condition.condition_id
    member_condition.delete()
    refresh_community_figures([condition_id])
    HealthDataConsent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    consent.refresh_from_db()
    return consent


def erase_member_conditions(member_conditions: models.QuerySet) -> int:
    """
    A departing member's conditions go (erase_account, through members/registry.py), and the
    community figures they counted in are counted again. Returns how many rows were deleted.
    """
    condition_ids = list(member_conditions.values_list("condition_id", flat=True))
    deleted, _ = member_conditions.delete()
    refresh_community_figures(condition_ids)
    return deleted


# --- The account ---------------------------------------------------------------------------------


@transaction.atomic
def save_account(*, user: User) -> User:
    """
    Save an account changed by an administrator. Only active accounts count in a community
    figure, so activating or deactivating one counts its conditions' figures again.
    """
    user.save()
    refresh_community_figures(
        MemberCondition.objects.filter(user=user).values_list("condition_id", flat=True)
    )
    return user


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


def _files(queryset: models.QuerySet) -> list[tuple[Storage, str]]:
    """The (storage, name) of every file the rows name."""
    file_fields = [
        field
        for field in queryset.model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    if not file_fields:
        return []
    rows = queryset.values_list(*(field.name for field in file_fields))
    return [
        (field.storage, name)
        for row in rows
        for field, name in zip(file_fields, row, strict=True)
        if name
    ]


@transaction.atomic
def erase_account(*, user: User, keep_posts: bool, closed_by: User | None = None) -> ErasureReport:
    """
    Delete the account and everything registered as going with it, in one transaction: the
    member chooses whether their posts go too or stay as "a former member". Rows whose erasure
    changes others are handed to their app (the helpful counts of the posts the member found
    helpful are counted again; their reports lose their words); the admin's log stops naming
    the account. Files named by the deleted rows are deleted through the storage API once the
    transaction has committed.

    A member erases their own account (`closed_by` empty), never a staff one. An administrator
    (`closed_by`, who may delete users) closes any account but their own the same way, from
    the admin.
    """
    if closed_by is None and (user.is_staff or user.is_superuser):
        raise CannotErase("Staff accounts are closed by an administrator.")
    if closed_by is not None:
        if not closed_by.has_perm("members.delete_user"):
            raise PermissionDenied("Only an administrator can close accounts.")
        if closed_by.pk == user.pk:
            raise CannotErase("Another administrator closes your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    _end_sessions_on_commit(user)
    _forget_in_admin_log(user)
    deleted = kept = 0
    files: list[tuple[Storage, str]] = []
    for entry in registry.registered():
        rows = entry.model._default_manager.filter(**{entry.user_field: user})
        action = entry.on_erase
        if action == registry.OnErase.MEMBER_CHOICE:
            action = registry.OnErase.ANONYMISE if keep_posts else registry.OnErase.DELETE
        if action == registry.OnErase.DELETE:
            files += _files(rows)
            deleted += entry.delete(rows) if entry.delete else rows.delete()[0]
        elif action == registry.OnErase.ANONYMISE:
            kept += (
                entry.anonymise(rows)
                if entry.anonymise
                else rows.update(**{entry.user_field: None})
            )
        else:
            kept += rows.count()
    deleted += user.delete()[0]
    _delete_files_on_commit(files)
    return ErasureReport(
        deleted_rows=deleted, kept_rows=kept, deleted_files=tuple(name for _, name in files)
    )


ERASED_IN_ADMIN_LOG = "An erased account"


def _forget_in_admin_log(user: User) -> None:
    """
    The admin's history keeps who did what, but stops naming the erased account: entries
    about the account or its profile, and every entry whose description starts with its
    e-mail address (a member's condition is described as "address · condition"), are renamed.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    about = models.Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    profile = MemberProfile.objects.filter(user=user).first()
    if profile is not None:
        about |= models.Q(
            content_type=ContentType.objects.get_for_model(MemberProfile),
            object_id=str(profile.pk),
        )
    named = models.Q(object_repr__iexact=user.email) | models.Q(
        object_repr__istartswith=f"{user.email} "
    )
    LogEntry.objects.filter(about | named).update(object_repr=ERASED_IN_ADMIN_LOG)


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
