"""
What the answers app announces to the apps above it, which it must not import.

`question_text_changed` is sent with `question=` inside the transaction that changed what the
public sees of a question: an answer went live, or the question was renamed. The search index
listens (search.apps).

`answer_reviewed` is sent with `question=` and `revision=` inside the transaction in which a
revision that had a full medical review went live; `revision.change_summary` is its "what
changed" line. Editorial changes do not send it.

`suggestions_answered` is sent with `question=` and `suggestions=` (the members' suggested
questions, each with its `member`, that the editors turned into this question) inside the
transaction in which the question's first reviewed answer went live. Each suggestion is sent
once, when it becomes answered: also when an editor links it to (or merges it into one linked
to) a question already live, and then with only those newly answered. Receivers skip a
suggestion whose `member` is None (an account removed other than by erasure, which deletes
its suggestions).

Receivers that start work off the request defer it with `transaction.on_commit`.
"""

from django.dispatch import Signal

question_text_changed = Signal()
answer_reviewed = Signal()
suggestions_answered = Signal()
