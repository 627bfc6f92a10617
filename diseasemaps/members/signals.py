"""
What the members app announces to the apps above it, which it must not import. Sent inside the
transaction that made the change.

- `community_figures_changed`, with `condition_ids=`: the stored community figure of these
  conditions (figures.py) changed, for the page cache to refresh the pages that show it.
"""

from django.dispatch import Signal

community_figures_changed = Signal()
