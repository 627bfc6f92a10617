"""
Every write to members' experiences and the replies under them: sharing, replying, editing,
reactions, reports and moderation. Replies follow the posts' rules through the same helpers.

Each function is atomic and locks the post it changes (`select_for_update`), so that two
requests racing on the same post (two reports, a double click on "This helped me") see each
other's effect: counts stay equal to the rows behind them. Every function that changes which
posts readers see, or who wrote them, counts its question's stored figures again before it
returns (figures.py), after locking the post: posts first, then questions, always in that
order, so that no two writers wait for each other.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.audit import audit_on_commit
from diseasemaps.core.seo import absolute_url
from diseasemaps.core.tasks import queue_email
from diseasemaps.experiences.figures import refresh_question_figures
from diseasemaps.experiences.models import (
    BODY_MIN_LENGTH,
    REPLY_MIN_LENGTH,
    BaseReport,
    Experience,
    Guideline,
    MemberStanding,
    ModerationDecision,
    Reaction,
    Reply,
    ReplyReport,
    Report,
    Treatment,
)
from diseasemaps.experiences.signals import experience_published, reply_published
from diseasemaps.members.models import MemberCondition, User

Action = ModerationDecision.Action


# --- Reads the rules depend on ------------------------------------------------------------------


def standing_of(user: User) -> MemberStanding | None:
    return MemberStanding.objects.filter(user=user).first()


def is_suspended(user: User) -> bool:
    standing = standing_of(user)
    return standing is not None and standing.is_suspended


def is_trusted(user: User) -> bool:
    """
    Trusted members' posts and replies appear without waiting for a moderator: those with at
    least DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER posts and replies approved since their last
    rejection (of a post, an edit or a reply).
    """
    standing = standing_of(user)
    if standing is not None and standing.is_suspended:
        return False
    needed = settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER
    approved = 0
    for model in (Experience, Reply):
        rows = model.objects.filter(author=user, status=model.Status.APPROVED)
        if standing is not None and standing.trust_revoked_at is not None:
            rows = rows.filter(approved_at__gt=standing.trust_revoked_at)
        approved += rows.count()
        if approved >= needed:
            return True
    return approved >= needed


def may_share_on(user: User, condition: Condition) -> bool:
    """Members share on a condition they said they live with, or care for someone with."""
    return (
        user.is_authenticated
        and MemberCondition.objects.filter(user=user, condition=condition).exists()
    )


def _check_may_write(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to do this.")
    if is_suspended(user):
        raise PermissionDenied(
            "Your account is suspended from posting. A moderator wrote to you about why."
        )


def _check_moderator(user: User, permission: str = "experiences.moderate_experience") -> None:
    if not user.has_perm(permission):
        raise PermissionDenied("Only a moderator can do this.")


def _check_body(body: str, minimum: int = BODY_MIN_LENGTH) -> None:
    if len(body.strip()) < minimum:
        raise ValidationError(
            {"body": f"Please write at least {minimum} characters."},
            code="too_short",
        )


def _check_treatments(treatments: list[Treatment], condition: Condition) -> None:
    if any(t.condition_id != condition.pk for t in treatments):
        raise ValidationError({"treatments": "Choose treatments listed for this condition."})


def _locked(experience: Experience) -> Experience:
    return Experience.objects.select_for_update().get(pk=experience.pk)


def _record(
    *,
    action: str,
    experience: Experience | None,
    member: User | None,
    moderator: User | None = None,
    guideline: str = "",
    reason: str = "",
    reply: Reply | None = None,
) -> ModerationDecision:
    decision = ModerationDecision.objects.create(
        action=action,
        experience=experience,
        reply=reply,
        member=member,
        moderator=moderator,
        guideline=guideline,
        reason=reason,
    )
    audit_on_commit(
        "moderation_decision",
        user=moderator,
        action=action,
        guideline=guideline,
        decision_id=decision.pk,
        experience_id=experience.pk if experience else None,
        reply_id=reply.pk if reply else None,
        member_id=member.pk if member else None,
    )
    return decision


def _notify_author(*, experience: Experience | Reply, decision: ModerationDecision) -> None:
    """
    Tell the author of a post or a reply what a moderator decided, once the decision is
    committed. The subject names no condition: a shared inbox or a lock screen must not reveal
    a diagnosis.
    """
    author = experience.author
    if author is None or not author.email:
        return
    is_reply = isinstance(experience, Reply)
    context = {
        "decision": decision,
        "is_reply": is_reply,
        "guideline": Guideline(decision.guideline).label if decision.guideline else "",
        "url": absolute_url(experience.get_absolute_url()),
        "guidelines_url": absolute_url(reverse("experiences:guidelines")),
        "site_name": settings.DISEASEMAPS_SITE_NAME,
    }
    noun = "reply" if is_reply else "post"
    subject = f"A moderator has looked at your {noun} on {settings.DISEASEMAPS_SITE_NAME}"
    body = render_to_string("experiences/email/decision.txt", context)
    queue_email(EmailMessage(subject=subject, body=body, to=[author.email]))


# --- Sharing ------------------------------------------------------------------------------------


@transaction.atomic
def submit_experience(
    *,
    author: User,
    condition: Condition,
    body: str,
    question: Question | None = None,
    audience: str = Experience.Audience.EVERYONE,
    treatments: Iterable[Treatment] = (),
    years_since_diagnosis: int | None = None,
    submission_key: str = "",
) -> Experience:
    """
    Save a member's post. It waits for a moderator unless the author is trusted, in which case
    it is published at once (and the decision recorded). The author must have the condition on
    their profile and not be suspended; the question, if any, must belong to the condition, and
    so must every treatment named. The post keeps the relationship to the condition the author
    wrote from (living with it, or caring for someone with it), for good.

    `submission_key` is the share form's random key: a form sent again with the same key (a
    retry after an error or a timeout, a double click) returns the post already saved instead
    of saving a second one; the database's unique constraint settles two sent at once.
    """
    if submission_key:
        existing = Experience.objects.filter(author=author, submission_key=submission_key).first()
        if existing is not None:
            return existing
    _check_may_write(author)
    written_as = (
        MemberCondition.objects.filter(user=author, condition=condition)
        .values_list("relationship", flat=True)
        .first()
    )
    if written_as is None:
        raise PermissionDenied("Add this condition to your profile before sharing on it.")
    _check_body(body)
    MemberStanding.objects.get_or_create(user=author)
    experience = Experience(
        author=author,
        condition=condition,
        written_as=written_as,
        question=question,
        audience=audience,
        years_since_diagnosis=years_since_diagnosis,
        submission_key=submission_key,
    )
    experience.set_body(body)
    treatments = list(treatments)
    _check_treatments(treatments, condition)
    # The key's uniqueness is the database's to settle (below), also for two at the same moment.
    experience.full_clean(exclude=["submission_key"])
    trusted = is_trusted(author)
    if trusted:
        experience.status = Experience.Status.APPROVED
        experience.approved_at = timezone.now()
    try:
        with transaction.atomic():
            experience.save()
    except IntegrityError:
        if not submission_key:
            raise
        # The same form, sent at the same moment, was saved by the other request.
        return Experience.objects.get(author=author, submission_key=submission_key)
    experience.treatments.set(treatments)
    if trusted:
        _record(action=Action.PUBLISH_TRUSTED, experience=experience, member=author)
        _refresh_figures(experience)
        experience_published.send(sender=Experience, experience=experience)
    return experience


def _refresh_figures(experience: Experience) -> None:
    refresh_question_figures([experience.question_id])


@transaction.atomic
def edit_experience(
    *,
    experience: Experience,
    editor: User,
    body: str,
    audience: str,
    treatments: Iterable[Treatment] = (),
    years_since_diagnosis: int | None = None,
) -> Experience:
    """
    The author changes their post. The facets (audience, treatments, years) apply at once. A new
    text applies at once too, except on an approved post of an author not yet trusted: then it
    waits beside the approved text, which readers keep seeing until a moderator decides. A
    rejected post that is edited goes back to the moderators.
    """
    _check_may_write(editor)
    experience = _locked(experience)
    if experience.author_id != editor.pk:
        raise PermissionDenied("You can only edit your own posts.")
    _check_body(body)
    treatments = list(treatments)
    _check_treatments(treatments, experience.condition)
    experience.audience = audience
    experience.years_since_diagnosis = years_since_diagnosis
    text_changed = body != experience.body
    if experience.status == Experience.Status.APPROVED and text_changed:
        if is_trusted(editor):
            experience.set_body(body)
            experience.clear_pending_edit()
        else:
            experience.set_pending_body(body)
    elif text_changed or experience.has_pending_edit:
        experience.set_body(body)
        experience.clear_pending_edit()
    if experience.status == Experience.Status.REJECTED:
        experience.status = Experience.Status.PENDING
    experience.full_clean()
    experience.save()
    experience.treatments.set(treatments)
    _refresh_figures(experience)
    return experience


@transaction.atomic
def delete_experience(*, experience: Experience, actor: User) -> None:
    """The author deletes their post, with its reactions and reports; decisions stay."""
    experience = _locked(experience)
    if experience.author_id != actor.pk:
        raise PermissionDenied("You can only delete your own posts.")
    question_id = experience.question_id
    experience.delete()
    refresh_question_figures([question_id])


# --- Reactions and reports ----------------------------------------------------------------------


@transaction.atomic
def toggle_helpful(*, experience: Experience, user: User) -> bool:
    """
    "This helped me": add the member's reaction, or take it back. Returns whether the member
    now finds the post helpful. The post's count changes in the same transaction.
    """
    _check_may_write(user)
    experience = _locked(experience)
    if not experience.is_visible:
        raise ValidationError("This post is not published.")
    if experience.author_id == user.pk:
        raise ValidationError("You cannot mark your own post as helpful.")
    deleted, _ = Reaction.objects.filter(experience=experience, user=user).delete()
    if deleted:
        experience.helpful_count = Reaction.objects.filter(experience=experience).count()
        experience.save(update_fields=["helpful_count"])
        return False
    Reaction.objects.create(experience=experience, user=user)
    experience.helpful_count = Reaction.objects.filter(experience=experience).count()
    experience.save(update_fields=["helpful_count"])
    return True


@transaction.atomic
def report_experience(
    *, experience: Experience, reporter: User, reason: str, details: str = ""
) -> Report:
    """
    A member reports a post to the moderators. When DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS
    different members have open reports on it, the post is hidden until a moderator decides.
    """
    _check_may_write(reporter)
    experience = _locked(experience)
    report, hide = _file_report(
        target=experience,
        report=Report(experience=experience, reporter=reporter, reason=reason, details=details),
        noun="post",
    )
    if hide:
        experience.is_hidden = True
        experience.save(update_fields=["is_hidden", "updated_at"])
        _refresh_figures(experience)
        _record(
            action=Action.HIDE,
            experience=experience,
            member=experience.author,
            reason=f"{hide} members reported it.",
        )
    return report


def _file_report(*, target: Experience | Reply, report: BaseReport, noun: str):
    """
    Save a member's report on a (locked) post or reply: never on their own, one open report per
    member. Alerts the moderators when someone may be at risk. Returns the report, and the
    number of members reporting when that many must hide the target now (else 0).
    """
    if target.author_id == report.reporter_id:
        raise ValidationError(f"You cannot report your own {noun}.")
    if report.reason not in BaseReport.Reason.values:
        raise ValidationError({"reason": "Choose a reason."})
    already = f"You have already reported this {noun}. A moderator will look at it."
    open_reports = type(report).objects.open().filter(**{report.target_field: target})
    if open_reports.filter(reporter=report.reporter_id).exists():
        raise ValidationError(already)
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(already) from None
    reporters = open_reports.filter(reporter__isnull=False).values("reporter").distinct().count()
    if report.reason == BaseReport.Reason.AT_RISK:
        _alert_moderators(target)
    if not target.is_hidden and reporters >= settings.DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS:
        return report, reporters
    return report, 0


def _alert_moderators(target: Experience | Reply) -> None:
    """
    A report that someone may be at risk should not wait for a moderator to open the queue:
    every moderator gets an e-mail (naming no condition and quoting nothing) once it is saved.
    """
    moderators = ModelBackend().with_perm(
        "experiences.moderate_experience", is_active=True, include_superusers=False
    )
    recipients = sorted(moderators.values_list("email", flat=True))
    if not recipients:
        return
    noun = "reply" if isinstance(target, Reply) else "post"
    url = absolute_url(
        reverse(f"admin:experiences_{target._meta.model_name}_change", args=[target.pk])
    )
    subject = f"{settings.DISEASEMAPS_SITE_NAME}: a report says someone may be at risk"
    body = (
        f"A member reported a {noun} because someone may be at risk. It is at the top of the "
        f"moderation queue:\n{url}\n"
    )
    for recipient in recipients:  # one message each: moderators never see each other's address
        queue_email(EmailMessage(subject=subject, body=body, to=[recipient]))


def _resolve_reports(target: Experience | Reply, moderator: User) -> int:
    reports = target.reports.filter(status=BaseReport.Status.OPEN)
    return reports.update(
        status=BaseReport.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=moderator
    )


def _recount_helpful(experience_ids: Iterable[int]) -> None:
    """Set each post's helpful count to its reactions, in one statement."""
    reactions = (
        Reaction.objects.filter(experience=models.OuterRef("pk"))
        .order_by()
        .values("experience")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    Experience.objects.filter(pk__in=list(experience_ids)).update(
        helpful_count=Coalesce(models.Subquery(reactions), 0)
    )


# --- A member's erasure (members.services.erase_account, through members/registry.py) --------


def erase_reactions(reactions: models.QuerySet) -> int:
    """
    A departing member's "this helped me" go, and every post they were on counts its
    reactions again, locked as toggle_helpful locks them (in order, so that two erasures and
    a click cannot deadlock). Returns how many reactions were deleted.
    """
    experience_ids = sorted(set(reactions.values_list("experience_id", flat=True)))
    list(
        Experience.objects.select_for_update()
        .filter(pk__in=experience_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deleted, _ = reactions.delete()
    _recount_helpful(experience_ids)
    return deleted


def keep_posts_of_former_member(experiences: models.QuerySet) -> int:
    """
    A departing member keeps their posts, shown as "a former member": the link to the account
    goes, and the posts on each condition share one new random key, so that they still count
    as one person. A key per condition, never one for the account, so that nothing ties their
    posts on one condition to those on another. Returns how many posts were kept.
    """
    kept = 0
    question_ids = set(experiences.values_list("question_id", flat=True))
    condition_ids = sorted(set(experiences.values_list("condition_id", flat=True)))
    for condition_id in condition_ids:
        kept += experiences.filter(condition_id=condition_id).update(
            author=None, former_author_key=uuid.uuid4()
        )
    refresh_question_figures(question_ids)
    return kept


def erase_posts(experiences: models.QuerySet) -> int:
    """
    A departing member's posts go, with their reactions and reports, and the questions they
    were on count their figures again. Returns how many rows were deleted.
    """
    question_ids = set(experiences.values_list("question_id", flat=True))
    deleted, _ = experiences.delete()
    refresh_question_figures(question_ids)
    return deleted


def anonymise_reports(reports: models.QuerySet) -> int:
    """
    A departing member's reports stay for the moderators' record (the post, the reason, what
    was decided), without the reporter and without the words they wrote. Returns how many.
    """
    return reports.update(reporter=None, details="")


# --- Moderation ---------------------------------------------------------------------------------


@transaction.atomic
def approve_experience(
    *,
    experience: Experience,
    moderator: User,
    reason: str = "",
    expected_fingerprint: str | None = None,
) -> Experience:
    """
    A moderator approves whatever waits on a post: a new post is published, an edit replaces
    the approved text, and a reported (perhaps hidden) post is kept and shown again, its open
    reports resolved. The author hears about a new post or an edit.

    `expected_fingerprint` is the `text_fingerprint` of the text the moderator read: if the
    author changed the text since, the approval is refused, so nobody approves unread text.
    """
    _check_moderator(moderator)
    experience = _locked(experience)
    if expected_fingerprint is not None and expected_fingerprint != experience.text_fingerprint:
        raise ValidationError(
            "The author changed this post after you opened it. Read it again before approving."
        )
    action = experience.approval_action(
        has_open_reports=Report.objects.open().filter(experience=experience).exists()
    )
    if action is None:
        raise ValidationError("Nothing on this post is waiting for a moderator.")
    if action == Action.APPROVE:
        experience.status = Experience.Status.APPROVED
        experience.approved_at = timezone.now()
    if experience.has_pending_edit:
        experience.set_body(experience.pending_body)
        experience.clear_pending_edit()
    experience.is_hidden = False
    experience.save()
    _resolve_reports(experience, moderator)
    _refresh_figures(experience)
    decision = _record(
        action=action,
        experience=experience,
        member=experience.author,
        moderator=moderator,
        reason=reason,
    )
    if action != Action.KEEP:
        _notify_author(experience=experience, decision=decision)
    if action == Action.APPROVE:
        experience_published.send(sender=Experience, experience=experience)
    return experience


@transaction.atomic
def reject_experience(
    *, experience: Experience, moderator: User, guideline: str, reason: str = ""
) -> Experience:
    """
    A moderator rejects a post (new, or published and reported), naming the guideline it breaks.
    It disappears from every page, its open reports are resolved, the author's trust is
    revoked, and the author is told why.
    """
    _check_moderator(moderator)
    if guideline not in Guideline.values:
        raise ValidationError({"guideline": "Choose the guideline the post breaks."})
    experience = _locked(experience)
    if experience.status == Experience.Status.REJECTED:
        raise ValidationError("This post is already rejected.")
    experience.status = Experience.Status.REJECTED
    experience.approved_at = None
    experience.is_hidden = False
    experience.clear_pending_edit()
    experience.save()
    _resolve_reports(experience, moderator)
    _refresh_figures(experience)
    _conclude_rejection(
        experience, moderator=moderator, action=Action.REJECT, guideline=guideline, reason=reason
    )
    return experience


@transaction.atomic
def reject_edit(
    *, experience: Experience, moderator: User, guideline: str, reason: str = ""
) -> Experience:
    """
    A moderator turns down an edit of an approved post: the approved text stays, the edit is
    dropped, the author's trust is revoked and the author is told why.
    """
    _check_moderator(moderator)
    if guideline not in Guideline.values:
        raise ValidationError({"guideline": "Choose the guideline the edit breaks."})
    experience = _locked(experience)
    if not experience.has_pending_edit:
        raise ValidationError("This post has no edit waiting.")
    experience.clear_pending_edit()
    experience.save()
    _conclude_rejection(
        experience,
        moderator=moderator,
        action=Action.REJECT_EDIT,
        guideline=guideline,
        reason=reason,
    )
    return experience


def _conclude_rejection(
    experience: Experience | Reply, *, moderator: User, action: str, guideline: str, reason: str
) -> None:
    """
    What every rejection (of a post, an edit or a reply) causes: trust revoked, the decision
    recorded, the author told.
    """
    _revoke_trust(experience.author)
    is_reply = isinstance(experience, Reply)
    decision = _record(
        action=action,
        experience=None if is_reply else experience,
        reply=experience if is_reply else None,
        member=experience.author,
        moderator=moderator,
        guideline=guideline,
        reason=reason,
    )
    _notify_author(experience=experience, decision=decision)


def _revoke_trust(author: User | None) -> None:
    if author is None:
        return
    standing, _ = MemberStanding.objects.get_or_create(user=author)
    standing.trust_revoked_at = timezone.now()
    standing.save(update_fields=["trust_revoked_at", "updated_at"])


@transaction.atomic
def set_moderator_note(*, experience: Experience, moderator: User, note: str) -> Experience:
    """
    A short public note shown with the post ("see the reviewed answer above"): a moderator's
    alternative to removing a post that is honest but could mislead.
    """
    _check_moderator(moderator)
    experience = _locked(experience)
    note = note.strip()
    if note == experience.moderator_note:
        return experience
    experience.moderator_note = note
    experience.full_clean()
    experience.save(update_fields=["moderator_note", "updated_at"])
    _record(
        action=Action.NOTE,
        experience=experience,
        member=experience.author,
        moderator=moderator,
        reason=note or "(note removed)",
    )
    return experience


@transaction.atomic
def suspend_member(*, member: User, moderator: User, reason: str) -> MemberStanding:
    """Stop a member from sharing, editing, reacting and reporting, and revoke their trust."""
    _check_moderator(moderator, "experiences.suspend_member")
    if not reason.strip():
        raise ValidationError({"suspension_reason": "Say why the member is suspended."})
    if member.pk == moderator.pk:
        raise ValidationError("You cannot suspend yourself.")
    standing, _ = MemberStanding.objects.select_for_update().get_or_create(user=member)
    if standing.is_suspended:
        raise ValidationError("This member is already suspended.")
    now = timezone.now()
    standing.is_suspended = True
    standing.suspended_at = now
    standing.suspension_reason = reason.strip()
    standing.trust_revoked_at = now
    standing.save()
    _record(
        action=Action.SUSPEND,
        experience=None,
        member=member,
        moderator=moderator,
        reason=reason.strip(),
    )
    return standing


@transaction.atomic
def reinstate_member(*, member: User, moderator: User, reason: str = "") -> MemberStanding:
    """Lift a suspension. Trust is earned again from new approved posts."""
    _check_moderator(moderator, "experiences.suspend_member")
    standing, _ = MemberStanding.objects.select_for_update().get_or_create(user=member)
    if not standing.is_suspended:
        raise ValidationError("This member is not suspended.")
    standing.is_suspended = False
    standing.suspended_at = None
    standing.save()
    _record(
        action=Action.REINSTATE,
        experience=None,
        member=member,
        moderator=moderator,
        reason=reason.strip(),
    )
    return standing


# --- Replies under a post -----------------------------------------------------------------------


def may_reply_to(user: User, experience: Experience) -> bool:
    """
    Who may reply: a member who lives with the post's condition, or cares for someone who does
    (it is on their profile), as for sharing a post. The conversation stays among the people
    the product is for; anyone else can read, react and report. A post's author may always
    answer under their own post.
    """
    if user.is_authenticated and experience.author_id == user.pk:
        return True
    return may_share_on(user, experience.condition)


def _locked_reply(reply: Reply) -> Reply:
    return Reply.objects.select_for_update().select_related("experience").get(pk=reply.pk)


@transaction.atomic
def submit_reply(
    *,
    author: User,
    experience: Experience,
    body: str,
    in_reply_to: Reply | None = None,
    submission_key: str = "",
) -> Reply:
    """
    Save a member's reply under a visible post, perhaps answering another reply on it. It waits
    for a moderator unless the author is trusted (the posts' rule), in which case it is published
    at once and `reply_published` is sent. The author must not be suspended and must have the
    post's condition on their profile (`may_reply_to`). `submission_key` works as for posts: the
    same form sent twice saves one reply.
    """
    if submission_key:
        existing = Reply.objects.filter(author=author, submission_key=submission_key).first()
        if existing is not None:
            return existing
    _check_may_write(author)
    experience = _locked(experience)
    if not experience.is_visible:
        raise ValidationError("This post is not published: it cannot be replied to.")
    if not may_reply_to(author, experience):
        raise PermissionDenied("Add this condition to your profile before replying on it.")
    _check_body(body, REPLY_MIN_LENGTH)
    if in_reply_to is not None and not (
        in_reply_to.experience_id == experience.pk and in_reply_to.is_visible
    ):
        raise ValidationError({"in_reply_to": "Choose a published reply under this post."})
    MemberStanding.objects.get_or_create(user=author)
    reply = Reply(
        experience=experience,
        author=author,
        in_reply_to=in_reply_to,
        submission_key=submission_key,
    )
    reply.set_body(body)
    reply.full_clean(exclude=["submission_key"])
    trusted = is_trusted(author)
    if trusted:
        reply.status = Reply.Status.APPROVED
        reply.approved_at = timezone.now()
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        if not submission_key:
            raise
        return Reply.objects.get(author=author, submission_key=submission_key)
    if trusted:
        _record(action=Action.PUBLISH_TRUSTED, experience=None, reply=reply, member=author)
        reply_published.send(sender=Reply, reply=reply)
    return reply


@transaction.atomic
def delete_reply(*, reply: Reply, actor: User) -> None:
    """The author deletes their reply, with its reports; replies naming it stay, unlinked."""
    reply = _locked_reply(reply)
    if reply.author_id != actor.pk:
        raise PermissionDenied("You can only delete your own replies.")
    reply.delete()


@transaction.atomic
def report_reply(*, reply: Reply, reporter: User, reason: str, details: str = "") -> ReplyReport:
    """A member reports a reply; as with posts, enough reports hide it until a moderator decides."""
    _check_may_write(reporter)
    reply = _locked_reply(reply)
    report, hide = _file_report(
        target=reply,
        report=ReplyReport(reply=reply, reporter=reporter, reason=reason, details=details),
        noun="reply",
    )
    if hide:
        reply.is_hidden = True
        reply.save(update_fields=["is_hidden", "updated_at"])
        _record(
            action=Action.HIDE,
            experience=None,
            reply=reply,
            member=reply.author,
            reason=f"{hide} members reported it.",
        )
    return report


@transaction.atomic
def approve_reply(
    *,
    reply: Reply,
    moderator: User,
    reason: str = "",
    expected_fingerprint: str | None = None,
) -> Reply:
    """
    A moderator publishes a waiting reply (`reply_published` is sent, once), or keeps a reported
    one and shows it again, resolving its reports. As for posts, `expected_fingerprint` refuses
    an approval of text the moderator did not read.
    """
    _check_moderator(moderator)
    reply = _locked_reply(reply)
    if expected_fingerprint is not None and expected_fingerprint != reply.text_fingerprint:
        raise ValidationError(
            "The author changed this reply after you opened it. Read it again before approving."
        )
    action = reply.approval_action(has_open_reports=reply.reports.open().exists())
    if action is None:
        raise ValidationError("Nothing on this reply is waiting for a moderator.")
    if action == Action.APPROVE:
        reply.status = Reply.Status.APPROVED
        reply.approved_at = timezone.now()
    reply.is_hidden = False
    reply.save()
    _resolve_reports(reply, moderator)
    decision = _record(
        action=action,
        experience=None,
        reply=reply,
        member=reply.author,
        moderator=moderator,
        reason=reason,
    )
    if action == Action.APPROVE:
        _notify_author(experience=reply, decision=decision)
        reply_published.send(sender=Reply, reply=reply)
    return reply


@transaction.atomic
def reject_reply(*, reply: Reply, moderator: User, guideline: str, reason: str = "") -> Reply:
    """
    A moderator rejects a reply (new, or published and reported), naming the guideline it
    breaks: it disappears, its reports are resolved, the author's trust is revoked and the
    author is told why.
    """
    _check_moderator(moderator)
    if guideline not in Guideline.values:
        raise ValidationError({"guideline": "Choose the guideline the reply breaks."})
    reply = _locked_reply(reply)
    if reply.status == Reply.Status.REJECTED:
        raise ValidationError("This reply is already rejected.")
    reply.status = Reply.Status.REJECTED
    reply.approved_at = None
    reply.is_hidden = False
    reply.save()
    _resolve_reports(reply, moderator)
    _conclude_rejection(
        reply, moderator=moderator, action=Action.REJECT, guideline=guideline, reason=reason
    )
    return reply


def keep_replies_of_former_member(replies: models.QuerySet) -> int:
    """A departing member who keeps their posts keeps their replies too, as "a former member"."""
    return replies.update(author=None)
