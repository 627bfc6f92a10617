from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from diseasemaps.conditions.models import Condition, index_lines
from diseasemaps.core.pagecache import public_page
from diseasemaps.core.seo import ShareMeta, breadcrumbs, describe

# One letter of the A–Z index is shown at a time, in pages of this many conditions, so that no
# page grows with the number of conditions on the site.
CONDITIONS_PER_PAGE = 50


@public_page(tags=lambda: ["site"])
def condition_list(request):
    """The A–Z index: the letters that have conditions, and one letter's conditions."""
    letters = Condition.objects.index_letters()
    asked = request.GET.get("letter", "").strip().upper()
    if asked and asked not in letters:
        raise Http404("No condition starts with that letter.")
    letter = asked or (letters[0] if letters else "")
    page = Paginator(
        Condition.objects.under_letter(letter).for_index(), CONDITIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    path = reverse("conditions:index") + (f"?letter={letter}" if asked else "")
    share = ShareMeta(
        path=path,
        title=f"Conditions A–Z: {letter}" if asked else "Conditions A–Z",
        description=describe(
            f"Conditions on DiseaseMaps starting with {letter}, with medically reviewed "
            "answers and members' experiences."
            if asked
            else "Every condition on DiseaseMaps, from A to Z, with medically reviewed answers "
            "and members' experiences."
        ),
    )
    return render(
        request,
        "conditions/condition_list.html",
        {
            "letters": letters,
            "letter": letter,
            "page": page,
            "lines": index_lines(page.object_list),
            "page_query": f"letter={letter}&",
            "crumbs": breadcrumbs(),
            "share": share,
        },
    )
