"""
People: accounts, the public face of members and reviewers, and the conditions members live
with. What a member tells us about their health is health data: private unless they choose
otherwise, field by field.
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from diseasemaps.conditions.models import Condition
from diseasemaps.core.media import public_storage
from diseasemaps.core.models import TimeStampedModel
from diseasemaps.members import pseudonyms

NAME_TAKEN = "Another member already uses this name, or one that looks just like it."


def normalize_email(email: str | None) -> str:
    """
    An address as we store it: without surrounding spaces, all in lower case. allauth
    lower-cases what is typed at log-in and looks it up as it is, so an address stored with
    capitals (by createsuperuser, the admin, the shell) could never log in.
    """
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalize_email(email)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(**{self.model.USERNAME_FIELD: normalize_email(username)})

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """
    An account: a member, a member of staff, or both. It logs in by e-mail and has no username;
    the name anyone else sees is the pseudonym on the member's profile, never the address.
    """

    email = models.EmailField("e-mail address", unique=True)
    is_staff = models.BooleanField(
        default=False, help_text="Whether this person can log in to the admin."
    )
    is_active = models.BooleanField(
        default=True, help_text="Unset this instead of deleting an account you want to suspend."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs) -> None:
        # Every way of making or changing an account ends here, also those that skip clean().
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


def normalize_email_address(sender, instance, **kwargs) -> None:
    """
    pre_save of allauth's EmailAddress: allauth lower-cases the addresses it adds itself, but a
    row made any other way (the shell, a script, a fixture) is lower-cased here, so that log-in,
    password reset and "this address is taken" all find it.
    """
    instance.email = normalize_email(instance.email)


def new_public_id() -> str:
    """A random key for the public member page: it says nothing about how many members exist."""
    return secrets.token_urlsafe(9)


def avatar_path(instance, filename: str) -> str:
    """Avatars are stored under a random name; the uploaded file's name is never kept."""
    return f"avatars/{secrets.token_urlsafe(18)}.webp"


