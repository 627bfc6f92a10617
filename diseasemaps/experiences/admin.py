"""
Moderation happens here, by the Moderator role. Every change goes through the services, so the
admin leaves the same record of decisions as anything else: nothing is saved directly.
"""

import datetime
import re
from html import unescape

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from diseasemaps.conditions.admin import ConditionAdmin
from diseasemaps.conditions.models import Condition
from diseasemaps.experiences import services
from diseasemaps.experiences.forms import ExperienceModerationForm, ReplyModerationForm
from diseasemaps.experiences.models import (
    Experience,
    MemberStanding,
    ModerationDecision,
    Reply,
    ReplyReport,
    Report,
    Treatment,
)


def _error_text(error: Exception) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


def _pseudonym(user) -> str:
    """How moderators see a member: their pseudonym, never their e-mail address."""
    if user is None:
        return "A former member"
    profile = getattr(user, "member_profile", None)
    return profile.display_name if profile else f"Member {user.pk}"


EXCERPT_LENGTH = 140
BULK_APPROVE_MAX = 100  # every post is shown in full before a bulk approval
_BLOCK_END = re.compile(r"</(?:p|li|blockquote|h[1-6])>|<br\s*/?>", re.IGNORECASE)


def _excerpt(html: str) -> str:
    """The start of a post as plain text, on one line."""
    text = unescape(strip_tags(_BLOCK_END.sub(" ", html)))
    return Truncator(" ".join(text.split())).chars(EXCERPT_LENGTH)


def _age(moment: datetime.datetime) -> str:
    """How long ago, in the largest unit: "3 hours ago", "2 days ago"."""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


def _age_html(moment: datetime.datetime):
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        date_format(timezone.localtime(moment), "j F Y, H:i"),
        _age(moment),
    )


