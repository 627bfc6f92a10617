"""
Every page type a visitor or member can reach, in one list, for the checks that run over all of
them (security headers, cookies, browser console, accessibility, HTML validity). A feature that
adds a page type adds it here as part of being done.
"""

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import QuestionSuggestion
from diseasemaps.core.markdown import render_markdown
from diseasemaps.search.services import index_question
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    SourceFactory,
    published_question,
)


def public_pages() -> dict[str, str]:
    """Name → URL of one page of each type, with the data it needs made in the test database."""
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )
    _cite_a_source(question.live_revision)
    experience = ExperienceFactory(question=question)
    question_kwargs = {"condition_slug": question.condition.slug, "slug": question.slug}
    reviewer = question.live_revision.reviewer.reviewer_profile
    index_question(question=question)
    # A second answer of the same reviewer, past its review date: its labels say so everywhere.
    overdue = published_question(condition=question.condition, title="How is DFSP followed up?")
    overdue.live_revision.reviewer = reviewer.user
    overdue.live_revision.short_answer = "Follow-up visits go on for years after treatment."
    overdue.live_revision.next_review_on = timezone.localdate() - datetime.timedelta(days=1)
    overdue.live_revision.save()
    index_question(question=overdue)
    shared = MemberConditionFactory(condition=question.condition, visibility="everyone")
    unconfirmed = EmailAddress.objects.create(
        user=MemberFactory(), email="not.yet@example.org", verified=False, primary=True
    )
    return {
        "home": reverse("pages:home"),
        "condition index": reverse("conditions:index"),
        "condition": question.condition.get_absolute_url(),
        "question": question.get_absolute_url(),
        "question, review overdue": overdue.get_absolute_url(),
        "review history": reverse("answers:question-history", kwargs=question_kwargs),
        "reviewer": reverse("answers:reviewer", kwargs={"slug": reviewer.slug}),
        "how we review": reverse("answers:review-policy"),
        "answer helpful": reverse("answers:feedback-helpful", kwargs=question_kwargs),
        "report an error": reverse("answers:feedback-error", kwargs=question_kwargs),
        "feedback thanks": reverse("answers:feedback-thanks", kwargs=question_kwargs),
        "search": reverse("search:results") + "?q=DFSP+treatment",
        "search, nothing found": reverse("search:results") + "?q=qwzxv",
        "search, empty": reverse("search:results"),
        "not found": "/no-such-page/",
        "log in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "password reset link sent": reverse("account_reset_password_done"),
        "check your e-mail": reverse("account_email_verification_sent"),
        "confirm your e-mail address": reverse(
            "account_confirm_email", args=[EmailConfirmationHMAC(unconfirmed).key]
        ),
        "confirmation link expired": reverse("account_confirm_email", args=["no-such-key"]),
        "community guidelines": reverse("experiences:guidelines"),
        "experience": experience.get_absolute_url(),
        "privacy notice": reverse("members:privacy"),
        "member": shared.user.member_profile.get_absolute_url(),
        "about": reverse("pages:about"),
        "contact": reverse("pages:contact"),
    }


# Pages that only read and are open to anyone: they must set no cookie at all.
READ_ONLY_PAGES = [
    "home",
    "condition index",
    "condition",
    "question",
    "question, review overdue",
    "review history",
    "reviewer",
    "how we review",
    "feedback thanks",
    "not found",
    "community guidelines",
    "experience",
    "search",
    "search, nothing found",
    "search, empty",
    "privacy notice",
    "member",
    "about",
    "contact",
]


def _cite_a_source(revision) -> None:
    """The answer cites its one source, listed with authors, DOI and PubMed id."""
    revision.body = "Surgery comes first [1].\n\n- one\n- two\n"
    revision.body_html = render_markdown(revision.body, citations=True)
    revision.save()
    SourceFactory(
        revision=revision,
        authors="Lowe GC, Onajin O, Baum CL, et al",
        publisher="Dermatologic Surgery",
        year=2017,
        doi="10.1097/DSS.0000000000000910",
        pubmed_id="27749444",
    )


