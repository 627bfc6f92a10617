"""
One small site with something private in every place a leak could come from, shared by the
security tests: two members (A has a private life, B is "another member"), the three staff
roles, answers live and in draft, posts in every state, reports, decisions and reader feedback.

Every secret of member A carries a canary: a word that appears nowhere else, so that a test
can look for it in any page, feed, e-mail or log line.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from diseasemaps.answers.models import AnswerFeedback, AnswerRevision, QuestionSuggestion, Source
from diseasemaps.community.models import Follow, Kind, Notification
from diseasemaps.core.services import Role
from diseasemaps.experiences.models import (
    MemberStanding,
    ModerationDecision,
    Reply,
    ReplyReport,
    Report,
)
from diseasemaps.members.models import User
from tests.conftest import mfa_client, totp_authenticator
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    QuestionFactory,
    RevisionFactory,
    StaffFactory,
    TreatmentFactory,
    published_question,
)

VISITOR = "visitor"
MEMBER_A = "member A"
MEMBER_B = "member B"
MODERATOR = "moderator"
EDITOR = "editor"
REVIEWER = "reviewer"
ROLES = [VISITOR, MEMBER_A, MEMBER_B, MODERATOR, EDITOR, REVIEWER]
MEMBERS = {MEMBER_A, MEMBER_B}
STAFF = {MODERATOR, EDITOR, REVIEWER}
LOGGED_IN = MEMBERS | STAFF


@dataclass(frozen=True)
class Canaries:
    """A's secrets. Every value is a word found nowhere else in the test data."""

    email: str = "canary.mail.qzw7@example.org"
    pending_post: str = "canarypendingxq"
    rejected_post: str = "canaryrejectedvk"
    hidden_post: str = "canaryhiddenwb"
    pending_edit: str = "canaryeditwaitingjm"
    members_only_post: str = "canarymembersonlyzr"
    pending_reply: str = "canaryreplywaitingpf"
    members_only_reply: str = "canaryreplymembersdu"
    private_bio: str = "canarybiohidden"
    report_details: str = "canaryreportdetails"
    reader_feedback: str = "canaryreaderfeedback"
    suggested_question: str = "canarysuggestedqt"
    only_me_condition: str = "Canaryonlyme Syndrome"
    members_condition: str = "Canarymembers Disease"
    notification: str = "canarynotificationqf"

    def never_public(self) -> dict[str, str]:
        """What no visitor may ever see."""
        return {
            "A's e-mail address": self.email,
            "A's pending post": self.pending_post,
            "A's rejected post": self.rejected_post,
            "A's hidden post": self.hidden_post,
            "A's edit waiting for a moderator": self.pending_edit,
            "A's members-only post": self.members_only_post,
            "A's pending reply": self.pending_reply,
            "A's reply under a members-only post": self.members_only_reply,
            "A's private bio": self.private_bio,
            "B's report about A's post": self.report_details,
            "A's notification": self.notification,
            "A's suggested question": self.suggested_question,
        }

    def never_to_another_member(self) -> dict[str, str]:
        """What member B may never see (members-only posts they may read)."""
        secrets = self.never_public()
        del secrets["A's members-only post"]
        del secrets["A's reply under a members-only post"]
        return secrets


@dataclass
class World:
    canaries: Canaries
    users: dict[str, User]
    clients: dict[str, Client] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """A client logged in as the role (staff past two-factor), made once per role."""
        if role not in self.clients:
            user = self.users.get(role)
            if user is None:
                client = Client()
            elif user.is_staff:
                client = mfa_client(user)
            else:
                client = Client()
                client.force_login(user)
            self.clients[role] = client
        return self.clients[role]

    def __getitem__(self, name: str):
        return self.objects[name]


