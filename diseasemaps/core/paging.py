"""Pagination that is told how many items there are, when counting them again would cost more."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """
    A paginator over `object_list` that takes its item count as given: for a list whose count
    is known already (a ranking query's window count) or cheaper to read elsewhere (an index
    that holds exactly the listed rows) than from the list's own query.
    """

    def __init__(self, object_list, per_page: int, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count
