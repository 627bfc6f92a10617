"""
Demo content: the DFSP treatment page, its community and its experiences, built from the page we
rebuilt (shared seed), so that a fresh `make run` shows the real product with the seed's figures
computed from the database. Loading is idempotent: a second run finds everything in place and
writes nothing.
"""

import datetime
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from diseasemaps.answers import services as answer_services
from diseasemaps.answers.models import AnswerRevision, Question, QuestionSuggestion, Source
from diseasemaps.community.models import Follow, Kind, Notification
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.core.services import Role
from diseasemaps.experiences.figures import refresh_question_figures
from diseasemaps.experiences.models import Experience, Reply, Treatment
from diseasemaps.members.figures import refresh_community_figures
from diseasemaps.members.models import (
    HealthDataConsent,
    MemberCondition,
    MemberProfile,
    ReviewerProfile,
    User,
)

DEMO_STAFF_PASSWORD = "diseasemaps-demo"  # noqa: S105 (development only; see load_demo_content)
DEMO_EMAIL_DOMAIN = "demo.diseasemaps.example"

CONDITION = {
    "name": "Dermatofibrosarcoma Protuberans",
    "slug": "dfsp",
    "abbreviation": "DFSP",
    "summary": (
        "Dermatofibrosarcoma Protuberans (DFSP) is a rare, locally aggressive tumor that starts "
        'in the skin and grows into the tissue around it, often with "tentacle-like" '
        "projections.\n\n"
        "Surgery to remove it with clear margins is the main treatment. Because it can come "
        "back years after it was first treated, people with DFSP are followed up over the "
        "long term."
    ),
    "aliases": ["Dermatofibrosarcoma"],
    "treatments": [
        "Mohs micrographic surgery",
        "Wide local excision",
        "Imatinib mesylate",
    ],
}

QUESTION_TITLE = "What is the standard approach to treating Dermatofibrosarcoma Protuberans?"
QUESTION_SLUG = "standard-treatment"
REVIEWED_ON = datetime.date(2026, 5, 8)

SHORT_ANSWER = (
    "The primary treatment for Dermatofibrosarcoma Protuberans (DFSP) is surgical resection, "
    "most commonly using Mohs micrographic surgery to ensure clear margins. In cases where the "
    "tumor is unresectable, metastatic, or recurrent, targeted systemic therapy with imatinib "
    "mesylate is the gold-standard medical intervention."
)

# The seed page lost the items of its two lists; they are filled in here with what the rest of
# the seed's own text states, and the revision's change summary says so.
BODY = """\
Because Dermatofibrosarcoma Protuberans (DFSP) is a locally aggressive tumor, surgical removal \
remains the cornerstone of care [1]. Surgeons aim for wide local excision or Mohs micrographic \
surgery, which allows for precise mapping of tumor margins to minimize recurrence [1][2]. \
Understanding that clear margins are the most critical factor in preventing local recurrence is \
essential [2][3].

While surgery is the first-line treatment, systemic therapy is utilized when surgery is not \
feasible [1][4]. The following options are frequently discussed in clinical practice:

- **Mohs micrographic surgery**, which maps the tumor margins precisely during the operation [1][2].
- **Wide local excision**, removing the tumor together with a margin of healthy tissue [1][3].
- **Imatinib mesylate**, a targeted systemic therapy, when the tumor is unresectable, \
metastatic, or recurrent [1][4].

Managing Dermatofibrosarcoma Protuberans requires a multidisciplinary team to ensure the best \
outcomes. Patients should ideally be supported by:

- a surgical team experienced in Mohs micrographic surgery or wide local excision;
- a medical oncologist when targeted therapy with imatinib mesylate is considered;
- regular long-term follow-up care, since the tumor can recur years after treatment.

Treatment success for Dermatofibrosarcoma Protuberans depends on tumor location, size, and \
whether it is a primary or recurrent lesion [3]. Because the tumor often has "tentacle-like" \
projections into surrounding tissue, personalized surgical planning is vital. Regular long-term \
follow-up is mandatory, as recurrence can occur years after the initial diagnosis [2][3].
"""