@dataclass
class MemberPage:
    """A page only a logged-in member reaches; `data` is POSTed when the page answers a form."""

    url: str
    data: dict = field(default_factory=dict)


def member_pages(member) -> dict[str, MemberPage]:
    """Name → page of each type only a member sees, for `member`, with the data it needs."""
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )
    MemberConditionFactory(user=member, condition=question.condition)
    own = ExperienceFactory(question=question, author=member)
    other = ExperienceFactory(question=question)
    share = reverse("experiences:share", args=[question.condition.slug, question.slug])
    ask = reverse("pages:ask-question", args=[question.condition.slug])
    QuestionSuggestion.objects.create(
        condition=question.condition,
        member=member,
        text="Can it come back after surgery?",
        details="Two years on.",
        note_to_member="We are writing the answer.",
    )
    others_reply = _reply(other, author=ExperienceFactory(question=question).author)
    own_reply = _reply(other, author=member, status="pending")
    return {
        "ask a question": MemberPage(ask),
        "my suggested questions": MemberPage(reverse("answers:my-suggestions")),
        "share form": MemberPage(share),
        "share preview": MemberPage(
            share,
            {
                "body": "It went well. Write to me at someone@example.org.",
                "audience": "everyone",
                "action": "preview",
            },
        ),
        "add the condition first": MemberPage(
            reverse("experiences:share-condition", args=[ConditionFactory().slug])
        ),
        "edit form": MemberPage(reverse("experiences:edit", args=[own.pk])),
        "delete confirmation": MemberPage(reverse("experiences:delete", args=[own.pk])),
        "report form": MemberPage(reverse("experiences:report", args=[other.pk])),
        "my posts": MemberPage(reverse("experiences:mine")),
        "own experience": MemberPage(own.get_absolute_url()),
        "question, as a member": MemberPage(question.get_absolute_url()),
        "another's post, its replies and the reply form": MemberPage(other.get_absolute_url()),
        "reply with a personal-data warning": MemberPage(
            reverse("experiences:reply", args=[other.pk]),
            {"body": "Write to me at someone@example.org.", "action": "submit"},
        ),
        "reply delete confirmation": MemberPage(
            reverse("experiences:reply-delete", args=[own_reply.pk])
        ),
        "reply report form": MemberPage(
            reverse("experiences:reply-report", args=[others_reply.pk])
        ),
    }


def _reply(post, *, author, status="approved"):
    from diseasemaps.experiences.models import Reply

    reply = Reply(
        experience=post,
        author=author,
        status=status,
        approved_at=timezone.now() if status == "approved" else None,
    )
    reply.set_body("Which centre was it, if you do not mind saying?")
    reply.save()
    return reply


def account_pages() -> dict[str, str]:
    """Name → URL of each page type only a logged-in member reaches (their own data)."""
    return {
        "my account": reverse("members:account"),
        "my conditions": reverse("members:conditions"),
        "my profile": reverse("members:profile"),
        "e-mail address": reverse("account_email"),
        "change password": reverse("account_change_password"),
        "two-factor authentication": reverse("mfa_index"),
        "sessions": reverse("usersessions_list"),
        "re-authenticate": reverse("account_reauthenticate"),
        "what I follow": reverse("community:following"),
        "notifications": reverse("community:notifications"),
        "e-mail choices": reverse("community:preferences"),
        "my suggested questions": reverse("answers:my-suggestions"),
    }


# Member pages that show the member's own data: sent with Cache-Control: no-store.
OWN_DATA_PAGES = [
    "my account",
    "my conditions",
    "my profile",
    "e-mail address",
    "two-factor authentication",
    "sessions",
    "what I follow",
    "notifications",
    "e-mail choices",
    "my suggested questions",
]


# Pages that only read and are open to anyone: they must set no cookie at all.