class MemberProfile(TimeStampedModel):
    """
    A member's public face: a pseudonym chosen at sign-up, never their real name or address.
    No two members have names that look alike: each name is stored with its confusable
    skeletons (see pseudonyms.py), and the database holds each skeleton once.
    """

    public_id = models.CharField(
        max_length=16,
        unique=True,
        default=new_public_id,
        editable=False,
        help_text="The public member page's address.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profile"
    )
    display_name = models.CharField(
        max_length=pseudonyms.MAX_LENGTH,
        help_text="The pseudonym shown beside the member's posts. Members are advised not to "
        "use their real name.",
    )
    # Set with the name by set_display_name(); never shown.
    name_skeleton = models.TextField(
        editable=False, help_text="The name's confusable skeleton (Unicode TR39), as written."
    )
    name_skeleton_folded = models.TextField(
        editable=False, help_text="The confusable skeleton of the name with its case folded."
    )
    bio = models.TextField(blank=True, max_length=1000)
    is_bio_public = models.BooleanField("show my bio on my public page", default=False)
    # Plain FileFields: the avatar service checks and re-encodes the picture itself (ImageField
    # would run every Pillow decoder on the raw upload first).
    # Public uploads: stable, cacheable URLs (core/storage.py).
    avatar = models.FileField(
        upload_to=avatar_path, storage=public_storage, blank=True, editable=False
    )
    avatar_small = models.FileField(
        upload_to=avatar_path, storage=public_storage, blank=True, editable=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name_skeleton"],
                name="members_profile_name_skeleton_unique",
                violation_error_message=NAME_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["name_skeleton_folded"],
                name="members_profile_name_skeleton_folded_unique",
                violation_error_message=NAME_TAKEN,
            ),
            # A profile saved without set_display_name() fails at once, not on the second one.
            models.CheckConstraint(
                condition=~models.Q(name_skeleton="") & ~models.Q(name_skeleton_folded=""),
                name="members_profile_name_skeletons_set",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def set_display_name(self, name: str) -> None:
        """Set the pseudonym (already cleaned by pseudonyms.clean) and its skeletons with it."""
        self.display_name = name
        self.name_skeleton, self.name_skeleton_folded = pseudonyms.skeletons(name)

    def get_absolute_url(self) -> str:
        return reverse("members:detail", kwargs={"public_id": self.public_id})


class ReviewerProfile(TimeStampedModel):
    """
    The public identity of a medical reviewer: who stands behind a reviewed answer, with what
    credentials and what conflicts of interest. Shown on every review badge.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer_profile"
    )
    slug = models.SlugField(unique=True, help_text="The reviewer page's address.")
    display_name = models.CharField(max_length=120, help_text="As shown to readers: Dr Jane Doe.")
    credentials = models.CharField(max_length=120, help_text="For example: MD, FAAD.")
    specialty = models.CharField(max_length=120)
    bio = models.TextField(blank=True)
    conflict_of_interest = models.TextField(
        "conflict-of-interest statement",
        blank=True,
        help_text="Any financial or personal interest a reader should know about. "
        "Leave empty only when there is none to declare.",
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"


class MemberConditionQuerySet(models.QuerySet):
    def counted(self) -> "MemberConditionQuerySet":
        """The rows behind the community figure: see `counted_q`."""
        return self.filter(counted_q())

    def visible_to(self, viewer) -> "MemberConditionQuerySet":
        """
        What `viewer` may see on a member's public page: "everyone" rows for visitors, also
        "members" rows for anyone logged in. "Only me" rows are never shown there, not even to
        their owner, so that the page shows exactly what others see.
        """
        levels = [MemberCondition.Visibility.EVERYONE]
        if viewer is not None and viewer.is_authenticated:
            levels.append(MemberCondition.Visibility.MEMBERS)
        return self.filter(visibility__in=levels)

    def community_size(self, condition) -> int:
        """
        The community figure of one condition, counted now. Pages read the stored one,
        `Condition.member_count`, kept equal to this by members/figures.py.
        """
        return self.counted().filter(condition=condition).count()


def popular_conditions(limit: int) -> models.QuerySet:
    """
    The conditions with the largest communities, for the home page and an empty search: read
    from the index on the stored figure (`conditions_by_community_size`).
    """
    return Condition.objects.order_by("-member_count", "name")[:limit]


def counted_q(prefix: str = "") -> models.Q:
    """
    Who counts in "N members of the DiseaseMaps community living with this condition": active
    members living with it themselves (not caregivers) who opted in to be counted. `prefix` is
    the lookup path from the model being filtered to MemberCondition.
    """
    return models.Q(
        **{
            f"{prefix}relationship": MemberCondition.Relationship.LIVING_WITH,
            f"{prefix}is_counted": True,
            f"{prefix}user__is_active": True,
        }
    )


class MemberCondition(TimeStampedModel):
    """
    A condition a member lives with, or cares for someone with. Health data: a row exists only
    with the member's consent to store it, which the database holds it to (`consent`).
    """

    class Relationship(models.TextChoices):
        LIVING_WITH = "living_with", "I live with it"
        CARING_FOR = "caring_for", "I care for someone who has it"

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", "Only me"
        MEMBERS = "members", "Members"
        EVERYONE = "everyone", "Everyone"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_conditions"
    )
    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.PROTECT, related_name="member_conditions"
    )
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.LIVING_WITH
    )
    diagnosed_in = models.PositiveSmallIntegerField("year of diagnosis", null=True, blank=True)
    visibility = models.CharField(
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.ONLY_ME,
        help_text="Who may see that this member has this condition.",
    )
    is_counted = models.BooleanField(
        "count me in the community figure",
        default=False,
        help_text="Whether this member is counted in the condition's community figure.",
    )
    # RESTRICT: the consent cannot be deleted while this row rests on it, except together with
    # it (when the account goes); withdrawing deletes this row and keeps the consent's record.
    consent = models.OneToOneField(
        "members.HealthDataConsent",
        on_delete=models.RESTRICT,
        related_name="member_condition",
        help_text="The member's consent to store this row.",
    )

    objects = MemberConditionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "condition"], name="members_condition_once_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(diagnosed_in__isnull=True)
                | models.Q(diagnosed_in__gte=1900, diagnosed_in__lte=2100),
                name="members_condition_diagnosed_in_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.condition}"


class HealthDataConsentQuerySet(models.QuerySet):
    def in_force(self) -> "HealthDataConsentQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class HealthDataConsent(models.Model):
    """
    A member's explicit consent to store health data about them for one purpose: that they
    live with (or care for someone with) a condition, under one version of the privacy notice.
    Withdrawing it deletes what it covered and keeps this record, with the time of the
    withdrawal, so that we can show that the data was only ever stored with consent. The
    record goes with the account.
    """

    class Purpose(models.TextChoices):
        MEMBER_CONDITION = (
            "member_condition",
            "Keep this condition on my list, shown only to the people I choose and counted in "
            "the community figure only if I ask",
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="health_data_consents"
    )
    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(
        max_length=40, choices=Purpose.choices, help_text="What the member agreed to."
    )
    notice_version = models.CharField("privacy notice version", max_length=20)
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member withdrew it; empty while in force."
    )

    objects = HealthDataConsentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "condition", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="members_consent_one_in_force_per_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="members_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.condition} · notice {self.notice_version}"
