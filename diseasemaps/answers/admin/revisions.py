"""
Answer revisions in the admin: writing drafts, the reviewer's decision page, diffs between
revisions, the review queues and the workflow actions, all through the services.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from diseasemaps.answers import services
from diseasemaps.answers.diff import revision_diff
from diseasemaps.answers.forms import ReviewDecisionForm
from diseasemaps.answers.models import AnswerRevision, RevisionEvent, Source, validate_http_url
from diseasemaps.pages.views import question_page_context


def error_text(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    # The link's own rule (http or https, no quotes or angle brackets) runs in the form too, so
    # that its message shows even when the address is not a valid URL at all.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https", "validators": [validate_http_url]}
    }
    fields = ["position", "authors", "title", "publisher", "year", "url", "doi", "pubmed_id"]

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_open

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class EventInline(admin.TabularInline):
    model = RevisionEvent
    fields = [
        "created_at",
        "actor",
        "from_state",
        "to_state",
        "note",
        "save_count",
        "last_saved_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "history of this revision"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # The history is part of the revision's record: whoever may read one reads the other.
        return request.user.has_perm("answers.view_answerrevision")


class RevisionForm(forms.ModelForm):
    """The content of a revision, and the draft version the editor loaded (for the lock)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnswerRevision
        fields = ["question", "short_answer", "body", "change_summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def clean(self):
        """
        Refuse, with the editor's text kept in the form, a save that would clash: a second
        open draft, or a draft someone else saved after this editor opened it.
        """
        cleaned = super().clean()
        revision = self.instance
        question = cleaned.get("question") or (revision.question if revision.pk else None)
        starts_draft = revision.pk is None or revision.is_live
        if starts_draft and question is not None and question.revisions.open().exists():
            raise ValidationError(
                "This answer already has an open draft. Edit that draft instead; your text "
                "is kept below."
            )
        expected = cleaned.get("expected_version")
        if not starts_draft and expected is not None and expected != revision.version:
            raise ValidationError(
                "Someone else saved this draft after you opened it. Your text is kept below: "
                "copy what you need, reload the draft, and apply your changes again."
            )
        return cleaned


class ReviewQueueFilter(admin.SimpleListFilter):
    """The reviewers' work lists: drafts waiting for them, and live answers due a review."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("awaiting", "Awaiting my review"),
            ("due", "Due for review"),
            ("overdue", "Overdue"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "awaiting":
            return queryset.awaiting_review_by(request.user)
        if self.value() == "due":
            return queryset.due_for_review(
                today=today, within_days=settings.DISEASEMAPS_REVIEW_REMINDER_DAYS
            )
        if self.value() == "overdue":
            return queryset.overdue(today=today)
        return queryset


@admin.register(AnswerRevision)
class AnswerRevisionAdmin(admin.ModelAdmin):
    """
    Revisions are never changed once approved. Saving the live revision's form starts a new
    draft from it with the edited text, and the page keeps the approved text; a superseded or
    discarded revision is read-only.
    """

    form = RevisionForm
    list_display = [
        "question",
        "number",
        "state",
        "author",
        "reviewer",
        "updated_on",
        "next_review_on",
        "is_review_overdue",
    ]
    list_filter = [ReviewQueueFilter, "state", "review_kind", "question__condition"]
    list_select_related = ["question", "author", "reviewer"]
    search_fields = ["question__title", "short_answer", "change_summary"]
    autocomplete_fields = ["question"]
    inlines = [SourceInline, EventInline]
    actions = [
        "send_for_review",
        "approve_full_review",
        "approve_editorial_change",
        "discard_drafts",
    ]
    review_fields = [
        "number",
        "state",
        "version",
        "based_on",
        "author",
        "reviewer",
        "review_kind",
        "approved_at",
        "reviewed_on",
        "updated_on",
        "next_review_on",
        "workflow_links",
    ]

    def get_fields(self, request, obj=None):
        content = ["question", "short_answer", "body", "change_summary", "expected_version"]
        return content if obj is None else content + self.review_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_open or obj.is_live:
            return ["question", *self.review_fields]
        return ["question", "short_answer", "body", "change_summary", *self.review_fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(boolean=True, description="overdue")
    def is_review_overdue(self, revision: AnswerRevision) -> bool:
        return revision.is_live and revision.is_review_overdue

    @admin.display(description="review tools")
    def workflow_links(self, revision: AnswerRevision) -> str:
        links = [
            (reverse("admin:answers_answerrevision_preview", args=[revision.pk]), "Preview"),
            (reverse("admin:answers_answerrevision_diff", args=[revision.pk]), "Compare"),
        ]
        if revision.state == AnswerRevision.State.IN_REVIEW:
            links.append(
                (reverse("admin:answers_answerrevision_review", args=[revision.pk]), "Review")
            )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # --- saving through the services ---

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change or obj.is_live:
            request.answer_draft = services.create_draft(
                question=data.get("question") or obj.question,
                author=request.user,
                short_answer=data["short_answer"],
                body=data["body"],
                change_summary=data["change_summary"],
            )
        else:
            request.answer_draft = services.update_draft(
                revision=obj,
                editor=request.user,
                expected_version=data.get("expected_version") or obj.version,
                short_answer=data["short_answer"],
                body=data["body"],
                change_summary=data["change_summary"],
            )

    def save_related(self, request, form, formsets, change):
        # Inline sources belong to the draft that was written, never to a live revision.
        form.instance = request.answer_draft
        for formset in formsets:
            formset.instance = request.answer_draft
        super().save_related(request, form, formsets, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # Reached only when another save lands between the form's checks and ours; the
            # transaction rolled back, so nothing half-written remains.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        return self._to_draft(request) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._to_draft(request) or super().response_change(request, obj)

    def _to_draft(self, request):
        draft = getattr(request, "answer_draft", None)
        if draft is None or "_continue" not in request.POST:
            return None
        return HttpResponseRedirect(reverse("admin:answers_answerrevision_change", args=[draft.pk]))

    # --- workflow actions ---

    @admin.action(description="Send the selected drafts for review")
    def send_for_review(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda r: services.submit_for_review(revision=r, actor=request.user),
            then="Medical reviewers find it under “Awaiting my review”.",
        )

    @admin.action(
        description="Approve the selected revisions (full medical review)",
        permissions=["review"],
    )
    def approve_full_review(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda r: services.approve_revision(
                revision=r, reviewer=request.user, review_kind=AnswerRevision.ReviewKind.FULL
            ),
        )

    @admin.action(
        description="Approve the selected revisions (editorial change only)",
        permissions=["review"],
    )
    def approve_editorial_change(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda r: services.approve_revision(
                revision=r,
                reviewer=request.user,
                review_kind=AnswerRevision.ReviewKind.EDITORIAL,
            ),
        )

    @admin.action(description="Discard the selected drafts", permissions=["change"])
    def discard_drafts(self, request, queryset):
        self._apply(
            request, queryset, lambda r: services.discard_draft(revision=r, actor=request.user)
        )

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("answers.review_answerrevision")

    def _apply(self, request, queryset, move, *, then: str = "") -> None:
        """Make one move on each selected revision; say what each one is now, or why not."""
        for revision in queryset:
            try:
                moved = move(revision)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{revision}: {error_text(error)}", messages.ERROR)
            else:
                state = moved.get_state_display().lower()
                text = f"Revision {moved.number} of “{moved.question}” is now {state}."
                self.message_user(request, f"{text} {then}".strip(), messages.SUCCESS)

    # --- preview ---

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="answers_answerrevision_preview",
            ),
            path(
                "<int:object_id>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name="answers_answerrevision_diff",
            ),
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="answers_answerrevision_review",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id: int):
        if not self.has_view_permission(request):  # before the lookup, which would tell
            raise PermissionDenied
        revision = get_object_or_404(
            AnswerRevision.objects.select_related("question__condition", "reviewer"), pk=object_id
        )
        context = question_page_context(
            question=revision.question, revision=revision, page_number=request.GET.get("page")
        )
        context["is_preview"] = True
        return TemplateResponse(request, "answers/question_detail.html", context)

    # --- comparing revisions ---

    def _revision_or_404(self, request, object_id, *, review: bool = False) -> AnswerRevision:
        # Permission first: a 403 for a revision that exists and a 404 for one that does not
        # would tell someone without access which exist.
        if not self.has_view_permission(request) or (
            review and not self.has_review_permission(request)
        ):
            raise PermissionDenied
        return get_object_or_404(
            AnswerRevision.objects.select_related("question__condition"), pk=object_id
        )

    @staticmethod
    def _default_base(revision: AnswerRevision) -> AnswerRevision | None:
        """What a revision is best compared with: what it was written from, else the one before."""
        if revision.based_on_id:
            return revision.based_on
        return revision.question.revisions.filter(number__lt=revision.number).first()

    def diff_view(self, request, object_id: int):
        revision = self._revision_or_404(request, object_id)
        others = revision.question.revisions.exclude(pk=revision.pk).order_by("-number")
        base = self._default_base(revision)
        against = request.GET.get("against", "")
        if against.isdigit():
            base = get_object_or_404(others, pk=int(against))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Compare revisions of “{revision.question}”",
            "revision": revision,
            "base": base,
            "others": others,
            "sections": revision_diff(base, revision) if base else [],
        }
        return TemplateResponse(request, "admin/answers/answerrevision/diff.html", context)

    # --- the reviewer's decision ---

    def review_view(self, request, object_id: int):
        """Approve (full or editorial) or send back one revision, seeing what changed."""
        revision = self._revision_or_404(request, object_id, review=True)
        initial = {"change_summary": revision.change_summary, "version": revision.version}
        form = ReviewDecisionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                self._decide(request, revision, form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, error_text(error))
            else:
                return HttpResponseRedirect(
                    reverse("admin:answers_answerrevision_change", args=[revision.pk])
                )
        base = self._default_base(revision)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review revision {revision.number} of “{revision.question}”",
            "revision": revision,
            "base": base,
            "form": form,
            "sections": revision_diff(base, revision) if base else [],
            "events": revision.events.select_related("actor"),
        }
        return TemplateResponse(request, "admin/answers/answerrevision/review.html", context)

    def _decide(self, request, revision: AnswerRevision, data: dict) -> None:
        decision = data["decision"]
        if decision == ReviewDecisionForm.REQUEST_CHANGES:
            services.request_changes(revision=revision, reviewer=request.user, note=data["note"])
            self.message_user(request, "Sent back to the editor with your note.", messages.SUCCESS)
            return
        kind = (
            AnswerRevision.ReviewKind.FULL
            if decision == ReviewDecisionForm.APPROVE_FULL
            else AnswerRevision.ReviewKind.EDITORIAL
        )
        services.approve_revision(
            revision=revision,
            reviewer=request.user,
            review_kind=kind,
            change_summary=data["change_summary"],
            expected_version=data["version"],
            next_review_on=data["next_review_on"]
            if kind == AnswerRevision.ReviewKind.FULL
            else None,
        )
        self.message_user(request, "Approved: readers now see this revision.", messages.SUCCESS)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "year", "revision"]
    search_fields = ["title", "authors", "publisher", "doi", "pubmed_id"]
    list_select_related = ["revision__question"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request) -> bool:
        return False  # edited inline on their revision
