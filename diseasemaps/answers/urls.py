from django.urls import path

from diseasemaps.answers import views

app_name = "answers"

# The question page itself composes experiences too: it is in pages.urls (pages:question).
QUESTION = "conditions/<slug:condition_slug>/questions/<slug:slug>/"

urlpatterns = [
    path(f"{QUESTION}history/", views.question_history, name="question-history"),
    path(f"{QUESTION}helpful/", views.feedback_helpful, name="feedback-helpful"),
    path(f"{QUESTION}report-an-error/", views.feedback_error, name="feedback-error"),
    path(f"{QUESTION}feedback/thanks/", views.feedback_thanks, name="feedback-thanks"),
    path("reviewers/<slug:slug>/", views.reviewer_detail, name="reviewer"),
    path("how-we-review/", views.review_policy, name="review-policy"),
    path("questions/suggested/", views.my_suggestions, name="my-suggestions"),
]