APPROVAL_EFFECTS = {
    ModerationDecision.Action.APPROVE: "A new post: approving publishes it.",
    ModerationDecision.Action.APPROVE_EDIT: (
        "An edit of an approved post: approving replaces the text readers see with this one."
    ),
    ModerationDecision.Action.KEEP: (
        "A reported post: approving keeps it, shows it again if it was hidden, and resolves "
        "its reports."
    ),
}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody edits in the admin: rows are written by the services only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["name", "condition"]
    list_filter = ["condition"]
    search_fields = ["name", "condition__name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ["created_at", "reason", "details", "status", "resolved_at"]
    readonly_fields = fields
    ordering = ["status", "-created_at"]


class DecisionInline(ReadOnlyInline):
    model = ModerationDecision
    fk_name = "experience"
    fields = ["created_at", "action", "moderator", "guideline", "reason"]
    readonly_fields = fields
    verbose_name_plural = "record of decisions"


class ReplyInline(ReadOnlyInline):
    """The replies under a post, each a link to its own moderation page."""

    model = Reply
    fk_name = "experience"
    fields = ["reply_link", "status", "is_hidden", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "replies under the post"

    @admin.display(description="reply")
    def reply_link(self, reply: Reply):
        url = reverse("admin:experiences_reply_change", args=[reply.pk])
        return format_html('<a href="{}">{}</a>', url, _excerpt(reply.body_html))


class NeedsModeratorFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for a moderator")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(
                Q(status=Experience.Status.PENDING)
                | Q(has_pending_edit=True)
                | Q(open_reports__gt=0)
            )
        return queryset


class BulkApproveMixin:
    """
    The moderation queue's bulk approval, for posts and for replies: every selected item is
    shown as readers will see it, and nothing is approved until the moderator confirms there.
    """

    noun = "post"
    plural = "posts"

    def approve_one(self, request, obj, *, expected_fingerprint: str):
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "approve" in actions:
            function, name, _ = actions["approve"]
            actions["approve"] = (function, name, f"Approve the selected {self.plural}…")
        return actions

    @admin.action(description="Approve the selected items…", permissions=["moderate"])
    def approve(self, request, queryset):
        """
        Approve several posts (or replies) at once, but only once the moderator has read them:
        the first step shows each one as readers will see it once approved, and nothing is
        approved until they confirm there. Each approval is the same service call as on a
        post's own page, carrying the digest of the text shown, so a post changed in between
        is refused rather than approved unread. Posts reported because someone may be at risk
        are left out: they are decided one by one.
        """
        posts = list(
            queryset.prefetch_related(
                Prefetch(
                    "reports",
                    queryset=self.model._meta.get_field("reports")
                    .related_model.objects.open()
                    .queue_order(),
                    to_attr="open_report_list",
                )
            )
        )
        if len(posts) > BULK_APPROVE_MAX:
            self.message_user(
                request,
                f"Select at most {BULK_APPROVE_MAX} {self.plural} to approve at once: each one "
                "is shown for you to read first.",
                messages.ERROR,
            )
            return None
        entries = [self._approval_entry(post) for post in posts]
        if request.POST.get("confirm") == "yes":
            self._approve_confirmed(request, entries)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Read the {self.plural} before approving them",
            "noun": self.noun,
            "plural": self.plural,
            "entries": entries,
            "approvable": [entry for entry in entries if entry["approvable"]],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "back_url": request.get_full_path(),
        }
        return TemplateResponse(
            request, "admin/experiences/approve_selected_confirmation.html", context
        )

    def _approval_entry(self, post) -> dict:
        """One item on the confirmation page: what approving it does, and whether it may."""
        action = post.approval_action(has_open_reports=bool(post.open_report_list))
        held = ""
        if post.has_at_risk_report:
            held = (
                f"Someone may be at risk: decide on this {self.noun} on its own page, where you "
                "can read the reports."
            )
        elif action is None:
            held = f"Nothing on this {self.noun} waits for a moderator: it is left as it is."
        return {
            "post": post,
            "author": _pseudonym(post.author),
            "age": _age_html(post.created_at),
            "effect": self.approval_effects.get(action, ""),
            "condition": self.condition_of(post),
            "audience": self.audience_of(post),
            "held": held,
            "approvable": not held,
            "reports": post.open_report_list,
            "html": mark_safe(post.html_to_approve),  # noqa: S308 (sanitized when set)
            "fingerprint": post.text_fingerprint,
        }

    def _approve_confirmed(self, request, entries: list[dict]) -> None:
        for entry in entries:
            experience = entry["post"]
            if not entry["approvable"]:
                self.message_user(request, f"{experience}: {entry['held']}", messages.WARNING)
                continue
            try:
                self.approve_one(
                    request,
                    experience,
                    expected_fingerprint=request.POST.get(f"fingerprint_{experience.pk}", ""),
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{experience}: {_error_text(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{experience}: approved.", messages.SUCCESS)

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("experiences.moderate_experience")


@admin.register(Experience)
class ExperienceAdmin(BulkApproveMixin, admin.ModelAdmin):
    """
    The moderation queue: posts where someone may be at risk first, then the most reported,
    then the oldest waiting.
    """

    form = ExperienceModerationForm
    list_display = [
        "__str__",
        "excerpt",
        "author_pseudonym",
        "age",
        "open_report_count",
        "at_risk",
        "status",
        "pending_edit",
        "is_hidden",
        "audience",
        "condition",
    ]
    list_filter = [NeedsModeratorFilter, "status", "is_hidden", "audience", "condition"]
    search_fields = ["body", "pending_body", "author__member_profile__display_name"]
    search_help_text = "Search the posts' text and their authors' pseudonyms."
    inlines = [ReportInline, DecisionInline, ReplyInline]
    readonly_fields = [
        "condition",
        "question",
        "author_pseudonym",
        "audience",
        "status",
        "is_hidden",
        "body_preview",
        "pending_edit_preview",
        "treatments_list",
        "years_since_diagnosis",
        "helpful_count",
        "approved_at",
        "created_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "condition",
                    "question",
                    "author_pseudonym",
                    "audience",
                    "status",
                    "is_hidden",
                    "created_at",
                    "approved_at",
                ]
            },
        ),
        (
            "Post",
            {
                "fields": [
                    "body_preview",
                    "pending_edit_preview",
                    "treatments_list",
                    "years_since_diagnosis",
                    "helpful_count",
                ]
            },
        ),
        (
            "Decision",
            {
                "fields": [
                    "decision",
                    "guideline",
                    "reason",
                    "suspend_author",
                    "moderator_note",
                    "text_fingerprint",
                ]
            },
        ),
    ]
    actions = ["approve"]

    def get_queryset(self, request):
        # Built here rather than by super(), which orders before the annotations exist. Every
        # relation a row shows is joined here: the changelist ignores `list_select_related`
        # once the queryset has a select_related of its own.
        open_reports = Q(reports__status=Report.Status.OPEN)
        return (
            Experience.objects.select_related("author__member_profile", "condition", "question")
            .annotate(
                open_reports=Count("reports", filter=open_reports, distinct=True),
                has_at_risk_report=Exists(
                    Report.objects.open().filter(
                        experience=OuterRef("pk"), reason=Report.Reason.AT_RISK
                    )
                ),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # Annotations, so set here rather than in `ordering` (which names model fields only).
        return ["-has_at_risk_report", "-open_reports", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # members write posts on the site

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # moderators reject; authors delete their own

    @admin.display(description="open reports", ordering="open_reports")
    def open_report_count(self, experience: Experience) -> int:
        return experience.open_reports

    @admin.display(description="someone at risk", boolean=True, ordering="has_at_risk_report")
    def at_risk(self, experience: Experience) -> bool:
        return experience.has_at_risk_report

    @admin.display(description="edit waiting", boolean=True)
    def pending_edit(self, experience: Experience) -> bool:
        return experience.has_pending_edit

    @admin.display(description="author", ordering="author__member_profile__display_name")
    def author_pseudonym(self, experience: Experience) -> str:
        return _pseudonym(experience.author)

    @admin.display(description="excerpt (the edit, if one waits)")
    def excerpt(self, experience: Experience) -> str:
        return _excerpt(experience.html_to_approve)

    @admin.display(description="age", ordering="-created_at")
    def age(self, experience: Experience):
        return _age_html(experience.created_at)

    @admin.display(description="text readers see")
    def body_preview(self, experience: Experience):
        return format_html(
            '<div class="experience-body">{}</div>',
            mark_safe(experience.body_html),  # noqa: S308 (sanitized when set)
        )

    @admin.display(description="edit waiting for approval")
    def pending_edit_preview(self, experience: Experience):
        if not experience.has_pending_edit:
            return "None"
        return format_html(
            '<div class="experience-body">{}</div>',
            mark_safe(experience.pending_body_html),  # noqa: S308 (sanitized when set)
        )

    @admin.display(description="treatments")
    def treatments_list(self, experience: Experience) -> str:
        return ", ".join(t.name for t in experience.treatments.all()) or "None"

    approval_effects = APPROVAL_EFFECTS

    def approve_one(self, request, obj, *, expected_fingerprint: str):
        return services.approve_experience(
            experience=obj, moderator=request.user, expected_fingerprint=expected_fingerprint
        )

    @staticmethod
    def condition_of(post: Experience):
        return post.condition

    @staticmethod
    def audience_of(post: Experience) -> str:
        return post.get_audience_display()

    def save_model(self, request, obj, form, change):
        """Hand the note and the decision to the services, which record them."""
        data = form.cleaned_data
        experience = Experience.objects.get(pk=obj.pk)
        try:
            with transaction.atomic():  # all of it, or nothing
                if data.get("moderator_note", "") != experience.moderator_note:
                    services.set_moderator_note(
                        experience=experience, moderator=request.user, note=data["moderator_note"]
                    )
                decision = data.get("decision")
                if decision == form.APPROVE:
                    services.approve_experience(
                        experience=experience,
                        moderator=request.user,
                        reason=data["reason"],
                        expected_fingerprint=data.get("text_fingerprint") or None,
                    )
                elif decision == form.REJECT:
                    services.reject_experience(
                        experience=experience,
                        moderator=request.user,
                        guideline=data["guideline"],
                        reason=data["reason"],
                    )
                elif decision == form.REJECT_EDIT:
                    services.reject_edit(
                        experience=experience,
                        moderator=request.user,
                        guideline=data["guideline"],
                        reason=data["reason"],
                    )
                if data.get("suspend_author") and experience.author is not None:
                    services.suspend_member(
                        member=experience.author, moderator=request.user, reason=data["reason"]
                    )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, f"{experience}: {_error_text(error)}", messages.ERROR)


REPLY_APPROVAL_EFFECTS = {
    ModerationDecision.Action.APPROVE: "A new reply: approving publishes it under the post.",
    ModerationDecision.Action.KEEP: (
        "A reported reply: approving keeps it, shows it again if it was hidden, and resolves "
        "its reports."
    ),
}


class ReplyReportInline(ReadOnlyInline):
    model = ReplyReport
    fields = ["created_at", "reason", "details", "status", "resolved_at"]
    readonly_fields = fields
    ordering = ["status", "-created_at"]


class ReplyDecisionInline(DecisionInline):
    fk_name = "reply"


class ReplyNeedsModeratorFilter(NeedsModeratorFilter):
    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(Q(status=Reply.Status.PENDING) | Q(open_reports__gt=0))
        return queryset


@admin.register(Reply)
class ReplyAdmin(BulkApproveMixin, admin.ModelAdmin):
    """
    Replies in the moderation queue, in the posts' order: someone at risk first, then the most
    reported, then the oldest waiting. Each reply's page shows the post it answers.
    """

    noun = "reply"
    plural = "replies"
    approval_effects = REPLY_APPROVAL_EFFECTS
    form = ReplyModerationForm
    list_display = [
        "__str__",
        "excerpt",
        "author_pseudonym",
        "age",
        "open_report_count",
        "at_risk",
        "status",
        "is_hidden",
        "audience",
    ]
    list_filter = [ReplyNeedsModeratorFilter, "status", "is_hidden", "experience__condition"]
    search_fields = ["body", "author__member_profile__display_name"]
    search_help_text = "Search the replies' text and their authors' pseudonyms."
    inlines = [ReplyReportInline, ReplyDecisionInline]
    readonly_fields = [
        "post",
        "post_preview",
        "answering",
        "author_pseudonym",
        "audience",
        "status",
        "is_hidden",
        "body_preview",
        "created_at",
        "approved_at",
    ]
    fieldsets = [
        (None, {"fields": ["post", "post_preview", "answering"]}),
        (
            "Reply",
            {
                "fields": [
                    "author_pseudonym",
                    "audience",
                    "status",
                    "is_hidden",
                    "created_at",
                    "approved_at",
                    "body_preview",
                ]
            },
        ),
        (
            "Decision",
            {"fields": ["decision", "guideline", "reason", "suspend_author", "text_fingerprint"]},
        ),
    ]
    actions = ["approve"]

    def get_queryset(self, request):
        open_reports = Q(reports__status=Report.Status.OPEN)
        return (
            Reply.objects.select_related(
                "author__member_profile",
                "experience__condition",
                "in_reply_to__author__member_profile",
            )
            .annotate(
                open_reports=Count("reports", filter=open_reports, distinct=True),
                has_at_risk_report=Exists(
                    ReplyReport.objects.open().filter(
                        reply=OuterRef("pk"), reason=Report.Reason.AT_RISK
                    )
                ),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["-has_at_risk_report", "-open_reports", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("experiences.moderate_experience")

    def approve_one(self, request, obj, *, expected_fingerprint: str):
        return services.approve_reply(
            reply=obj, moderator=request.user, expected_fingerprint=expected_fingerprint
        )

    @staticmethod
    def condition_of(reply: Reply):
        return reply.experience.condition

    @staticmethod
    def audience_of(reply: Reply) -> str:
        return reply.experience.get_audience_display()

    open_report_count = ExperienceAdmin.open_report_count
    at_risk = ExperienceAdmin.at_risk
    author_pseudonym = ExperienceAdmin.author_pseudonym
    age = ExperienceAdmin.age

    @admin.display(description="excerpt")
    def excerpt(self, reply: Reply) -> str:
        return _excerpt(reply.body_html)

    @admin.display(description="who can read it")
    def audience(self, reply: Reply) -> str:
        return reply.experience.get_audience_display()

    @admin.display(description="under the post")
    def post(self, reply: Reply):
        url = reverse("admin:experiences_experience_change", args=[reply.experience_id])
        return format_html('<a href="{}">{}</a>', url, reply.experience)

    @admin.display(description="the post's text")
    def post_preview(self, reply: Reply):
        return format_html(
            '<div class="experience-body">{}</div>',
            mark_safe(reply.experience.body_html),  # noqa: S308 (sanitized when set)
        )

    @admin.display(description="in answer to")
    def answering(self, reply: Reply) -> str:
        if reply.in_reply_to is None:
            return "The post"
        return f"{_pseudonym(reply.in_reply_to.author)}: {_excerpt(reply.in_reply_to.body_html)}"

    @admin.display(description="reply")
    def body_preview(self, reply: Reply):
        return format_html(
            '<div class="experience-body">{}</div>',
            mark_safe(reply.body_html),  # noqa: S308 (sanitized when set)
        )

    def save_model(self, request, obj, form, change):
        """Hand the decision to the services, which record it: all of it, or nothing."""
        data = form.cleaned_data
        reply = Reply.objects.select_related("author").get(pk=obj.pk)
        try:
            with transaction.atomic():
                if data.get("decision") == form.APPROVE:
                    services.approve_reply(
                        reply=reply,
                        moderator=request.user,
                        reason=data["reason"],
                        expected_fingerprint=data.get("text_fingerprint") or None,
                    )
                elif data.get("decision") == form.REJECT:
                    services.reject_reply(
                        reply=reply,
                        moderator=request.user,
                        guideline=data["guideline"],
                        reason=data["reason"],
                    )
                if data.get("suspend_author") and reply.author is not None:
                    services.suspend_member(
                        member=reply.author, moderator=request.user, reason=data["reason"]
                    )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, f"{reply}: {_error_text(error)}", messages.ERROR)


@admin.register(ReplyReport)
class ReplyReportAdmin(ReadOnlyAdmin):
    """Reports on replies, someone-at-risk first. A moderator decides on the reply."""

    list_display = ["__str__", "reason", "status", "created_at", "reply_link"]
    list_filter = ["status", "reason"]
    readonly_fields = ["reply_link", "reason", "details", "status", "created_at", "resolved_at"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).queue_order()

    def get_ordering(self, request):
        return []

    @admin.display(description="reply")
    def reply_link(self, report: ReplyReport):
        url = reverse("admin:experiences_reply_change", args=[report.reply_id])
        return format_html('<a href="{}">Decide on reply {}</a>', url, report.reply_id)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports, someone-at-risk first. A moderator decides on the post, which resolves them."""

    list_display = ["__str__", "reason", "status", "created_at", "post"]
    list_filter = ["status", "reason"]
    list_select_related = ["experience"]
    readonly_fields = ["post", "reason", "details", "status", "created_at", "resolved_at"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).queue_order()

    def get_ordering(self, request):
        return []  # the queue order above

    @admin.display(description="post")
    def post(self, report: Report):
        url = reverse("admin:experiences_experience_change", args=[report.experience_id])
        return format_html('<a href="{}">Decide on experience {}</a>', url, report.experience_id)


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    """The record of decisions: read only, for everyone who may see it."""

    list_display = ["created_at", "action", "moderator", "experience", "reply", "guideline"]
    list_filter = ["action", "guideline"]
    list_select_related = ["moderator", "experience", "reply"]
    readonly_fields = [
        "created_at",
        "action",
        "moderator",
        "member_pseudonym",
        "experience",
        "reply",
        "guideline",
        "reason",
    ]
    fields = readonly_fields

    @admin.display(description="member")
    def member_pseudonym(self, decision: ModerationDecision) -> str:
        return _pseudonym(decision.member) if decision.member_id else "-"


@admin.register(MemberStanding)
class MemberStandingAdmin(admin.ModelAdmin):
    """Suspend or reinstate a member: untick or tick "is suspended" and say why."""

    list_display = ["__str__", "is_suspended", "suspended_at", "trust_revoked_at"]
    list_filter = ["is_suspended"]
    fields = ["member", "is_suspended", "suspension_reason", "suspended_at", "trust_revoked_at"]
    readonly_fields = ["member", "suspended_at", "trust_revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a standing exists once a member has posted

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="member")
    def member(self, standing: MemberStanding) -> str:
        return _pseudonym(standing.user)

    def save_model(self, request, obj, form, change):
        before = MemberStanding.objects.get(pk=obj.pk)
        try:
            if obj.is_suspended and not before.is_suspended:
                services.suspend_member(
                    member=obj.user, moderator=request.user, reason=obj.suspension_reason
                )
            elif not obj.is_suspended and before.is_suspended:
                services.reinstate_member(
                    member=obj.user, moderator=request.user, reason=obj.suspension_reason
                )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _error_text(error), messages.ERROR)


class TreatmentInline(admin.TabularInline):
    model = Treatment
    extra = 1
    verbose_name_plural = "treatments members can say they had"


# A condition is edited on one page, with the treatments members can say they had: the
# conditions app knows nothing of experiences, so its admin is extended here, from above.
admin.site.unregister(Condition)


@admin.register(Condition)
class ConditionWithTreatmentsAdmin(ConditionAdmin):
    inlines = [*ConditionAdmin.inlines, TreatmentInline]