def build_world(canaries: Canaries | None = None) -> World:
    canaries = canaries or Canaries()
    member_a = MemberFactory(email=canaries.email, profile__display_name="Pseudonymalpha")
    member_a.member_profile.bio = canaries.private_bio
    member_a.member_profile.is_bio_public = False
    member_a.member_profile.save()
    EmailAddress.objects.create(user=member_a, email=member_a.email, verified=True, primary=True)
    member_b = MemberFactory(profile__display_name="Pseudonymbeta")
    editor = StaffFactory(roles=[Role.EDITOR])
    moderator = StaffFactory(roles=[Role.MODERATOR])
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans",
        condition__abbreviation="DFSP",
        title="How is DFSP treated?",
    )
    reviewer = question.live_revision.reviewer
    condition = question.condition
    only_me = ConditionFactory(name=canaries.only_me_condition, slug="canary-only-me")
    members_condition = ConditionFactory(name=canaries.members_condition, slug="canary-members")
    rows = {
        "A only-me condition": MemberConditionFactory(
            user=member_a,
            condition=only_me,
            visibility="only_me",
            diagnosed_in=2011,
            is_counted=False,
        ),
        "A members condition": MemberConditionFactory(
            user=member_a, condition=members_condition, visibility="members", is_counted=False
        ),
        "A public condition": MemberConditionFactory(
            user=member_a, condition=condition, visibility="everyone", is_counted=True
        ),
        "B condition": MemberConditionFactory(
            user=member_b, condition=condition, visibility="only_me", is_counted=False
        ),
    }
    unpublished = QuestionFactory(condition=condition, title="What is still being written?")
    draft = RevisionFactory(question=unpublished, number=1, author=editor)
    source = Source.objects.create(revision=draft, title="A paper", url="https://example.org/p")
    live_draft = RevisionFactory(
        question=question, number=2, author=editor, based_on=question.live_revision
    )

    def post(body, **fields):
        fields.setdefault("question", question)
        return ExperienceFactory(author=member_a, body=body, **fields)

    posts = {
        "A public post": post("My public experience of DFSP surgery went well."),
        "A members-only post": post(
            f"Only for members: {canaries.members_only_post}.", audience="members"
        ),
        "A pending post": post(
            f"Waiting: {canaries.pending_post}.", status="pending", approved_at=None
        ),
        "A rejected post": post(
            f"Rejected: {canaries.rejected_post}.", status="rejected", approved_at=None
        ),
        "A hidden post": post(f"Hidden: {canaries.hidden_post}.", is_hidden=True),
        "B public post": ExperienceFactory(
            author=member_b, question=question, body="B's own story of Mohs surgery."
        ),
    }

    def reply(label, body, author, **fields):
        fields.setdefault("status", Reply.Status.APPROVED)
        if fields["status"] == Reply.Status.APPROVED:
            fields.setdefault("approved_at", timezone.now())
        row = Reply(experience=posts[label], author=author, **fields)
        row.set_body(body)
        row.save()
        return row

    replies = {
        "A pending reply": reply(
            "B public post", f"Waiting: {canaries.pending_reply}.", member_a, status="pending"
        ),
        "A members-only reply": reply(
            "A members-only post", f"Members: {canaries.members_only_reply}.", member_a
        ),
        "B public reply": reply("A public post", "B asks which centre it was.", member_b),
    }
    reply_report = ReplyReport.objects.create(
        reply=replies["B public reply"], reporter=member_a, reason=ReplyReport.Reason.OTHER
    )
    edited = posts["A public post"]
    edited.set_pending_body(f"Edited: {canaries.pending_edit}.")
    edited.save()
    report = Report.objects.create(
        experience=posts["A public post"],
        reporter=member_b,
        reason=Report.Reason.OTHER,
        details=canaries.report_details,
    )
    decision = ModerationDecision.objects.create(
        experience=posts["A rejected post"],
        member=member_a,
        moderator=moderator,
        action=ModerationDecision.Action.REJECT,
        guideline="on_topic",
        reason="Not on the question.",
    )
    standing = MemberStanding.objects.create(user=member_a)
    feedback = AnswerFeedback.objects.create(
        question=question,
        revision=question.live_revision,
        kind=AnswerFeedback.Kind.ERROR,
        message=canaries.reader_feedback,
    )
    treatment = TreatmentFactory(condition=condition, name="Mohs surgery")
    Follow.objects.create(user=member_a, condition=condition)
    notification = Notification.objects.create(
        user=member_a,
        kind=Kind.REPLY,
        event="reply:1",
        text=f"Someone replied: {canaries.notification}",
        url=posts["A public post"].get_absolute_url(),
    )
    suggestion = QuestionSuggestion.objects.create(
        condition=condition,
        member=member_a,
        text=f"Does {canaries.suggested_question} help after surgery?",
        details=f"My own story: {canaries.suggested_question}.",
        note_to_member=f"The editors' note to A: {canaries.suggested_question}.",
    )
    store = SessionStore()  # a session logged in as A, which allauth's list of sessions keeps
    store[SESSION_KEY] = str(member_a.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member_a.get_session_auth_hash()
    store.create()
    session = UserSession.objects.create(
        user=member_a, ip="127.0.0.1", session_key=store.session_key, user_agent="test"
    )
    authenticator = totp_authenticator(member_b)
    for user in (member_b, editor, moderator, reviewer):  # as signing up leaves it
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    users = {
        MEMBER_A: member_a,
        MEMBER_B: member_b,
        MODERATOR: moderator,
        EDITOR: editor,
        REVIEWER: reviewer,
    }
    objects = {
        "question": question,
        "condition": condition,
        "unpublished question": unpublished,
        "draft": draft,
        "draft of the live answer": live_draft,
        "source": source,
        "report": report,
        "reply report": reply_report,
        "decision": decision,
        "standing": standing,
        "feedback": feedback,
        "suggestion": suggestion,
        "treatment": treatment,
        "A's notification": notification,
        "user session": session,
        "authenticator": authenticator,
        "email address": EmailAddress.objects.get(user=member_a),
        "group": Group.objects.get(name=Role.EDITOR),
        "inactive member": MemberFactory(is_active=False),
        # A queued e-mail as the task queue stores it (its arguments hold the address).
        "queued e-mail": DBTaskResult.objects.create(
            task_path="diseasemaps.core.tasks.send_email",
            backend_name="default",
            args_kwargs={"args": [], "kwargs": {"message": {"to": [canaries.email]}}},
            enqueued_at=timezone.now(),
            run_after=timezone.now(),
        ),
        **rows,
        **posts,
        **replies,
    }
    assert draft.state == AnswerRevision.State.DRAFT
    return World(canaries=canaries, users=users, objects=objects)
