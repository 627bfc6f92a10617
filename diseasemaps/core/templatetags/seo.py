from django import template
from django.utils.safestring import SafeString

from diseasemaps.core.jsonld import breadcrumb_jsonld, render_jsonld
from diseasemaps.core.seo import Crumb

register = template.Library()


@register.simple_tag
def breadcrumb_list_jsonld(crumbs: list[Crumb]) -> SafeString:
    """The BreadcrumbList data block for the trail base.html shows."""
    return render_jsonld(breadcrumb_jsonld(crumbs))
