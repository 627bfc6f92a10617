"""
What the conditions app announces to the apps above it, which it must not import.

`condition_text_changed` is sent with `condition=` once a condition's names, aliases or summary
were saved. The search index listens (search.apps).
"""

from django.dispatch import Signal

condition_text_changed = Signal()
