from django import forms

from diseasemaps.search.queries import MAX_QUERY_LENGTH, SearchTerms


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search conditions and answers",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "That search is too long. Try a few words, such as a condition's "
            "name and what you want to know.",
            "null_characters_not_allowed": "That search has characters we cannot look for. "
            "Try typing it again.",
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def terms(self) -> SearchTerms:
        return SearchTerms.parse(self.cleaned_data["q"])
