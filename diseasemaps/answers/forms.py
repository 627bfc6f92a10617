import secrets

from django import forms

from diseasemaps.answers.models import AnswerFeedback, AnswerRevision, QuestionSuggestion

MESSAGE_MAX = AnswerFeedback._meta.get_field("message").max_length


class HelpfulForm(forms.Form):
    """A reader's answer to "Was this answer helpful?", with an optional word on why."""

    is_helpful = forms.TypedChoiceField(
        label="Was this answer helpful?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    message = forms.CharField(
        label="What would have made it more helpful?",
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Please do not include your name or anything about your own health.",
    )


class ErrorReportForm(forms.Form):
    """A reader's report of an error in an answer, for the medical reviewers to check."""

    message = forms.CharField(
        label="What is wrong in this answer?",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say which sentence is wrong and, if you can, where the correct information "
        "comes from. Please do not include your name or anything about your own health.",
        error_messages={"required": "Tell us what is wrong, so that a reviewer can check it."},
    )


class ReviewDecisionForm(forms.Form):
    """A medical reviewer's decision on a revision in review, in the admin."""

    APPROVE_FULL = "approve_full"
    APPROVE_EDITORIAL = "approve_editorial"
    REQUEST_CHANGES = "request_changes"

    decision = forms.ChoiceField(
        choices=[
            (APPROVE_FULL, "Approve: full medical review (moves the review date)"),
            (APPROVE_EDITORIAL, "Approve: editorial change only (moves only “last updated”)"),
            (REQUEST_CHANGES, "Request changes (sends it back to the editor)"),
        ],
        widget=forms.RadioSelect,
    )
    change_summary = forms.CharField(
        max_length=AnswerRevision._meta.get_field("change_summary").max_length,
        required=False,
        help_text="What changed and why. Shown to readers in the public review history.",
    )
    next_review_on = forms.DateField(
        label="Next review due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Full reviews only. Leave empty for the answer's review interval.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note to the editor",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when requesting changes: say what must change.",
    )


class QuestionSuggestionForm(forms.Form):
    """A member's question for the editors. The service checks the text again (and more)."""

    text = forms.CharField(
        label="Your question",
        max_length=QuestionSuggestion.TEXT_MAX_LENGTH,
        help_text=f"One question, as you would ask it, in up to "
        f"{QuestionSuggestion.TEXT_MAX_LENGTH} characters.",
        error_messages={"required": "Write the question you would like answered."},
    )
    details = forms.CharField(
        label="Anything that would help the editors understand it",
        required=False,
        max_length=QuestionSuggestion.DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only the editors read this. Please leave out names, contact details and "
        "anything that would identify you or someone else.",
    )
    # A random key made when the form is first shown: the same form sent twice saves once.
    submission_key = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))