# The sources the answer cites as [1] to [4], in the order it first cites them. Every detail was
# checked against the publication's own record (PubMed or PubMed Central, the publisher's page,
# the authors' institutional repository); authors are listed Vancouver style.
SOURCES = [
    {
        "authors": "Saiag P, Lebbe C, Brochez L, Emile JF, Forsea AM, Harwood C, et al",
        "title": "Diagnosis and treatment of dermatofibrosarcoma protuberans. European "
        "interdisciplinary guideline – update 2024",
        "publisher": "European Journal of Cancer",
        "year": 2025,
        "doi": "10.1016/j.ejca.2025.115265",
        "pubmed_id": "39904126",
    },
    {
        "authors": "Lowe GC, Onajin O, Baum CL, Otley CC, Arpey CJ, Roenigk RK, et al",
        "title": "A Comparison of Mohs Micrographic Surgery and Wide Local Excision for "
        "Treatment of Dermatofibrosarcoma Protuberans With Long-Term Follow-up: The Mayo "
        "Clinic Experience",
        "publisher": "Dermatologic Surgery",
        "year": 2017,
        "doi": "10.1097/DSS.0000000000000910",
        "pubmed_id": "27749444",
    },
    {
        "authors": "Hao X, Billings SD, Wu F, Stultz TW, Procop GW, Mirkin G, et al",
        "title": "Dermatofibrosarcoma Protuberans: Update on the Diagnosis and Treatment",
        "publisher": "Journal of Clinical Medicine",
        "year": 2020,
        "url": "https://pmc.ncbi.nlm.nih.gov/articles/PMC7355835/",
        "doi": "10.3390/jcm9061752",
        "pubmed_id": "32516921",
    },
    {
        "authors": "Navarrete-Dechent C, Mori S, Barker CA, Dickson MA, Nehal KS",
        "title": "Imatinib Treatment for Locally Advanced or Metastatic Dermatofibrosarcoma "
        "Protuberans: A Systematic Review",
        "publisher": "JAMA Dermatology",
        "year": 2019,
        "url": "https://pmc.ncbi.nlm.nih.gov/articles/PMC8909640/",
        "doi": "10.1001/jamadermatol.2018.4940",
        "pubmed_id": "30601909",
    },
]

CHANGE_SUMMARY = (
    "Demo content: the DFSP treatment answer from the seed page, with the sources it rests on; "
    "the items of its two lists restate what the rest of the answer says."
)
# Databases loaded before the answer cited its sources get them as an editorial change.
SOURCES_ADDED_SUMMARY = "Demo content: the sources the answer rests on, numbered in the text."

REVIEWER = {
    "slug": "jordan-avery",
    "display_name": "Dr Jordan Avery",
    "credentials": "MD, dermatologic surgeon",
    "specialty": "Dermatologic surgery and cutaneous oncology",
    "bio": "A fictional reviewer for the demo site.",
    "conflict_of_interest": "None declared (demo profile).",
}

COUNTED_MEMBERS = 172
CAREGIVERS = 9
NOT_COUNTED_MEMBERS = 14

EXPERIENCES = [
    (
        "I found my lump on my shoulder and it was called a cyst for two years before a biopsy. "
        "I had Mohs surgery over two days: the surgeon kept taking thin layers until the edges "
        "were clear, which meant a bigger scar than I expected but I was told it gave me the "
        "best chance of it not coming back.\n\n"
        "Four years on I still go for a check every year. Ask your team how often they want to "
        "see you, and keep going even when everything looks fine.",
        ["Mohs micrographic surgery"],
        4,
    ),
    (
        "Mine came back after a first operation that didn't get clear margins. The second time "
        "I had a wide local excision and a skin graft, planned with a team of surgeons and an "
        "oncologist.\n\n"
        "We talked about imatinib in case surgery wasn't possible, and it was reassuring to "
        "know there was a plan B. Recovery from the graft took longer than the surgery itself.",
        ["Wide local excision"],
        7,
    ),
]

# Replies under the demo posts: (the post's index in EXPERIENCES, the replier's index among the
# demo members, the text, the index in this list of the reply it answers, approved or waiting).
# Member 172 onwards care for someone with DFSP: a caregiver asks too.
REPLIES = [
    (
        0,
        10,
        "Thank you for writing this. Which kind of centre did your Mohs surgery? Mine only "
        "offers wide excision and I am wondering whether to ask for a referral.",
        None,
        True,
    ),
    (
        0,
        0,
        "A university hospital with a skin cancer clinic. My dermatologist referred me there; "
        "it was worth asking, and the wait was about six weeks.",
        0,
        True,
    ),
    (
        1,
        173,
        "My husband had a graft too. Did you need physiotherapy afterwards, or did the "
        "stiffness settle by itself?",
        None,
        True,
    ),
    (
        1,
        11,
        "The two-day Mohs sounds tiring. Did you bring someone with you for the second day?",
        None,
        False,
    ),
]

