"""
The editors' queue of members' suggested questions. Every change goes through the services
(answers/services/suggestions.py); editors never see who asked.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify

from diseasemaps.answers import services
from diseasemaps.answers.admin.feedback import ServiceRefusal
from diseasemaps.answers.admin.revisions import error_text
from diseasemaps.answers.models import Question, QuestionSuggestion

Status = QuestionSuggestion.Status


class OpenFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", "To handle (new or planned)"), ("kept", "Not merged into another")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "kept":
            return queryset.filter(duplicate_of__isnull=True)
        return queryset


class SuggestionDecisionForm(forms.ModelForm):
    """An editor's decision on one suggestion; the admin hands it to the services."""

    PLAN = "plan"
    MERGE = "merge"
    LINK = "link"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        required=False,
        choices=[
            ("", "No decision now (only save the note)"),
            (PLAN, "Plan an answer"),
            (MERGE, "Merge into another suggestion that asks the same"),
            (LINK, "Answer it with an existing question"),
            (DECLINE, "Decline (the note says why)"),
        ],
        widget=forms.RadioSelect,
    )
    merge_into = forms.ModelChoiceField(
        queryset=QuestionSuggestion.objects.none(),
        required=False,
        help_text="For merging: the suggestion to keep. This one follows its outcome.",
    )
    link_to = forms.ModelChoiceField(
        label="Question",
        queryset=Question.objects.none(),
        required=False,
        help_text="For answering with an existing question about the same condition. To write "
        "a new one, use “Make a question from the selected suggestions” on the list.",
    )

    class Meta:
        model = QuestionSuggestion
        fields = ["note_to_member"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["merge_into"].queryset = (
                QuestionSuggestion.objects.filter(
                    condition=self.instance.condition_id, duplicate_of__isnull=True
                )
                .exclude(pk=self.instance.pk)
                .exclude(status=Status.DECLINED)
            )
            self.fields["link_to"].queryset = Question.objects.filter(
                condition=self.instance.condition_id
            )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.MERGE and not data.get("merge_into"):
            self.add_error("merge_into", "Choose the suggestion to merge this one into.")
        if decision == self.LINK and not data.get("link_to"):
            self.add_error("link_to", "Choose the question that answers it.")
        if decision == self.DECLINE and not (data.get("note_to_member") or "").strip():
            self.add_error("note_to_member", "Write a note to the member saying why.")
        return data


@admin.register(QuestionSuggestion)
class QuestionSuggestionAdmin(admin.ModelAdmin):
    form = SuggestionDecisionForm
    list_display = ["text", "condition", "status", "created_at", "merged_in", "question"]
    list_filter = [OpenFilter, "status", "condition"]
    list_select_related = ["condition", "question"]
    search_fields = ["text", "details"]
    date_hierarchy = "created_at"
    actions = ["plan_selected", "merge_selected", "make_question"]
    shown_fields = [
        "condition",
        "text",
        "details",
        "created_at",
        "status",
        "merged_into",
        "merged_ones",
        "question_link",
        "handled_by",
        "handled_at",
        "answered_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition", "duplicate_of")

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return [*self.shown_fields, "note_to_member", "decision", "merge_into", "link_to"]
        return [*self.shown_fields, "note_to_member"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.shown_fields
        return [*self.shown_fields, "note_to_member"]

    def has_add_permission(self, request) -> bool:
        return False  # members ask; editors answer

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a member's suggestion goes with their account, never by hand

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        decision = data.get("decision")
        note = data.get("note_to_member") or ""
        try:
            if decision == form.DECLINE:
                services.decline_suggestions(suggestions=[obj], editor=request.user, note=note)
                return
            if "note_to_member" in form.changed_data:
                services.write_note(suggestion=obj, editor=request.user, note=note)
            if decision == form.PLAN:
                services.plan_suggestions(suggestions=[obj], editor=request.user)
            elif decision == form.MERGE:
                services.merge_suggestions(
                    suggestions=[obj], into=data["merge_into"], editor=request.user
                )
            elif decision == form.LINK:
                services.link_suggestions(
                    suggestions=[obj], question=data["link_to"], editor=request.user
                )
        except (ValidationError, PermissionDenied) as error:
            raise ServiceRefusal(error) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:
            self.message_user(request, error_text(refusal.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="merged in")
    def merged_in(self, suggestion: QuestionSuggestion) -> str:
        if suggestion.duplicate_of_id:
            return f"into #{suggestion.duplicate_of_id}"
        return ""

    @admin.display(description="merged into")
    def merged_into(self, suggestion: QuestionSuggestion):
        if not suggestion.duplicate_of_id:
            return "—"
        url = reverse("admin:answers_questionsuggestion_change", args=[suggestion.duplicate_of_id])
        return format_html('<a href="{}">{}</a>', url, suggestion.duplicate_of)

    @admin.display(description="suggestions merged into this one")
    def merged_ones(self, suggestion: QuestionSuggestion):
        count = suggestion.duplicates.count()
        if not count:
            return "None"
        url = reverse("admin:answers_questionsuggestion_changelist")
        return format_html(
            '<a href="{}?duplicate_of__id__exact={}">{}</a>', url, suggestion.pk, count
        )

    @admin.display(description="question")
    def question_link(self, suggestion: QuestionSuggestion):
        if not suggestion.question_id:
            return "—"
        url = reverse("admin:answers_question_change", args=[suggestion.question_id])
        return format_html('<a href="{}">{}</a>', url, suggestion.question)

    def _report(self, request, done: str, call) -> None:
        try:
            call()
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, error_text(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)

    @admin.action(description="Plan answers to the selected suggestions", permissions=["change"])
    def plan_selected(self, request, queryset):
        self._report(
            request,
            "Planned.",
            lambda: services.plan_suggestions(suggestions=list(queryset), editor=request.user),
        )

    @admin.action(
        description="Merge the selected suggestions into the oldest of them",
        permissions=["change"],
    )
    def merge_selected(self, request, queryset):
        rows = list(queryset.order_by("created_at", "pk"))
        if len(rows) < 2:
            self.message_user(request, "Select at least two suggestions to merge.", messages.ERROR)
            return
        self._report(
            request,
            f"Merged {len(rows) - 1} into “{rows[0].duplicate_of or rows[0]}”.",
            lambda: services.merge_suggestions(
                suggestions=rows[1:], into=rows[0], editor=request.user
            ),
        )

    @admin.action(
        description="Make a question from the selected suggestions", permissions=["change"]
    )
    def make_question(self, request, queryset):
        """Open the question's add form, filled in; saving it links the suggestions."""
        rows = list(queryset.order_by("created_at", "pk"))
        if len({row.condition_id for row in rows}) != 1:
            self.message_user(
                request, "Select suggestions about one condition only.", messages.ERROR
            )
            return None
        if not request.user.has_perm("answers.add_question"):
            self.message_user(request, "Only an editor can add questions.", messages.ERROR)
            return None
        first = rows[0]
        query = urlencode(
            {
                "condition": first.condition_id,
                "title": first.text,
                "slug": slugify(first.text)[:100],
                "suggestions": ",".join(str(row.pk) for row in rows),
            }
        )
        return HttpResponseRedirect(f"{reverse('admin:answers_question_add')}?{query}")
