"""
Synthetic data at community scale, on top of the demo content, for the benchmark
(`make bench`) and for trying the site with many conditions, members and posts.

The rows are written with PostgreSQL's COPY, straight into the tables: a million posts go in
within minutes, where the services would take hours. So nothing here passes through the
services or the models' signals, and `generate_scale_data` puts right afterwards everything
they would have kept: the stored counts (`recount`), the helpful counts (from the reactions
written here), the stored public pages (`invalidate("all")`) and the search index.

Everything is made as the services would make it: every membership rests on its member's
consent, a post keeps the relationship its author wrote it from, approved posts have an
approval time, a helpful count is its post's reactions. The data is pseudo-random from a seed,
so two runs with the same figures make the same site.
"""

import bisect
import datetime
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.db.models import NOT_PROVIDED
from django.utils import timezone
from django.utils.text import slugify

from diseasemaps.answers.models import AnswerRevision, Question, Source
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.core.markdown import render_markdown
from diseasemaps.experiences.models import (
    BODY_MAX_LENGTH,
    Experience,
    Reaction,
    Treatment,
    render_experience_markdown,
)
from diseasemaps.members import pseudonyms
from diseasemaps.members.models import (
    HealthDataConsent,
    MemberCondition,
    MemberProfile,
    ReviewerProfile,
    User,
)
from diseasemaps.pages import demo

SCALE_EMAIL_DOMAIN = "scale.diseasemaps.example"
# Far from the demo's own numbers, so that no pseudonym (or its skeleton) is taken twice.
PSEUDONYM_OFFSET = 10_000_000
BATCH = 20_000

LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)]
# Roughly how often English medical names start with each letter; "#" for a digit.
LETTER_WEIGHTS = dict(
    zip(
        [*LETTERS, "#"],
        [8, 6, 9, 5, 4, 4, 4, 5, 4, 1, 3, 5, 9, 4, 5, 8, 1, 4, 9, 5, 2, 3, 2, 1, 1, 1, 1],
        strict=True,
    )
)
ONSETS = ["b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "th", "ch"]
VOWELS = ["a", "e", "i", "o", "u", "y", "ae", "io"]
ENDINGS = ["ic", "al", "ous", "oid", "ar", "ine", "otic", "atic"]
KINDS = [
    "syndrome",
    "dystrophy",
    "sarcoma",
    "myopathy",
    "disease",
    "anaemia",
    "dysplasia",
    "neuropathy",
    "fibrosis",
    "carcinoma",
    "ataxia",
    "deficiency",
    "lymphoma",
    "dermatosis",
    "encephalopathy",
]
TREATMENTS = [
    "Surgery",
    "Physiotherapy",
    "Enzyme replacement therapy",
    "Chemotherapy",
    "Radiotherapy",
    "Targeted therapy",
    "Steroids",
    "Occupational therapy",
    "Dietary changes",
    "Pain management",
    "Gene therapy trial",
    "Immunotherapy",
    "Watchful waiting",
    "Speech therapy",
]
QUESTIONS = [
    ("standard-treatment", "What is the standard approach to treating {name}?"),
    ("diagnosis", "How is {name} diagnosed?"),
    ("inheritance", "Is {name} inherited?"),
    ("outlook", "What is the outlook for people with {name}?"),
]
ANSWER_BODY = """\
Care for this condition is usually led by a specialist team [1]. Treatment depends on how the \
condition shows itself in each person, and on what matters most to them.

## What is usually offered

- an assessment by a specialist centre;
- treatment of the symptoms that affect daily life most;
- regular follow-up, because needs change over time.

Ask your care team which of these apply to you, and what the next step is.
"""
SENTENCES = [
    "I was diagnosed after almost two years of appointments.",
    "My surgeon explained the options clearly, which helped a lot.",
    "The first weeks after treatment were the hardest part for me.",
    "I found it useful to write my questions down before each visit.",
    "Recovery took longer than I expected, but it did come.",
    "My family came with me to the first appointments and that made a difference.",
    "The scar has faded more than I thought it would.",
    "I still go for check-ups every six months and they have all been clear so far.",
    "Talking to other people with the same diagnosis made me feel less alone.",
    "I had to stop working for a while, and my employer was understanding.",
    "The side effects were manageable once the dose was adjusted.",
    "Physiotherapy helped me get the movement back in my shoulder.",
    "I wish I had asked about a second opinion sooner.",
    "Some days are still difficult, and that is all right.",
    "Caring for my son through it taught me to ask for help.",
    "We kept a diary of symptoms, which the specialist found helpful.",
]


def _escape(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Table:
    """
    COPY into one model's table. The caller gives the fields it sets; every other column gets
    the field's default (its database default if it has one), so that a column added later
    with a default needs no change here.
    """

    def __init__(self, model: type[models.Model], fields: list[str]):
        self.model = model
        self.name = model._meta.db_table
        given = [model._meta.get_field(name) for name in fields]
        self.columns = [f.column for f in given]
        rest = []
        for f in model._meta.concrete_fields:
            if f in given or f.primary_key:
                continue
            if f.db_default is not NOT_PROVIDED or (f.null and not f.has_default()):
                continue
            if f.has_default() and callable(f.default) and f.unique:
                raise ValueError(f"{model.__name__}.{f.name} needs a value per row")
            self.columns.append(f.column)
            rest.append(_escape(f.get_db_prep_value(f.get_default(), connection)))
        self.suffix = "".join("\t" + value for value in rest)

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{self.name}"')  # noqa: S608
            return cursor.fetchone()[0]

    def copy(self, rows: Iterable[tuple]) -> int:
        """Write `rows` (tuples in the order of the fields given); returns how many."""
        count = 0
        columns = ", ".join(f'"{column}"' for column in self.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's own cursor: Django's has no copy()
            with raw.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:  # noqa: S608
                buffer = []
                for row in rows:
                    buffer.append("\t".join(map(_escape, row)) + self.suffix + "\n")
                    if len(buffer) >= BATCH:
                        copy.write("".join(buffer))
                        count += len(buffer)
                        buffer = []
                copy.write("".join(buffer))
                count += len(buffer)
        return count

    def reset_sequence(self) -> None:
        with connection.cursor() as cursor:
            most = f'(SELECT COALESCE(MAX(id), 1) FROM "{self.name}")'  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {most})", [self.name])


@dataclass
class ScaleReport:
    created: dict[str, int] = field(default_factory=dict)


@dataclass
class _Membership:
    user_id: int
    condition_id: int
    relationship: str


def _word(rng: random.Random, first: str) -> str:
    syllables = [rng.choice(VOWELS) + rng.choice(ONSETS) for _ in range(rng.randint(1, 3))]
    return (first + "".join(syllables) + rng.choice(ENDINGS)).capitalize()


def _condition_name(rng: random.Random, letter: str) -> str:
    if letter == "#":
        return f"{rng.randint(1, 22)}q{rng.randint(11, 36)}.{rng.randint(1, 3)} deletion syndrome"
    first = letter.lower()
    if rng.random() < 0.35:  # an eponym: "Kelmaric–Doraic syndrome"
        return f"{_word(rng, first)}–{_word(rng, rng.choice(ONSETS))} {rng.choice(KINDS)}"
    return f"{_word(rng, first)} {rng.choice(KINDS)}"


def _zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights: the first item is the most common, as with real communities."""
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


def _experience_bodies(rng: random.Random, count: int = 200) -> list[tuple[str, str]]:
    """A pool of bodies of varied length, rendered once each: most short, a few long."""
    bodies = []
    for _ in range(count):
        sentences = min(int(rng.paretovariate(1.2)) + 1, 60)
        text = " ".join(rng.choice(SENTENCES) for _ in range(sentences))
        if sentences > 6:
            text = text.replace(". ", ".\n\n", sentences // 6)
        text = text[:BODY_MAX_LENGTH]
        bodies.append((text, render_experience_markdown(text)))
    return bodies


def generate_scale_data(
    *, conditions: int, members: int, experiences: int, question_experiences: int, seed: int = 11
) -> ScaleReport:
    """
    Add `conditions` conditions (with aliases, treatments, and reviewed questions on about a
    third of them), `members` members with profiles and consented memberships, and
    `experiences` posts with reactions, `question_experiences` of them on the demo's DFSP
    treatment question. Needs the demo content and PostgreSQL; runs in one transaction.
    """
    rng = random.Random(seed)  # noqa: S311 (made-up data, to be the same on every run)
    report = ScaleReport()
    now = timezone.now()
    today = timezone.localdate()
    dfsp = Condition.objects.get(slug=demo.CONDITION["slug"])
    dfsp_question = Question.objects.get(condition=dfsp, slug=demo.QUESTION_SLUG)
    reviewer = ReviewerProfile.objects.select_related("user").first().user
    editor = dfsp_question.live_revision.author or reviewer

    # Conditions, their aliases and treatments.
    table = Table(
        Condition,
        ["id", "created_at", "updated_at", "name", "slug", "abbreviation", "summary",
         "index_letter"],
    )  # fmt: skip
    first_condition = table.next_id()
    names = {name.lower() for name in Condition.objects.values_list("name", flat=True)}
    slugs = set(Condition.objects.values_list("slug", flat=True))
    letters, weights = zip(*LETTER_WEIGHTS.items(), strict=True)
    rows = []
    for number in range(conditions):
        letter = [*LETTERS, "#"][number] if number < 27 else rng.choices(letters, weights)[0]
        name = _condition_name(rng, letter)
        while name.lower() in names:
            name = f"{name.rsplit(' type ', 1)[0]} type {rng.randint(2, 99)}"
        names.add(name.lower())
        slug = slugify(name)[:70]
        while slug in slugs:
            slug = f"{slugify(name)[:70]}-{rng.randint(2, 9999)}"
        slugs.add(slug)
        abbreviation = "".join(word[0] for word in name.split() if word[0].isalpha()).upper()
        summary = (
            f"{name} is a rare condition. It affects each person differently, and care is "
            "usually led by a specialist team.\n\nMembers share here what living with it is "
            "like."
        )
        rows.append(
            (first_condition + number, now, now, name, slug,
             abbreviation if rng.random() < 0.4 else "", summary, letter)
        )  # fmt: skip
    report.created["conditions"] = table.copy(rows)
    table.reset_sequence()
    condition_ids = [dfsp.pk] + [first_condition + n for n in range(conditions)]
    condition_names = {row[0]: row[3] for row in rows}

    table = Table(ConditionAlias, ["condition", "name"])
    report.created["aliases"] = table.copy(
        (condition_id, f"{name.split()[0]} {kind}")
        for condition_id, name in condition_names.items()
        for kind in rng.sample(["disorder", "complex", "type I", "variant"], rng.randint(0, 3))
    )
    table = Table(Treatment, ["id", "condition", "name"])
    first_treatment = table.next_id()
    treatment_rows = [
        (condition_id, name)
        for condition_id in condition_names
        for name in rng.sample(TREATMENTS, rng.randint(2, 6))
    ]
    report.created["treatments"] = table.copy(
        (first_treatment + n, *row) for n, row in enumerate(treatment_rows)
    )
    table.reset_sequence()
    treatments_of: dict[int, list[int]] = {}
    for n, (condition_id, _) in enumerate(treatment_rows):
        treatments_of.setdefault(condition_id, []).append(first_treatment + n)
    treatments_of[dfsp.pk] = list(
        Treatment.objects.filter(condition=dfsp).values_list("pk", flat=True)
    )

    # Reviewed questions on about a third of the conditions, each with a live revision.
    questions_table = Table(Question, ["id", "created_at", "updated_at", "condition", "title",
                                       "slug", "position"])  # fmt: skip
    first_question = questions_table.next_id()
    question_rows = []
    for condition_id, name in condition_names.items():
        if rng.random() < 0.33:
            for position, (slug, title) in enumerate(QUESTIONS[: rng.randint(1, 4)]):
                question_rows.append((condition_id, title.format(name=name), slug, position))
    report.created["questions"] = questions_table.copy(
        (first_question + n, now, now, *row) for n, row in enumerate(question_rows)
    )
    questions_table.reset_sequence()
    body_html = render_markdown(ANSWER_BODY, citations=True)
    revisions = Table(
        AnswerRevision,
        ["id", "created_at", "updated_at", "question", "number", "version", "state",
         "short_answer", "body", "body_html", "change_summary", "author", "reviewer",
         "review_kind", "approved_at", "reviewed_on", "updated_on", "next_review_on"],
    )  # fmt: skip
    first_revision = revisions.next_id()
    revision_rows = []
    for n, (_, title, _, _) in enumerate(question_rows):
        reviewed_on = today - datetime.timedelta(days=rng.randint(10, 400))
        revision_rows.append(
            (first_revision + n, now, now, first_question + n, 1, 1,
             AnswerRevision.State.APPROVED,
             f"{title[:-1]}: a specialist team can say what applies to you. This summary was "
             "medically reviewed.",
             ANSWER_BODY, body_html, "First reviewed answer", editor.pk, reviewer.pk,
             AnswerRevision.ReviewKind.FULL, now, reviewed_on, reviewed_on,
             reviewed_on + datetime.timedelta(days=365))
        )  # fmt: skip
    report.created["reviewed answers"] = revisions.copy(revision_rows)
    revisions.reset_sequence()
    Table(Source, ["revision", "position", "title", "publisher", "year", "url"]).copy(
        (first_revision + n, 1, "Rare disease care: a clinical overview", "Orphanet", 2024,
         "https://www.orpha.net/")
        for n in range(len(question_rows))
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Question._meta.db_table}" AS q SET live_revision_id = r.id '  # noqa: S608
            f'FROM "{AnswerRevision._meta.db_table}" AS r '
            "WHERE r.question_id = q.id AND q.id >= %s",
            [first_question],
        )
    questions_of: dict[int, list[int]] = {}
    for n, row in enumerate(question_rows):
        questions_of.setdefault(row[0], []).append(first_question + n)

    # Members, profiles, consents and memberships: a few large communities, many small ones.
    users = Table(User, ["id", "email", "password", "is_active", "date_joined"])
    first_user = users.next_id()
    unusable = make_password(None)
    report.created["members"] = users.copy(
        (first_user + n, f"member-{n:07d}@{SCALE_EMAIL_DOMAIN}", unusable,
         rng.random() > 0.01, now - datetime.timedelta(days=rng.randint(0, 1500)))
        for n in range(members)
    )  # fmt: skip
    users.reset_sequence()

    def profile_rows() -> Iterator[tuple]:
        for n in range(members):
            name = demo._pseudonym(PSEUDONYM_OFFSET + n)
            skeleton = pseudonyms.skeletons(name)
            public_id = f"s{n:x}"  # unique, and says no more than a random one would
            yield (now, now, public_id, first_user + n, name, skeleton.as_written,
                   skeleton.folded)  # fmt: skip

    Table(
        MemberProfile,
        ["created_at", "updated_at", "public_id", "user", "display_name", "name_skeleton",
         "name_skeleton_folded"],
    ).copy(profile_rows())  # fmt: skip

    cumulative = _zipf_cumulative(len(condition_ids))
    total_weight = cumulative[-1]
    memberships: list[_Membership] = []
    for n in range(members):
        chosen = set()
        for _ in range(rng.choices([1, 2, 3], [70, 25, 5])[0]):
            index = bisect.bisect(cumulative, rng.random() * total_weight)
            chosen.add(condition_ids[min(index, len(condition_ids) - 1)])
        for condition_id in chosen:
            relationship = (
                MemberCondition.Relationship.CARING_FOR
                if rng.random() < 0.12
                else MemberCondition.Relationship.LIVING_WITH
            )
            memberships.append(_Membership(first_user + n, condition_id, relationship))
    consents = Table(HealthDataConsent, ["id", "user", "condition", "purpose", "notice_version",
                                         "given_at"])  # fmt: skip
    first_consent = consents.next_id()
    consents.copy(
        (first_consent + n, m.user_id, m.condition_id, HealthDataConsent.Purpose.MEMBER_CONDITION,
         settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION, now)
        for n, m in enumerate(memberships)
    )  # fmt: skip
    consents.reset_sequence()
    visibilities = [v.value for v in MemberCondition.Visibility]
    report.created["memberships"] = Table(
        MemberCondition,
        ["created_at", "updated_at", "user", "condition", "relationship", "diagnosed_in",
         "visibility", "is_counted", "consent"],
    ).copy(
        (now, now, m.user_id, m.condition_id, m.relationship,
         rng.choice([None, *range(1990, 2026)]), rng.choices(visibilities, [60, 25, 15])[0],
         rng.random() < 0.7, first_consent + n)
        for n, m in enumerate(memberships)
    )  # fmt: skip

    # Posts, their treatments and reactions; each helpful count is its post's reactions.
    dfsp_memberships = [m for m in memberships if m.condition_id == dfsp.pk]
    on_dfsp_question = min(question_experiences, experiences) if dfsp_memberships else 0
    bodies = [(_escape(text), _escape(html)) for text, html in _experience_bodies(rng)]
    posts = Table(
        Experience,
        [
            "id",
            "created_at",
            "updated_at",
            "condition",
            "question",
            "author",
            "written_as",
            "audience",
            "status",
            "is_hidden",
            "body",
            "body_html",
            "helpful_count",
            "years_since_diagnosis",
            "approved_at",
        ],
    )
    first_post = posts.next_id()
    links: list[tuple[int, int]] = []
    reactions: list[tuple[int, int]] = []
    audience = Experience.Audience
    status = Experience.Status

    def post_rows() -> Iterator[str]:
        for n in range(experiences):
            pk = first_post + n
            if n < on_dfsp_question:
                m = rng.choice(dfsp_memberships)
                question_id = dfsp_question.pk
            else:
                m = memberships[rng.randrange(len(memberships))]
                asked = questions_of.get(m.condition_id)
                question_id = rng.choice(asked) if asked and rng.random() < 0.6 else None
            state = rng.choices([status.APPROVED, status.PENDING, status.REJECTED], [95, 3, 2])[0]
            approved = state == status.APPROVED
            helpful = 0
            if approved:
                wanted = rng.choices([0, 1, 4, 13], [75, 18, 6, 1])[0]
                wanted = min(rng.randint(wanted, wanted * 3), members)
                for user_id in rng.sample(range(first_user, first_user + members), wanted):
                    if user_id != m.user_id:  # nobody reacts to their own post
                        reactions.append((pk, user_id))
                        helpful += 1
            offered = treatments_of.get(m.condition_id, [])
            for treatment_id in rng.sample(
                offered, min(len(offered), rng.choices([0, 1, 2], [50, 40, 10])[0])
            ):
                links.append((pk, treatment_id))
            created = now - datetime.timedelta(minutes=rng.randint(60, 1_500_000))
            text, html = bodies[rng.randrange(len(bodies))]
            yield "\t".join([
                str(pk), created.isoformat(), created.isoformat(), str(m.condition_id),
                str(question_id) if question_id else r"\N", str(m.user_id), m.relationship,
                audience.MEMBERS if rng.random() < 0.15 else audience.EVERYONE, state,
                "t" if approved and rng.random() < 0.005 else "f", text, html, str(helpful),
                str(rng.randint(0, 30)) if rng.random() < 0.7 else r"\N",
                (created + datetime.timedelta(days=1)).isoformat() if approved else r"\N",
            ]) + posts.suffix + "\n"  # fmt: skip

    report.created["experiences"] = _copy_lines(posts, post_rows())
    posts.reset_sequence()
    through = Experience.treatments.through
    Table(through, ["experience", "treatment"]).copy(links)
    reaction_table = Table(Reaction, ["created_at", "updated_at", "experience", "user"])
    report.created["reactions"] = reaction_table.copy(
        (now, now, experience_id, user_id) for experience_id, user_id in reactions
    )
    with connection.cursor() as cursor:
        # Every table, the many-to-many ones too: without statistics the planner scans them.
        # VACUUM too, so that index-only scans (a reviewer's count of answers) need not visit
        # the table; it cannot run inside a transaction (a test's), where ANALYZE alone does.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return report


def _copy_lines(table: Table, lines: Iterable[str]) -> int:
    """COPY lines already in COPY's text format (the posts: their bodies escaped once each)."""
    count = 0
    columns = ", ".join(f'"{column}"' for column in table.columns)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for chunk in _batched(lines):
            copy.write("".join(chunk))
            count += len(chunk)
    return count


def _batched(lines: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(lines)
    while chunk := list(itertools.islice(iterator, BATCH)):
        yield chunk


def recount_helpful() -> int:
    """Every post's helpful count set from its reactions; returns how many were wrong."""
    table = Experience._meta.db_table
    reactions = Reaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS e SET helpful_count = COALESCE(r.n, 0) FROM "{table}" AS e2 '  # noqa: S608
            f'LEFT JOIN (SELECT experience_id, COUNT(*) AS n FROM "{reactions}" '
            "GROUP BY experience_id) AS r ON r.experience_id = e2.id "
            "WHERE e.id = e2.id AND e.helpful_count <> COALESCE(r.n, 0)"
        )
        return cursor.rowcount
