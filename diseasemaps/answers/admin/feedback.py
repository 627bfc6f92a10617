"""Readers' feedback in the admin: the reviewers' queue, resolved through the service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from diseasemaps.answers import services
from diseasemaps.answers.admin.revisions import error_text
from diseasemaps.answers.models import AnswerFeedback


class ServiceRefusal(Exception):
    """The resolving service said no; carries its error to changeform_view."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class FeedbackStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.unresolved()
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class FeedbackResolutionForm(forms.ModelForm):
    """A reviewer's resolution of one piece of reader feedback."""

    resolve = forms.BooleanField(
        label="Mark as resolved", required=False, help_text="Takes it off the open queue."
    )

    class Meta:
        model = AnswerFeedback
        fields = ["resolution_note"]
        help_texts = {"resolution_note": "What was done about it (for the other reviewers)."}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("resolve"):
            raise ValidationError("Tick “Mark as resolved” to take this off the queue.")
        return cleaned


@admin.register(AnswerFeedback)
class AnswerFeedbackAdmin(admin.ModelAdmin):
    """The reviewers' queue of what readers said: read-only, resolved through the service."""

    form = FeedbackResolutionForm
    list_display = ["question", "kind", "is_helpful", "short_message", "created_at", "is_resolved"]
    list_filter = [FeedbackStatusFilter, "kind", "question__condition"]
    list_select_related = ["question"]
    search_fields = ["message", "question__title"]
    date_hierarchy = "created_at"
    actions = ["mark_resolved"]
    shown_fields = [
        "question",
        "revision",
        "kind",
        "is_helpful",
        "message",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]

    def get_fields(self, request, obj=None):
        if obj is not None and not obj.is_resolved and self.has_review_permission(request):
            return [*self.shown_fields, "resolution_note", "resolve"]
        return [*self.shown_fields, "resolution_note"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_resolved and self.has_review_permission(request):
            return self.shown_fields
        return [*self.shown_fields, "resolution_note"]

    def save_model(self, request, obj, form, change):
        try:
            services.resolve_feedback(
                feedback=obj, reviewer=request.user, note=form.cleaned_data["resolution_note"]
            )
        except (ValidationError, PermissionDenied) as error:
            raise ServiceRefusal(error) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Only the service's refusals become a message: the admin's own PermissionDenied (no
        # permission to change) must stay a 403, not a redirect to the same page.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:
            self.message_user(request, error_text(refusal.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="message")
    def short_message(self, feedback: AnswerFeedback) -> str:
        return feedback.message[:80] + ("…" if len(feedback.message) > 80 else "")

    @admin.display(boolean=True, description="resolved")
    def is_resolved(self, feedback: AnswerFeedback) -> bool:
        return feedback.is_resolved

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(services.REVIEW_PERMISSION)

    @admin.action(description="Mark the selected feedback as resolved", permissions=["review"])
    def mark_resolved(self, request, queryset):
        done = 0
        for feedback in queryset:
            try:
                services.resolve_feedback(feedback=feedback, reviewer=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{feedback}: {error_text(error)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} resolved.", messages.SUCCESS)
