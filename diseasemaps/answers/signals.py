"""
What the answers app announces to the apps above it, which it must not import.

`question_text_changed` is sent with `question=` inside the transaction that changed what the
public sees of a question: an answer went live, or the question was renamed. The search index
listens (search.apps).
"""

from django.dispatch import Signal

question_text_changed = Signal()
