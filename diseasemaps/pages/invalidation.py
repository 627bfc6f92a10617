"""
When content changes, the stored public pages that show it are made again (core.pagecache).

The receivers listen to the models' own save and delete signals, so that every path that writes
(the services, the admin, the demo loader, data fixes in a shell) refreshes the pages, and they
act both at once and when the transaction commits, so that a page made between the write and
the commit is not kept. The tags:

- "site": the home page, the A–Z index and the reviewer pages (lists of conditions and of
  reviewed answers);
- "condition:<slug>": a condition's page (its questions and latest experiences);
- "question:<condition>/<slug>": a question's page and its review history;
- "all": every page; for what shows everywhere (a condition's or a reviewer's name) and for an
  erased account, all of which are rare.

A reply shows under its post: approving, hiding, rejecting or deleting it refreshes the post's
pages. A member's new pseudonym or avatar refreshes the pages that show their posts and replies;
a change to who may see their relationship to a condition, the pages of their posts on it.

What members follow, their notifications and e-mail choices (the community app) show on no
public page: a condition's or question's stored page carries only the visitor's "log in to
follow" link, and a question's members' edition only a hole where each member's follow button
goes (core.pagecache.Holes), so following refreshes nothing.

The stored figures are written with `update()`, which sends no model signal: their keepers
announce a change instead (`question_figures_changed`, `community_figures_changed`), and the
pages that show the figure are refreshed: a question's page for its posts' figures; a
condition's page, its questions' pages and the site's lists for its community figure.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from diseasemaps.answers.models import AnswerRevision, Question, Source
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.core.pagecache import EVERYTHING, invalidate, tag
from diseasemaps.experiences.models import Experience, Reply, Treatment
from diseasemaps.experiences.signals import question_figures_changed
from diseasemaps.members.models import MemberCondition, MemberProfile, ReviewerProfile, User
from diseasemaps.members.signals import community_figures_changed

SITE = "site"


def _refresh(*tags: str) -> None:
    """
    Refresh at once, and again when the transaction commits: a page made from the old rows by
    a request that ran between the two would otherwise be kept under the new version.
    """
    tags = tuple(dict.fromkeys(tags))  # in order, once each
    invalidate(*tags)
    transaction.on_commit(lambda: invalidate(*tags))


def _question_tags(condition_slug: str, slug: str) -> list[str]:
    return [tag("question", condition_slug, slug), tag("condition", condition_slug), SITE]


def _question_tags_of(question_id: int | None) -> list[str]:
    if question_id is None:
        return []
    row = Question.objects.filter(pk=question_id).values_list("condition__slug", "slug").first()
    return _question_tags(*row) if row else []


def everything_changed(sender, **kwargs) -> None:
    _refresh(EVERYTHING)


def remember_question_address(sender, instance: Question, raw=False, **kwargs) -> None:
    """Before a question is saved: its old address, whose page must go if it moves."""
    instance._page_tags_before = _question_tags_of(instance.pk) if instance.pk else []


def question_changed(sender, instance: Question, **kwargs) -> None:
    before = getattr(instance, "_page_tags_before", [])
    slug = Condition.objects.filter(pk=instance.condition_id).values_list("slug", flat=True)
    now = _question_tags(slug.first() or "", instance.slug)
    _refresh(*before, *now)


def revision_changed(sender, instance: AnswerRevision, **kwargs) -> None:
    """Drafts are not public: only a revision that is or was live shows on a page."""
    if instance.state in (AnswerRevision.State.APPROVED, AnswerRevision.State.SUPERSEDED):
        _refresh(*_question_tags_of(instance.question_id))


def source_changed(sender, instance: Source, **kwargs) -> None:
    revision = AnswerRevision.objects.filter(pk=instance.revision_id).first()
    if revision is not None:
        revision_changed(AnswerRevision, revision)


def experience_changed(sender, instance: Experience, **kwargs) -> None:
    slug = Condition.objects.filter(pk=instance.condition_id).values_list("slug", flat=True)
    _refresh(tag("condition", slug.first() or ""), *_question_tags_of(instance.question_id))


def reply_changed(sender, instance: Reply, **kwargs) -> None:
    """A reply is shown under its post, on the post's question and condition pages."""
    row = (
        Experience.objects.filter(pk=instance.experience_id)
        .values("condition__slug", "question_id")
        .first()
    )
    if row is not None:
        _refresh(tag("condition", row["condition__slug"]), *_question_tags_of(row["question_id"]))


