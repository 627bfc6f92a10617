"""sitemap.xml: the public, indexable pages only, with absolute URLs on DISEASEMAPS_SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition


class SiteSitemap(Sitemap):
    """Builds every address on the configured public site, never on the request's host."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.DISEASEMAPS_SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.DISEASEMAPS_SITE_URL).netloc


class StaticPagesSitemap(SiteSitemap):
    priority = 0.6

    def items(self) -> list[str]:
        return ["pages:home", "conditions:index"]

    def location(self, item: str) -> str:
        return reverse(item)


class ConditionSitemap(SiteSitemap):
    priority = 0.8

    def items(self):
        return Condition.objects.order_by("slug")

    def lastmod(self, condition: Condition):
        return condition.updated_at


class QuestionSitemap(SiteSitemap):
    """Questions with a live, reviewed answer; never a draft."""

    priority = 1.0

    def items(self):
        return Question.objects.published().order_by("condition__slug", "slug")

    def lastmod(self, question: Question):
        return question.live_revision.updated_on


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "conditions": ConditionSitemap,
    "questions": QuestionSitemap,
}
