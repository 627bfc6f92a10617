"""Every stored figure of the site, counted again: for `manage.py recount` and bulk loaders."""

from diseasemaps.experiences.figures import recount_question_figures
from diseasemaps.members.figures import recount_community_figures


def recount_figures() -> list:
    """
    Count each question's post figures and each condition's community figure from their rows,
    store the ones that differ (under the same locks as the services), and return what changed.
    Loaders that insert rows in bulk, bypassing the services, call this at the end.
    """
    return [*recount_community_figures(), *recount_question_figures()]
