"""Questions in the admin: their revisions at a glance and their review interval."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision, Question, QuestionSuggestion
from diseasemaps.answers.signals import question_text_changed


class RevisionInline(admin.TabularInline):
    model = AnswerRevision
    fields = ["number", "state", "author", "reviewer", "updated_on", "next_review_on"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "condition",
        "is_published",
        "live_reviewed_on",
        "review_interval_months",
        "position",
    ]
    list_filter = ["condition"]
    list_select_related = ["condition", "live_revision"]
    search_fields = ["title", "condition__name", "condition__abbreviation"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["condition"]
    readonly_fields = ["live_revision_link", "suggestions_link"]
    inlines = [RevisionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(services.REVIEW_PERMISSION):
            fields.append("review_interval_months")  # a medical judgement
        return fields

    def save_model(self, request, obj, form, change):
        interval_changed = change and "review_interval_months" in form.changed_data
        if interval_changed:
            months = obj.review_interval_months
            obj.review_interval_months = form.initial["review_interval_months"]
        super().save_model(request, obj, form, change)
        if interval_changed:
            services.set_review_interval(question=obj, actor=request.user, months=months)
        if {"title", "slug"} & set(form.changed_data):
            # The title is public text: search ranks it, for one.
            question_text_changed.send(sender=Question, question=obj)
        if not change:
            self._link_suggestions(request, obj)

    def _link_suggestions(self, request, question: Question) -> None:
        """A question made from members' suggestions (the queue's action) answers them."""
        listed = request.GET.get("suggestions", "").split(",")
        ids = [int(part) for part in listed if part.isdigit()]
        if not ids:
            return
        suggestions = list(QuestionSuggestion.objects.filter(pk__in=ids))
        try:
            services.link_suggestions(
                suggestions=suggestions, question=question, editor=request.user
            )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(
                request,
                "The question is saved, but the suggestions are not linked to it: "
                + " ".join(getattr(error, "messages", [str(error)])),
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"Linked {len(suggestions)} suggested question"
                + ("" if len(suggestions) == 1 else "s")
                + " to it: the members hear when its reviewed answer is live.",
                messages.SUCCESS,
            )

    @admin.display(boolean=True, description="published")
    def is_published(self, question: Question) -> bool:
        return question.live_revision_id is not None

    @admin.display(description="last reviewed")
    def live_reviewed_on(self, question: Question):
        return question.live_revision.reviewed_on if question.live_revision_id else None

    @admin.display(description="live revision")
    def live_revision_link(self, question: Question) -> str:
        if not question.live_revision_id:
            return "None yet: add a revision and have it reviewed."
        url = reverse("admin:answers_answerrevision_change", args=[question.live_revision_id])
        return format_html('<a href="{}">{}</a>', url, question.live_revision)

    @admin.display(description="suggested by members")
    def suggestions_link(self, question: Question) -> str:
        if question.pk is None:
            return "—"
        count = question.suggestions.count()
        if not count:
            return "None"
        url = reverse("admin:answers_questionsuggestion_changelist")
        return format_html(
            '<a href="{}?question__id__exact={}">{} suggested question{}</a>',
            url,
            question.pk,
            count,
            "" if count == 1 else "s",
        )
