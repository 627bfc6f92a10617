"""
What the experiences app announces to the apps above it, which it must not import.

Each signal is sent inside the transaction that made the change: a receiver that starts work
off the request (e-mail, notifications) defers it with `transaction.on_commit`, so that nothing
is sent for a change that is rolled back.

- `experience_published`, with `experience=`: a post became visible to readers for the first
  time (a moderator approved it, or a trusted member's post was published at once). Edits and
  posts shown again after reports do not send it.
- `reply_published`, with `reply=`: a reply under a post became visible for the first time.
- `question_figures_changed`, with `question_ids=`: the stored figures of these questions (see
  figures.py) changed, for the page cache to refresh their pages.
"""

from django.dispatch import Signal

experience_published = Signal()
reply_published = Signal()
question_figures_changed = Signal()
