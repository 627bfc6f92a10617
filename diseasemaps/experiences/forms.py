import secrets

from django import forms

from diseasemaps.conditions.models import Condition
from diseasemaps.experiences.models import (
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    REPLY_MAX_LENGTH,
    REPLY_MIN_LENGTH,
    Experience,
    Guideline,
    Reply,
    Report,
    render_experience_markdown,
)
from diseasemaps.experiences.screening import describe, find_personal_data


def _submission_key_field():
    # A random key made when the form is first shown and sent back with every step: the same
    # form sent twice (a retry after an error) saves once (services.submit_experience).
    return forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", required=False, widget=forms.HiddenInput
    )


class PersonalDataCheck(forms.Form):
    """
    What the share and reply forms have in common: the text's preview, the personal-data
    warnings the member confirms before it is saved, and the form's submission key.
    """

    confirm_personal_data = forms.BooleanField(
        label="I have checked: these details are fine to share",
        required=False,
    )
    submission_key = _submission_key_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))
        self.warnings: list[str] = []
        self.preview_html = ""

    def clean(self):
        data = super().clean()
        body = data.get("body")
        if body:
            self.preview_html = render_experience_markdown(body)
            self.warnings = describe(find_personal_data(body))
        return data

    def needs_confirmation(self) -> bool:
        return bool(self.warnings) and not self.cleaned_data.get("confirm_personal_data")


class ExperienceForm(PersonalDataCheck):
    """
    Sharing or editing a post, in two steps: "Preview" shows the post as readers will see it,
    with any personal-data warnings; "Share" posts it, once the member has confirmed the
    warnings. Everything typed comes back on every step, also on errors.
    """

    PREVIEW = "preview"
    SUBMIT = "submit"

    body = forms.CharField(
        label="Your experience",
        min_length=BODY_MIN_LENGTH,
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            f"Between {BODY_MIN_LENGTH} and {BODY_MAX_LENGTH:,} characters. You can use "
            "Markdown: *italic*, **bold**, lists, > quotes and [links](https://example.org)."
        ),
    )
    audience = forms.ChoiceField(
        label="Who can read it",
        choices=Experience.Audience.choices,
        initial=Experience.Audience.EVERYONE,
        widget=forms.RadioSelect,
        help_text="Members-only posts are never shown to visitors or search engines.",
    )
    treatments = forms.ModelMultipleChoiceField(
        label="Treatments you had",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    years_since_diagnosis = forms.IntegerField(
        label="Years since diagnosis",
        min_value=0,
        max_value=120,
        required=False,
        help_text="Shown with your post. Leave it empty to keep it to yourself.",
    )

    def __init__(self, *args, condition: Condition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatments"].queryset = condition.treatments.all()
        if not self.fields["treatments"].queryset.exists():
            del self.fields["treatments"]
        # The confirmation and the key come last, as they always did.
        for name in ("confirm_personal_data", "submission_key"):
            self.fields[name] = self.fields.pop(name)

    @classmethod
    def for_experience(cls, experience: Experience, **kwargs) -> "ExperienceForm":
        body = experience.pending_body if experience.has_pending_edit else experience.body
        initial = {
            "body": body,
            "audience": experience.audience,
            "treatments": list(experience.treatments.all()),
            "years_since_diagnosis": experience.years_since_diagnosis,
        }
        return cls(initial=initial, condition=experience.condition, **kwargs)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "body": data["body"],
            "audience": data["audience"],
            "treatments": data.get("treatments") or [],
            "years_since_diagnosis": data.get("years_since_diagnosis"),
        }


class ReplyForm(PersonalDataCheck):
    """
    A reply under a post, in one step: "Reply" saves it, unless the text seems to hold personal
    details, in which case the form comes back with the warnings and a box to confirm them.
    """

    SUBMIT = ExperienceForm.SUBMIT

    body = forms.CharField(
        label="Your reply",
        min_length=REPLY_MIN_LENGTH,
        max_length=REPLY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Up to {REPLY_MAX_LENGTH:,} characters, Markdown allowed. Members-only posts keep "
            "their replies to members too."
        ),
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, experience, **kwargs):
        super().__init__(*args, **kwargs)
        self.experience = experience
        for name in ("confirm_personal_data", "submission_key"):
            self.fields[name] = self.fields.pop(name)
        # Ids distinct per post: a page may show several reply forms.
        self.auto_id = f"id_reply{experience.pk}_%s"

    def clean_in_reply_to(self) -> Reply | None:
        pk = self.cleaned_data.get("in_reply_to")
        if pk is None:
            return None
        reply = Reply.objects.visible().filter(pk=pk, experience=self.experience).first()
        if reply is None:
            raise forms.ValidationError("The reply you answer is no longer shown.")
        return reply

    def service_arguments(self) -> dict:
        return {
            "body": self.cleaned_data["body"],
            "in_reply_to": self.cleaned_data.get("in_reply_to"),
        }


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this post?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Anything the moderators should know",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExperienceModerationForm(forms.ModelForm):
    """
    A post's page in the admin: the moderator's public note, and a decision with the guideline
    and reason behind it. The admin hands both to the services; nothing is saved directly.
    """

    APPROVE = "approve"
    REJECT = "reject"
    REJECT_EDIT = "reject_edit"

    decision = forms.ChoiceField(
        choices=[
            ("", "No decision now"),
            (APPROVE, "Approve: publish the post or its edit, or keep it after reports"),
            (REJECT, "Reject the post"),
            (REJECT_EDIT, "Reject the edit only, keeping the approved text"),
        ],
        required=False,
    )
    guideline = forms.ChoiceField(
        choices=[("", "---------"), *Guideline.choices],
        required=False,
        help_text="Required to reject: the community guideline the post breaks.",
    )
    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the author and kept in the record of decisions.",
    )
    suspend_author = forms.BooleanField(
        label="Also suspend the author from posting",
        required=False,
        help_text="For repeated or serious breaches. Give the reason above.",
    )
    text_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Experience
        fields = ["moderator_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # What the moderator reads now; an approval of text changed since is refused.
            self.initial["text_fingerprint"] = self.instance.text_fingerprint

    def clean(self):
        return _check_decision(self, super().clean(), rejections=(self.REJECT, self.REJECT_EDIT))


def _check_decision(form: forms.Form, data: dict, *, rejections: tuple[str, ...]) -> dict:
    """A rejection names its guideline; a suspension says why."""
    if data.get("decision") in rejections and not data.get("guideline"):
        form.add_error("guideline", "Choose the guideline it breaks.")
    if data.get("suspend_author") and not (data.get("reason") or "").strip():
        form.add_error("reason", "Say why the author is suspended.")
    return data


class ReplyModerationForm(forms.ModelForm):
    """A reply's page in the admin: a decision, with the guideline and reason behind it."""

    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        choices=[
            ("", "No decision now"),
            (APPROVE, "Approve: publish the reply, or keep it after reports"),
            (REJECT, "Reject the reply"),
        ],
        required=False,
    )
    guideline = ExperienceModerationForm.base_fields["guideline"]
    reason = ExperienceModerationForm.base_fields["reason"]
    suspend_author = ExperienceModerationForm.base_fields["suspend_author"]
    text_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Reply
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["text_fingerprint"] = self.instance.text_fingerprint

    def clean(self):
        return _check_decision(self, super().clean(), rejections=(self.REJECT,))
