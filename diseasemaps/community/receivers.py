"""
What the community does when the apps below announce something (their signals): queue one task
once the transaction commits. The work, however many followers, runs on the queue.
"""

from django.db import transaction

from diseasemaps.community import tasks


def experience_published(sender, *, experience, **kwargs) -> None:
    experience_id = experience.pk
    transaction.on_commit(lambda: tasks.fan_out_experience.enqueue(experience_id=experience_id))


def reply_published(sender, *, reply, **kwargs) -> None:
    """The post's author and the author of the reply it answers; never the reply's own author."""
    author_id = getattr(reply.author, "pk", None)
    post_author_id = reply.experience.author_id
    parent = reply.in_reply_to
    parent_author_id = getattr(getattr(parent, "author", None), "pk", None)
    kwargs = {
        "reply_key": f"reply:{reply.pk}",
        "url": reply.get_absolute_url(),
        "post_author_id": None if post_author_id == author_id else post_author_id,
        "parent_author_id": None if parent_author_id == author_id else parent_author_id,
    }
    if kwargs["post_author_id"] is None and kwargs["parent_author_id"] is None:
        return
    transaction.on_commit(lambda: tasks.fan_out_reply.enqueue(**kwargs))


def answer_reviewed(sender, *, question, revision, **kwargs) -> None:
    revision_id = revision.pk
    transaction.on_commit(lambda: tasks.fan_out_review.enqueue(revision_id=revision_id))


def suggestions_answered(sender, *, question, suggestions, **kwargs) -> None:
    member_ids = sorted(
        {s.member.pk for s in suggestions if getattr(s, "member", None) is not None}
    )
    question_id = question.pk
    transaction.on_commit(
        lambda: tasks.fan_out_suggestions_answered.enqueue(
            question_id=question_id, member_ids=member_ids
        )
    )