def question_figures_moved(sender, question_ids, **kwargs) -> None:
    rows = Question.objects.filter(pk__in=question_ids).values_list("condition__slug", "slug")
    tags = [tag("question", condition_slug, slug) for condition_slug, slug in rows]
    if tags:
        _refresh(*tags)


def community_figures_moved(sender, condition_ids, **kwargs) -> None:
    """The figure shows on the condition's page, on each of its questions and on home."""
    slugs = Condition.objects.filter(pk__in=condition_ids).values_list("slug", flat=True)
    questions = Question.objects.filter(condition_id__in=condition_ids).values_list(
        "condition__slug", "slug"
    )
    _refresh(
        SITE,
        *(tag("condition", slug) for slug in slugs),
        *(tag("question", condition_slug, slug) for condition_slug, slug in questions),
    )


SHOWN_WITH_POSTS = ("display_name", "avatar_small")


def remember_how_member_is_shown(sender, instance: MemberProfile, raw=False, **kwargs) -> None:
    old = MemberProfile.objects.filter(pk=instance.pk).values(*SHOWN_WITH_POSTS).first()
    instance._page_shown_before = old


def member_shown_changed(sender, instance: MemberProfile, created=False, **kwargs) -> None:
    """A new pseudonym or avatar: the pages that show the member's posts."""
    old = getattr(instance, "_page_shown_before", None)
    if created or old is None:
        return
    if all(old[name] == getattr(instance, name) for name in SHOWN_WITH_POSTS):
        return
    tags = []
    posts = Experience.objects.filter(author_id=instance.user_id).values_list(
        "condition__slug", "question__slug"
    )
    replied_on = Experience.objects.filter(replies__author_id=instance.user_id).values_list(
        "condition__slug", "question__slug"
    )
    for condition_slug, question_slug in {*posts.distinct(), *replied_on.distinct()}:
        tags.append(tag("condition", condition_slug))
        if question_slug:
            tags.extend(_question_tags(condition_slug, question_slug))
    if tags:
        _refresh(*tags)


def relationship_shown_changed(sender, instance: MemberCondition, **kwargs) -> None:
    """
    Whether a member's relationship to a condition is shown beside their posts on it ("Lives
    with it") follows who may see it: the pages of their posts on that condition.
    """
    posts = Experience.objects.filter(
        author_id=instance.user_id, condition_id=instance.condition_id
    )
    tags = []
    for condition_slug, question_slug in posts.values_list(
        "condition__slug", "question__slug"
    ).distinct():
        tags.append(tag("condition", condition_slug))
        if question_slug:
            tags.extend(_question_tags(condition_slug, question_slug))
    if tags:
        _refresh(*tags)


def connect() -> None:
    """Called once, from PagesConfig.ready()."""
    for model in (Condition, ConditionAlias, Treatment, ReviewerProfile):
        post_save.connect(everything_changed, sender=model, dispatch_uid=f"pages.all.{model}")
        post_delete.connect(everything_changed, sender=model, dispatch_uid=f"pages.all-{model}")
    # Not on save: a log-in saves the user.
    post_delete.connect(everything_changed, sender=User, dispatch_uid="pages.all-user")
    question_figures_changed.connect(question_figures_moved, dispatch_uid="pages.figures.q")
    community_figures_changed.connect(community_figures_moved, dispatch_uid="pages.figures.c")
    pre_save.connect(remember_question_address, sender=Question, dispatch_uid="pages.q-before")
    pre_save.connect(remember_how_member_is_shown, sender=MemberProfile, dispatch_uid="pages.m0")
    post_save.connect(member_shown_changed, sender=MemberProfile, dispatch_uid="pages.m1")
    post_save.connect(relationship_shown_changed, sender=MemberCondition, dispatch_uid="pages.mc")
    post_delete.connect(
        relationship_shown_changed, sender=MemberCondition, dispatch_uid="pages.mc-"
    )
    for signal, uid in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(question_changed, sender=Question, dispatch_uid=f"pages.q.{uid}")
        signal.connect(revision_changed, sender=AnswerRevision, dispatch_uid=f"pages.r.{uid}")
        signal.connect(source_changed, sender=Source, dispatch_uid=f"pages.s.{uid}")
        signal.connect(experience_changed, sender=Experience, dispatch_uid=f"pages.e.{uid}")
        signal.connect(reply_changed, sender=Reply, dispatch_uid=f"pages.reply.{uid}")
