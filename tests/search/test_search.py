import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.answers import services as answer_services
from diseasemaps.members.models import MemberProfile
from diseasemaps.search import services
from diseasemaps.search.models import SearchDocument
from diseasemaps.search.queries import SearchTerms, highlight, search
from tests.conftest import mfa_client
from tests.factories import (
    ConditionAliasFactory,
    ConditionFactory,
    ExperienceFactory,
    QuestionFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.postgres_only  # reason given on each use


def _go_live(question, editor, reviewer, **fields):
    values = {"short_answer": "Short.", "body": "Body.", "change_summary": "New text."}
    values.update(fields)
    draft = answer_services.create_draft(question=question, author=editor, **values)
    answer_services.submit_for_review(revision=draft, actor=editor)
    return answer_services.approve_revision(revision=draft, reviewer=reviewer)


def _dfsp():
    condition = ConditionFactory(
        name="Dermatofibrosarcoma Protuberans",
        abbreviation="DFSP",
        slug="dfsp",
        summary="A rare tumour of the skin.",
    )
    ConditionAliasFactory(condition=condition, name="Darier–Ferrand tumour")
    return condition


def _titles(query: str) -> list[str]:
    return [result.title for result in search(SearchTerms.parse(query))]


# --- The index --------------------------------------------------------------------------------


def test_approving_a_revision_puts_the_question_and_its_condition_in_the_index(editor, reviewer):
    question = QuestionFactory(condition=_dfsp(), title="How is it treated?")
    assert not SearchDocument.objects.exists()

    _go_live(question, editor, reviewer, body="Mohs micrographic surgery is the usual choice.")

    document = SearchDocument.objects.get(question=question)
    assert document.kind == SearchDocument.Kind.QUESTION
    assert document.names == "Dermatofibrosarcoma Protuberans DFSP Darier–Ferrand tumour"
    assert document.text == "Mohs micrographic surgery is the usual choice."
    assert SearchDocument.objects.filter(kind="condition", condition=question.condition).exists()


def test_a_new_live_revision_replaces_the_indexed_text(editor, reviewer):
    question = QuestionFactory(condition=_dfsp())
    _go_live(question, editor, reviewer, body="Old wording about excision.")
    _go_live(question, editor, reviewer, body="New wording about imatinib.")
    assert _titles("imatinib") == [question.title]
    assert _titles("excision") == []


def test_a_word_found_only_in_a_draft_finds_nothing(editor, reviewer):
    question = QuestionFactory(condition=_dfsp())
    _go_live(question, editor, reviewer, body="The live text.")
    answer_services.create_draft(
        question=question, author=editor, short_answer="Unreleased.", body="Zanubrutinib maybe."
    )
    services.rebuild_search_index()
    assert _titles("zanubrutinib") == []
    assert _titles("unreleased") == []


def test_experiences_and_members_are_never_searched(editor, reviewer):
    question = QuestionFactory(condition=_dfsp())
    _go_live(question, editor, reviewer)
    experience = ExperienceFactory(question=question, body="My oncologist Quixotica helped.")
    MemberProfile.objects.filter(user=experience.author).update(display_name="Zebediah")
    services.rebuild_search_index()
    assert _titles("Quixotica") == []
    assert _titles("Zebediah") == []


def test_a_question_without_a_live_answer_leaves_the_index(editor, reviewer):
    question = published_question(condition=_dfsp())
    services.index_question(question=question)
    assert SearchDocument.objects.filter(question=question).exists()
    question.live_revision = None
    question.save()
    services.index_question(question=question)
    assert not SearchDocument.objects.filter(question=question).exists()


def test_reindexing_a_condition_picks_up_a_new_alias(editor, reviewer):
    condition = _dfsp()
    question = QuestionFactory(condition=condition)
    _go_live(question, editor, reviewer)
    ConditionAliasFactory(condition=condition, name="Zylophant nodule")
    assert _titles("zylophant nodule") == []

    services.index_condition(condition=condition)

    assert set(_titles("zylophant nodule")) == {condition.display_name, question.title}


def test_saving_a_condition_in_the_admin_reindexes_it(client, db):
    from tests.factories import StaffFactory

    admin_user = StaffFactory(is_superuser=True)
    client = mfa_client(admin_user)
    condition = _dfsp()
    response = client.post(
        reverse("admin:conditions_condition_change", args=[condition.pk]),
        {
            "name": condition.name,
            "slug": condition.slug,
            "abbreviation": "DFSP",
            "summary": "Now mentions fibrohistiocytic growth.",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "treatments-TOTAL_FORMS": "0",
            "treatments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert _titles("fibrohistiocytic") == [condition.display_name]


def test_renaming_a_question_in_the_admin_reindexes_it(editor):
    question = published_question(condition=_dfsp(), title="How is it treated?")
    services.index_question(question=question)
    response = mfa_client(editor).post(
        reverse("admin:answers_question_change", args=[question.pk]),
        {
            "condition": question.condition.pk,
            "title": "Which operations remove it?",
            "slug": question.slug,
            "position": 0,
            "review_interval_months": 12,
            "revisions-TOTAL_FORMS": "1",
            "revisions-INITIAL_FORMS": "1",
            "revisions-0-id": question.live_revision.pk,
            "revisions-0-question": question.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _titles("operations") == ["Which operations remove it?"]


def test_rebuilding_indexes_every_condition_and_live_question():
    published_question(condition=_dfsp())
    QuestionFactory()  # no live answer
    ConditionFactory()
    assert services.rebuild_search_index() == 4  # 3 conditions + 1 live question


@postgres_only  # reason: GIN pending lists and planner statistics are PostgreSQL's
def test_a_rebuilt_index_is_left_merged_and_analysed():
    published_question(condition=_dfsp())
    services.rebuild_search_index()
    with connection.cursor() as cursor:
        # Nothing left in a pending list for every search to read through...
        for index in services.GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            assert cursor.fetchone() == (0,), index
        # ...and the planner's statistics describe the new rows.
        cursor.execute(
            "SELECT count(*) FROM pg_stats"
            " WHERE tablename = 'search_searchdocument' AND attname = 'names'"
        )
        assert cursor.fetchone() == (1,)


# --- Finding things -----------------------------------------------------------------------------


def test_the_abbreviation_and_an_alias_find_the_condition(editor, reviewer):
    condition = _dfsp()
    services.index_condition(condition=condition)
    assert _titles("DFSP") == [condition.display_name]
    assert _titles("Darier–Ferrand") == [condition.display_name]


def test_a_question_title_word_finds_the_question(editor, reviewer):
    question = QuestionFactory(condition=_dfsp(), title="Can it come back after surgery?")
    _go_live(question, editor, reviewer)
    assert _titles("come back") == [question.title]


@postgres_only  # reason: misspellings are forgiven through pg_trgm, which only PostgreSQL has
def test_a_misspelt_condition_name_still_finds_it(editor, reviewer):
    question = QuestionFactory(condition=_dfsp())
    _go_live(question, editor, reviewer)
    assert "Dermatofibrosarcoma Protuberans (DFSP)" in _titles("dermatofibrosarkoma")


@postgres_only  # reason: stemming comes from PostgreSQL's english text search configuration
def test_a_different_form_of_a_word_matches(editor, reviewer):
    question = QuestionFactory(condition=_dfsp(), title="What does recovery look like?")
    _go_live(question, editor, reviewer, body="Most people are treated as outpatients.")
    assert _titles("treating") == [question.title]


@postgres_only  # reason: the weighted ranking is PostgreSQL's ts_rank over the weighted vector
def test_a_match_in_the_condition_name_ranks_above_one_in_an_answer_body(editor, reviewer):
    other = QuestionFactory(condition=ConditionFactory(name="Keloid"), title="Is it a sarcoma?")
    _go_live(other, editor, reviewer, body="Keloids are unrelated to a fibrosarcoma protuberans.")
    condition = _dfsp()
    services.index_condition(condition=condition)
    titles = _titles("protuberans")
    assert titles[0] == condition.display_name
    assert titles[-1] == other.title


@postgres_only  # reason: websearch_to_tsquery is PostgreSQL's; the plain search has no phrases
def test_websearch_syntax_phrases_and_exclusions_work(editor, reviewer):
    first = QuestionFactory(condition=_dfsp(), title="First?")
    _go_live(first, editor, reviewer, body="Clear margins matter most.")
    second = QuestionFactory(condition=first.condition, title="Second?")
    _go_live(second, editor, reviewer, body="Margins that are clear, and imatinib.")
    assert _titles('"clear margins"') == ["First?"]
    assert _titles("margins -imatinib") == ["First?"]


def test_a_snippet_highlights_the_words_searched_for(editor, reviewer):
    question = QuestionFactory(condition=_dfsp())
    _go_live(question, editor, reviewer, short_answer="Surgery is the main treatment.")
    (result,) = [r for r in search(SearchTerms.parse("surgery")) if r.kind == "question"]
    assert str(result.snippet) == "<mark>Surgery</mark> is the main treatment."


def test_snippet_text_is_escaped_before_the_markers_are_added():
    terms = SearchTerms.parse("mark script")
    snippet = highlight('<script>alert("x")</script> & <mark>not ours</mark>', terms)
    assert "<script" not in snippet
    assert snippet == (
        "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; &amp; "
        "&lt;<mark>mark</mark>&gt;not ours&lt;/<mark>mark</mark>&gt;"
    )


def test_a_long_text_is_cut_around_the_first_match():
    text = "Filler words. " * 40 + "The imatinib part. " + "More filler. " * 40
    snippet = highlight(text, SearchTerms.parse("imatinib"))
    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert "<mark>imatinib</mark>" in snippet
    assert len(snippet) < 300


def test_query_parsing_drops_operators_and_keeps_exclusions():
    terms = SearchTerms.parse('  "clear   margins" OR surgery -imatinib ')
    assert terms.raw == '"clear margins" OR surgery -imatinib'
    assert terms.words == ("clear", "margins", "surgery")
    assert terms.excluded == ("imatinib",)
    assert not SearchTerms.parse("!!! ??? ...").is_searchable


# --- The page -----------------------------------------------------------------------------------


def _search_page(client, query):
    response = client.get(reverse("search:results"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_search_page_lists_results_with_links(client, editor, reviewer):
    question = QuestionFactory(condition=_dfsp(), title="How is it treated?")
    _go_live(question, editor, reviewer)
    html = _search_page(client, "DFSP")
    assert f'href="{question.get_absolute_url()}"' in html
    assert 'href="/conditions/dfsp/"' in html
    assert "2 results" in html


def test_an_empty_search_gets_advice_and_popular_conditions(client):
    condition = ConditionFactory(name="Gout")
    html = _search_page(client, "")
    assert "What to search for" in html
    assert condition.get_absolute_url() in html
    assert client.get(reverse("search:results")).status_code == 200


@pytest.mark.parametrize(
    ("query", "advice"),
    [
        ("x" * 5000, "That search is too long"),
        ("dfsp\x00", "characters we cannot look for"),
        ("%%% ''' ;;; --", "Search with words"),
        ("qwzxv plorkt", "Nothing matched"),
        ("a & b | !c <-> (d", "Search with words"),
        ("dfsp & ) ( <-> !! |", "Nothing matched"),
    ],
)
def test_an_absurd_search_gets_a_helpful_page_never_an_error(client, query, advice):
    assert advice in _search_page(client, query)


def test_a_search_query_is_escaped_on_the_page(client):
    html = _search_page(client, "<script>alert(1)</script>")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_search_page_is_not_indexed(client):
    html = _search_page(client, "dfsp")
    assert '<meta name="robots" content="noindex">' in html


def test_search_runs_a_fixed_number_of_queries(client, editor, reviewer, django_assert_num_queries):
    condition = _dfsp()
    for number in range(5):
        question = QuestionFactory(condition=condition, title=f"Question {number}?")
        _go_live(question, editor, reviewer)
    # The rate limiter's count (one upsert), the page ranked and counted, and its documents.
    with django_assert_num_queries(3):
        _search_page(client, "question")


def test_a_search_is_matched_once_for_its_page_and_its_count(client, editor, reviewer):
    condition = _dfsp()
    for number in range(3):
        question = QuestionFactory(condition=condition, title=f"Question {number}?")
        _go_live(question, editor, reviewer, body="About imatinib.")
    with CaptureQueriesContext(connection) as queries:
        html = _search_page(client, "imatinib")
    assert "3 results" in html
    assert html.count('class="search-result"') == 3
    assert len([query for query in queries if "imatinib" in query["sql"]]) == 1


def test_a_search_without_results_runs_no_more_queries(client, django_assert_num_queries):
    _dfsp()
    # The rate limiter's count, the ranked page that comes back empty, the largest communities.
    with django_assert_num_queries(3):
        html = _search_page(client, "imatinib")
    assert "Dermatofibrosarcoma Protuberans" in html  # offered instead


def test_many_results_come_in_pages(client, editor, reviewer, settings, monkeypatch):
    from diseasemaps.search import views

    monkeypatch.setattr(views, "SEARCH_RESULTS", 2)
    condition = _dfsp()
    for number in range(4):
        question = QuestionFactory(condition=condition, title=f"Question {number}?")
        _go_live(question, editor, reviewer, body="About imatinib.")
    first = _search_page(client, "imatinib")
    assert "4 results, best first · page 1 of 2" in first
    assert 'href="?q=imatinib&amp;page=2">More results</a>' in first
    second = client.get(reverse("search:results"), {"q": "imatinib", "page": "2"}).content.decode()
    assert "page 2 of 2" in second
    assert "Previous results" in second
    assert first.count('class="search-result"') == second.count('class="search-result"') == 2
    past_the_end = client.get(reverse("search:results"), {"q": "imatinib", "page": "9"})
    assert "page 2 of 2" in past_the_end.content.decode()
    not_a_number = client.get(reverse("search:results"), {"q": "imatinib", "page": "x"})
    assert "page 1 of 2" in not_a_number.content.decode()


@postgres_only  # reason: misspellings are forgiven through pg_trgm, which only PostgreSQL has
def test_a_misspelt_name_among_other_words_still_finds_it(editor, reviewer):
    question = QuestionFactory(condition=_dfsp(), title="How is it treated?")
    _go_live(question, editor, reviewer)
    titles = _titles("dermatofibrosarkoma treatment")
    assert set(titles) == {question.title, "Dermatofibrosarcoma Protuberans (DFSP)"}


def test_a_flood_of_searches_from_one_address_is_slowed_with_a_helpful_page(client, monkeypatch):
    from diseasemaps.core.ratelimit import RateLimit
    from diseasemaps.search import views

    monkeypatch.setattr(views, "SEARCH_LIMIT", RateLimit("search-test", limit=2, period=60))
    assert client.get(reverse("search:results"), {"q": "dfsp"}).status_code == 200
    assert client.get(reverse("search:results"), {"q": "dfsp"}).status_code == 200
    response = client.get(reverse("search:results"), {"q": "dfsp"})
    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()
    # An empty search costs nothing and is never refused.
    assert client.get(reverse("search:results"), {"q": ""}).status_code == 200