ADJECTIVES = [
    "Quiet",
    "Brave",
    "Gentle",
    "Steady",
    "Bright",
    "Patient",
    "Hopeful",
    "Calm",
    "Curious",
    "Kind",
    "Sunny",
    "Bold",
    "Quick",
    "Warm",
    "Wise",
    "Clear",
]
NOUNS = [
    "Heron",
    "Willow",
    "River",
    "Fox",
    "Maple",
    "Otter",
    "Finch",
    "Harbor",
    "Cedar",
    "Lark",
    "Meadow",
    "Robin",
    "Pebble",
    "Fern",
    "Badger",
]


@dataclass
class DemoStaff:
    role: str
    email: str
    is_superuser: bool = False


STAFF = [
    DemoStaff("Editor", f"editor@{DEMO_EMAIL_DOMAIN}"),
    DemoStaff("Medical reviewer", f"reviewer@{DEMO_EMAIL_DOMAIN}"),
    DemoStaff("Moderator", f"moderator@{DEMO_EMAIL_DOMAIN}"),
    DemoStaff("Administrator", f"admin@{DEMO_EMAIL_DOMAIN}", is_superuser=True),
]


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[DemoStaff] = field(default_factory=list)


def _pseudonym(number: int) -> str:
    return f"{ADJECTIVES[number % len(ADJECTIVES)]}{NOUNS[number % len(NOUNS)]}{number}"


def _staff_user(spec: DemoStaff, *, with_login: bool) -> tuple[User, bool]:
    """The demo staff account; it can log in only when `with_login` (development only)."""
    user, created = User.objects.get_or_create(email=spec.email)
    changed = created
    wanted = {"is_staff": with_login, "is_superuser": spec.is_superuser and with_login}
    for attribute, value in wanted.items():
        if getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if with_login and not user.check_password(DEMO_STAFF_PASSWORD):
        user.set_password(DEMO_STAFF_PASSWORD)
        changed = True
    elif not with_login and user.has_usable_password():
        user.set_unusable_password()
        changed = True
    if changed:
        user.save()
    if spec.role in (Role.EDITOR, Role.MEDICAL_REVIEWER, Role.MODERATOR):
        group = Group.objects.get(name=spec.role)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    if with_login:
        # allauth logs in verified addresses only; staff must use a second factor, and the
        # demo seeds their authenticator app.
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        _totp_secret(user)
    return user, created


