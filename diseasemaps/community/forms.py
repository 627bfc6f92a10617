from django import forms

from diseasemaps.community.models import Frequency, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: how it reaches the member by e-mail."""

    def __init__(self, *args, initial: dict[str, str], **kwargs):
        super().__init__(*args, initial=initial, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                widget=forms.RadioSelect,
            )
