import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

from diseasemaps.core.dates import human_date
from tests.factories import ExperienceFactory, MemberConditionFactory, published_question
from tests.pages import account_pages, member_pages, public_pages

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TIME_ELEMENT = re.compile(r'<time datetime="([^"]*)">([^<]*)</time>')
DAY_MONTH_YEAR = re.compile(
    r"^([1-9]|[12]\d|3[01]) (January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4}$"
)
MONTHS = "January February March April May June July August September October November December"


def render(source: str, **context) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


def test_a_date_reads_as_nhs_uk_writes_it_inside_a_time_element():
    assert render("{{ d|human_date }}", d=datetime.date(2026, 5, 8)) == (
        '<time datetime="2026-05-08">8 May 2026</time>'
    )
    assert render("{{ d|human_date_text }}", d=datetime.date(2026, 12, 25)) == "25 December 2026"


def test_a_moment_is_shown_on_the_day_it_was_where_the_site_is(settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 UTC on 7 May is 00:30 on 8 May in London (summer time).
    moment = datetime.datetime(2026, 5, 7, 23, 30, tzinfo=datetime.UTC)
    assert render("{{ d|human_date }}", d=moment) == '<time datetime="2026-05-08">8 May 2026</time>'


def test_month_and_minute_precision():
    moment = datetime.datetime(2026, 5, 8, 14, 5, tzinfo=datetime.UTC)
    assert render('{{ d|human_date:"month" }}', d=moment) == (
        '<time datetime="2026-05">May 2026</time>'
    )
    assert render('{{ d|human_date:"minute" }}', d=moment) == (
        '<time datetime="2026-05-08T14:05+00:00">8 May 2026, 2:05pm</time>'
    )
    assert human_date(moment.replace(hour=9, minute=0), precision="minute") == "8 May 2026, 9am"
    assert human_date(moment.replace(hour=0, minute=30), precision="minute") == (
        "8 May 2026, 12:30am"
    )
    assert human_date(moment.replace(hour=12, minute=0), precision="minute") == ("8 May 2026, 12pm")


def test_an_empty_date_shows_nothing_and_a_wrong_precision_is_a_template_error():
    assert render("{{ d|human_date }}", d=None) == ""
    assert render("{{ d|human_date_text }}", d="") == ""
    with pytest.raises(TemplateSyntaxError):
        render('{{ d|human_date:"year" }}', d=datetime.date(2026, 5, 8))


def test_no_template_formats_a_date_by_hand():
    """Every date a person reads goes through the one filter (the admin keeps Django's own)."""
    templates = Path(settings.BASE_DIR) / "templates"
    by_hand = [
        f"{path.relative_to(templates)}: {line.strip()}"
        for path in templates.rglob("*")
        if path.is_file() and "admin" not in path.relative_to(templates).parts
        for line in path.read_text().splitlines()
        if re.search(r"\|\s*(date|time)\b", line)
    ]
    assert by_hand == []


def _visible_text(html: str) -> str:
    """What a reader sees: no data blocks, tags or attributes."""
    html = re.sub(r"<script[^>]*>.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _date_problems(name: str, html: str) -> list[str]:
    problems = [f"{name}: shows {found}" for found in ISO_DATE.findall(_visible_text(html))]
    for machine, words in TIME_ELEMENT.findall(html):
        if len(machine) == 10:
            expected = datetime.date.fromisoformat(machine)
            if words != f"{expected.day} {MONTHS.split()[expected.month - 1]} {expected.year}":
                problems.append(f"{name}: <time datetime={machine}> reads {words!r}")
        elif not words:
            problems.append(f"{name}: empty <time datetime={machine}>")
    return problems


@pytest.mark.django_db
def test_no_page_a_reader_sees_shows_a_date_as_digits(client):
    problems, html_seen = [], ""
    for name, url in public_pages().items():
        html = client.get(url).content.decode()
        html_seen += html
        problems += _date_problems(name, html)
    assert problems == []
    # The check looked at real dates: reviews, posts and membership all show one.
    assert len(TIME_ELEMENT.findall(html_seen)) >= 10


@pytest.mark.django_db
def test_no_page_a_member_sees_shows_a_date_as_digits(member_client, member):
    problems, html_seen = [], ""
    for name, page in member_pages(member).items():
        if page.data:
            html = member_client.post(page.url, page.data).content.decode()
        else:
            html = member_client.get(page.url).content.decode()
        html_seen += html
        problems += _date_problems(name, html)
    for name, url in account_pages().items():
        html = member_client.get(url).content.decode()
        html_seen += html
        problems += _date_problems(name, html)
    assert problems == []
    assert len(TIME_ELEMENT.findall(html_seen)) >= 5


@pytest.mark.django_db
def test_the_question_page_shows_its_review_and_post_dates_in_words(client):
    question = published_question()
    ExperienceFactory(question=question)
    html = client.get(question.get_absolute_url()).content.decode()
    times = TIME_ELEMENT.findall(html)
    assert ("2026-05-08", "8 May 2026") in times  # last updated and last reviewed
    assert ("2027-05-08", "8 May 2027") in times  # next review due
    assert all(DAY_MONTH_YEAR.match(words) for _, words in times)


@pytest.mark.django_db
def test_a_member_page_says_since_when_in_words(client):
    shared = MemberConditionFactory(visibility="everyone")
    profile = shared.user.member_profile
    html = client.get(profile.get_absolute_url()).content.decode()
    created = profile.created_at
    assert (
        f'Member since <time datetime="{created:%Y-%m}">{created:%B} {created.year}</time>' in html
    )


@pytest.mark.django_db
def test_the_privacy_notice_and_the_consent_box_name_the_notice_by_its_date(
    client, member_client, settings
):
    settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION = "2026-11-01"
    notice = client.get("/members/privacy/").content.decode()
    assert '<time datetime="2026-11-01">1 November 2026</time>' in notice
    form = member_client.get("/members/me/conditions/").content.decode()
    assert "1 November 2026" in form
    assert "2026-11-01" not in _visible_text(form)
