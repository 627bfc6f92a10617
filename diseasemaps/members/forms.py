import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html

from diseasemaps.conditions.models import Condition
from diseasemaps.core.dates import human_date
from diseasemaps.members import pseudonyms, services
from diseasemaps.members.models import NAME_TAKEN, MemberCondition, MemberProfile

DISPLAY_NAME_HELP = (
    "This is the name other members and visitors see beside what you share. Please don't use "
    "your real name or anything that could identify you: a made-up name keeps you private. "
    "You can change it later."
)


def clean_display_name(raw: str, *, exclude: MemberProfile | None = None) -> str:
    """
    The pseudonym to store (pseudonyms.clean), refused when another member's looks like it.
    The form keeps what the member typed: its bound data is what the page shows again.
    """
    display_name = pseudonyms.clean(raw)
    if services.display_name_taken(display_name, exclude=exclude):
        raise forms.ValidationError(f"{NAME_TAKEN} Please pick another.", code="taken")
    return display_name


class SignupProfileForm(forms.Form):
    """
    The fields allauth's sign-up form adds to e-mail and password. The profile itself is created
    by the account adapter, in the same transaction as the user.
    """

    display_name = forms.CharField(
        label="Public name (a pseudonym)",
        max_length=pseudonyms.MAX_LENGTH,
        help_text=DISPLAY_NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        """Nothing left to do: the adapter made the profile with the user."""


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Public name (a pseudonym)",
        max_length=pseudonyms.MAX_LENGTH,
        help_text=DISPLAY_NAME_HELP,
    )
    bio = forms.CharField(
        label="About me",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on your public page only if you tick the box below.",
    )
    is_bio_public = forms.BooleanField(label="Show “About me” on my public page", required=False)

    def __init__(self, *args, profile: MemberProfile, **kwargs):
        self.profile = profile
        super().__init__(*args, **kwargs)

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"], exclude=self.profile)


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label="Picture",
        help_text="A JPEG, PNG or WebP picture up to 5 MB. We remove its location and camera "
        "details and keep a square copy.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, oversized: set[str] = frozenset(), **kwargs):
        self.oversized = oversized
        super().__init__(*args, **kwargs)

    def clean(self):
        if "avatar" in self.oversized:
            self.errors.pop("avatar", None)
            self.add_error("avatar", "This file is over 5 MB. Please choose a smaller picture.")
        return super().clean()


class TickBox(forms.CheckboxInput):
    """
    A box that counts as ticked only when the browser says so: a ticked box without a value
    attribute is sent as "on", an unticked one not at all. Django's CheckboxInput also takes
    "0", "no" or "off" for a tick (anything but "", "false" and "False"), which must never
    count as consent.
    """

    def value_from_datadict(self, data, files, name) -> bool:
        return data.get(name) == "on"


def _year_choices():
    this_year = datetime.date.today().year
    return [("", "I'd rather not say")] + [
        (str(year), str(year)) for year in range(this_year, 1919, -1)
    ]


class MemberConditionForm(forms.Form):
    """Add a condition (with consent) or change one already on the member's list."""

    condition = forms.ModelChoiceField(
        queryset=Condition.objects.order_by("name"), label="Condition", empty_label="Choose…"
    )
    relationship = forms.ChoiceField(
        choices=MemberCondition.Relationship.choices,
        widget=forms.RadioSelect,
        initial=MemberCondition.Relationship.LIVING_WITH,
        label="How does it concern you?",
    )
    diagnosed_in = forms.TypedChoiceField(
        choices=_year_choices,
        coerce=int,
        empty_value=None,
        required=False,
        label="Year of diagnosis",
    )
    visibility = forms.ChoiceField(
        choices=MemberCondition.Visibility.choices,
        widget=forms.RadioSelect,
        initial=MemberCondition.Visibility.ONLY_ME,
        label="Who may see that this condition is on your list?",
        help_text="“Only me” keeps it private. “Members” means people logged in to "
        "DiseaseMaps. “Everyone” shows it on your public page.",
    )
    is_counted = forms.BooleanField(
        required=False,
        label="Count me in the community figure",
        help_text="Adds one to “members living with this condition”. Only the total is shown, "
        "and below 10 members it reads “fewer than 10”.",
    )
    consent = forms.BooleanField(
        required=True,
        widget=TickBox,
        label="I agree that DiseaseMaps stores this health information about me",
        error_messages={
            "required": "We can only store this if you agree. Tick the box to continue."
        },
    )

    def __init__(self, *args, member_condition: MemberCondition | None = None, **kwargs):
        self.member_condition = member_condition
        super().__init__(*args, **kwargs)
        notice = reverse_lazy("members:privacy")
        self.fields["consent"].help_text = format_html(
            'As described in our <a href="{}">privacy notice</a> (the version of {}). You can '
            "remove it at any time, in one click.",
            notice,
            human_date(services.privacy_notice_date()),
        )
        if member_condition is not None:
            del self.fields["condition"]
            del self.fields["consent"]
            self.initial.update(
                relationship=member_condition.relationship,
                diagnosed_in=member_condition.diagnosed_in,
                visibility=member_condition.visibility,
                is_counted=member_condition.is_counted,
            )


class EraseAccountForm(forms.Form):
    keep_posts = forms.TypedChoiceField(
        choices=[
            ("", "Delete everything I posted"),
            ("keep", "Keep my posts, shown as written by “a former member”"),
        ],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        initial="",
        label="What should happen to what you shared?",
    )
    confirm = forms.BooleanField(
        widget=TickBox,
        label="I understand that this cannot be undone",
        error_messages={"required": "Tick the box to confirm."},
    )