def _totp_secret(user: User) -> str:
    """The demo staff member's TOTP secret, created the first time (development only)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return decrypt(authenticator.data["secret"])


def demo_totp_codes() -> list[tuple[DemoStaff, str, str]]:
    """(staff, secret, current code) for every demo staff login that exists (development only)."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    rows = []
    for spec in STAFF:
        user = User.objects.filter(email=spec.email, is_staff=True).first()
        if user is None or not user.has_usable_password():
            continue
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            continue
        secret = decrypt(authenticator.data["secret"])
        counters = list(yield_hotp_counters_from_time())
        counter = counters[len(counters) // 2]  # the window is centred on now
        rows.append((spec, secret, format_hotp_value(hotp_value(secret, counter))))
    return rows


def _condition(report: DemoReport) -> Condition:
    condition, created = Condition.objects.get_or_create(
        slug=CONDITION["slug"],
        defaults={
            "name": CONDITION["name"],
            "abbreviation": CONDITION["abbreviation"],
            "summary": CONDITION["summary"],
        },
    )
    if created:
        report.created.append(f"condition {condition}")
    for alias in CONDITION["aliases"]:
        ConditionAlias.objects.get_or_create(condition=condition, name=alias)
    for name in CONDITION["treatments"]:
        Treatment.objects.get_or_create(condition=condition, name=name)
    return condition


def _question(
    condition: Condition, *, editor: User, reviewer: User, report: DemoReport
) -> Question:
    question, created = Question.objects.get_or_create(
        condition=condition, slug=QUESTION_SLUG, defaults={"title": QUESTION_TITLE}
    )
    if created:
        report.created.append(f"question {question}")
    if question.revisions.open().exists():
        return question  # someone is editing it: their draft is left alone
    live = question.live_revision
    if live is None:
        revision = _publish(
            question,
            editor=editor,
            reviewer=reviewer,
            change_summary=CHANGE_SUMMARY,
            review_kind=AnswerRevision.ReviewKind.FULL,
            on=REVIEWED_ON,
        )
        report.created.append(f"reviewed answer (revision {revision.number})")
    elif live.body == _without_citations(BODY) and not live.sources.exists():
        # The demo answer as loaded before it cited its sources, unchanged since.
        revision = _publish(
            question,
            editor=editor,
            reviewer=reviewer,
            change_summary=SOURCES_ADDED_SUMMARY,
            review_kind=AnswerRevision.ReviewKind.EDITORIAL,
            on=timezone.localdate(),
        )
        report.created.append(f"sources of the reviewed answer (revision {revision.number})")
    return question


def _without_citations(text: str) -> str:
    return re.sub(r" ?(\[\d+\])+", "", text)


def _publish(
    question: Question,
    *,
    editor: User,
    reviewer: User,
    change_summary: str,
    review_kind: str,
    on: datetime.date,
) -> AnswerRevision:
    """The demo answer with its sources, through the same review workflow as the admin's."""
    draft = answer_services.create_draft(
        question=question,
        author=editor,
        short_answer=SHORT_ANSWER,
        body=BODY,
        change_summary=change_summary,
    )
    for position, source in enumerate(SOURCES, start=1):
        Source.objects.create(revision=draft, position=position, **source)
    answer_services.submit_for_review(revision=draft, actor=editor)
    return answer_services.approve_revision(
        revision=draft, reviewer=reviewer, review_kind=review_kind, on=on
    )


def _members(condition: Condition, report: DemoReport) -> list[User]:
    """Demo members, made in bulk without usable passwords: they exist to be counted."""
    total = COUNTED_MEMBERS + CAREGIVERS + NOT_COUNTED_MEMBERS
    emails = [f"member-{n:04d}@{DEMO_EMAIL_DOMAIN}" for n in range(1, total + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=email, password=unusable) for email in emails if email not in existing]
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    with_profile = set(
        MemberProfile.objects.filter(user__in=users).values_list("user_id", flat=True)
    )
    profiles = []
    for number, user in enumerate(users, start=1):
        if user.pk not in with_profile:
            profile = MemberProfile(user=user)
            profile.set_display_name(_pseudonym(number))
            profiles.append(profile)
    MemberProfile.objects.bulk_create(profiles)
    with_condition = set(
        MemberCondition.objects.filter(user__in=users, condition=condition).values_list(
            "user_id", flat=True
        )
    )
    wanted = [
        (number, user)
        for number, user in enumerate(users, start=1)
        if user.pk not in with_condition
    ]
    # Each row rests on its member's consent, as when a member adds a condition themselves.
    consents = HealthDataConsent.objects.bulk_create(
        [
            HealthDataConsent(
                user=user,
                condition=condition,
                purpose=HealthDataConsent.Purpose.MEMBER_CONDITION,
                notice_version=settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION,
            )
            for _, user in wanted
        ]
    )
    rows = []
    for (number, user), consent in zip(wanted, consents, strict=True):
        is_caregiver = COUNTED_MEMBERS < number <= COUNTED_MEMBERS + CAREGIVERS
        rows.append(
            MemberCondition(
                user=user,
                condition=condition,
                consent=consent,
                relationship=(
                    MemberCondition.Relationship.CARING_FOR
                    if is_caregiver
                    else MemberCondition.Relationship.LIVING_WITH
                ),
                diagnosed_in=2010 + number % 15,
                is_counted=number <= COUNTED_MEMBERS + CAREGIVERS,
            )
        )
    MemberCondition.objects.bulk_create(rows)
    if len(existing) < total:
        report.created.append(f"{total - len(existing)} demo members")
    return users


def _experiences(question: Question, authors: list[User], report: DemoReport) -> None:
    treatments = {t.name: t for t in question.condition.treatments.all()}
    for author, (body, treatment_names, years) in zip(authors, EXPERIENCES, strict=False):
        if Experience.objects.filter(author=author, question=question).exists():
            continue
        experience = Experience(
            author=author,
            condition=question.condition,
            written_as=MemberCondition.objects.get(
                user=author, condition=question.condition
            ).relationship,
            question=question,
            status=Experience.Status.APPROVED,
            approved_at=timezone.now(),
            years_since_diagnosis=years,
        )
        experience.set_body(body)
        experience.save()
        experience.treatments.set([treatments[name] for name in treatment_names])
        report.created.append(f"experience by {author.member_profile}")


# Demo members who follow the condition, and the question, beyond the authors of the posts.
CONDITION_FOLLOWERS = 4
QUESTION_FOLLOWERS = 2


def _follows(question: Question, members: list[User], report: DemoReport) -> None:
    """
    A few members follow the condition or the question, each with a notification of the newest
    post they did not write, as a fan-out would have made it (left out of e-mail: the demo
    addresses receive nothing).
    """
    condition = question.condition
    followers = members[len(EXPERIENCES) : len(EXPERIENCES) + CONDITION_FOLLOWERS]
    question_followers = members[
        len(EXPERIENCES) + CONDITION_FOLLOWERS : len(EXPERIENCES)
        + CONDITION_FOLLOWERS
        + QUESTION_FOLLOWERS
    ]
    newest = Experience.objects.filter(question=question).order_by("-created_at", "-pk").first()
    made = 0
    for user, target in [(u, {"condition": condition}) for u in followers] + [
        (u, {"question": question}) for u in question_followers
    ]:
        _, created = Follow.objects.get_or_create(user=user, **target)
        made += created
        if newest is None:
            continue
        Notification.objects.get_or_create(
            user=user,
            event=f"experience:{newest.pk}",
            defaults={
                "kind": Kind.NEW_EXPERIENCE,
                "text": f"A member shared a new experience on “{question.title}” "
                f"({condition.short_name})",
                "url": newest.get_absolute_url(),
            },
        )
    if made:
        report.created.append(f"{made} follows, with their notifications")


# Questions demo members asked the editors: one waiting in the queue, one the editors answered
# with the reviewed treatment page. (asker's number among the demo members, text, details)
SUGGESTIONS = [
    (
        12,
        "How often should I have check-ups after DFSP surgery, and for how many years?",
        "My surgery was two years ago and every clinic seems to say something different.",
    ),
    (
        13,
        "Which kind of surgery is usually used to remove DFSP?",
        "",
    ),
]


def _suggestions(
    condition: Condition, question: Question, members: list[User], editor: User, report: DemoReport
) -> None:
    waiting, answered = (
        (members[number - 1], text, details) for number, text, details in SUGGESTIONS
    )
    for member, text, details in (waiting, answered):
        if QuestionSuggestion.objects.filter(member=member, text=text).exists():
            continue
        suggestion = answer_services.suggest_question(
            member=member, condition=condition, text=text, details=details
        )
        if member == answered[0]:
            answer_services.link_suggestions(
                suggestions=[suggestion], question=question, editor=editor
            )
            answer_services.write_note(
                suggestion=suggestion,
                editor=editor,
                note="Thank you: our reviewed page on treating DFSP answers this.",
            )
        report.created.append(f"suggested question by {member.member_profile}")


def _replies(question: Question, members: list[User], report: DemoReport) -> None:
    """A few replies under the first posts, one of them still waiting for a moderator."""
    posts = {
        post.author_id: post
        for post in Experience.objects.filter(question=question, author__in=members)
    }
    made: list[Reply | None] = []
    for post_index, replier_index, body, answering, approved in REPLIES:
        post = posts.get(members[post_index].pk)
        author = members[replier_index]
        if post is None:
            made.append(None)
            continue
        reply = Reply.objects.filter(experience=post, author=author).first()
        if reply is None:
            reply = Reply(
                experience=post,
                author=author,
                in_reply_to=made[answering] if answering is not None else None,
                status=Reply.Status.APPROVED if approved else Reply.Status.PENDING,
                approved_at=timezone.now() if approved else None,
            )
            reply.set_body(body)
            reply.save()
            report.created.append(f"reply by {author.member_profile}")
        made.append(reply)


@transaction.atomic
def load_demo_content(*, with_staff_logins: bool) -> DemoReport:
    """
    Load the demo site. Staff accounts get the known demo password only when
    `with_staff_logins` (DEBUG): a production database must never hold a published password.
    The editor and reviewer exist either way, as the authors of the reviewed answer.
    """
    report = DemoReport()
    staff = {}
    for spec in STAFF:
        if not with_staff_logins and spec.role not in (Role.EDITOR, Role.MEDICAL_REVIEWER):
            continue
        staff[spec.role], _ = _staff_user(spec, with_login=with_staff_logins)
        if with_staff_logins:
            report.logins.append(spec)
    reviewer = staff[Role.MEDICAL_REVIEWER]
    ReviewerProfile.objects.get_or_create(user=reviewer, defaults=REVIEWER)

    condition = _condition(report)
    question = _question(condition, editor=staff[Role.EDITOR], reviewer=reviewer, report=report)
    members = _members(condition, report)
    _experiences(question, members[: len(EXPERIENCES)], report)
    # The members and posts above were written in bulk, past the services that keep the figures.
    refresh_community_figures([condition.pk])
    refresh_question_figures([question.pk])
    _follows(question, members, report)
    _suggestions(condition, question, members, staff[Role.EDITOR], report)
    _replies(question, members, report)
    return report
