"""Our field markup (templates/forms/field.html) for every form, allauth's included."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from tests.factories import ConditionFactory

SCRIPT = "<script>alert(1)</script>"


class HelpForm(forms.Form):
    text = forms.CharField(label="Text")
    agree = forms.BooleanField(label="Agree", required=False)
    choice = forms.ChoiceField(
        label="Choice", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


@pytest.mark.parametrize("field", ["text", "agree", "choice"])
def test_help_text_built_from_data_is_escaped(field):
    """A text field, a checkbox and a fieldset: each way the template shows help text."""
    form = HelpForm()
    form.fields[field].help_text = f"Named after {SCRIPT} & co"
    html = str(form)
    assert SCRIPT not in html
    assert "Named after &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_help_text_marked_as_markup_where_it_is_defined_keeps_its_markup():
    form = HelpForm()
    form.fields["text"].help_text = format_html('See <a href="{}">the notice</a>.', "/notice/")
    assert 'See <a href="/notice/">the notice</a>.' in str(form)


def test_the_password_rules_still_render_as_a_list(client):
    page = client.get(reverse("account_signup")).content.decode()
    start = page.index('id="id_password1_helptext"')
    rules = page[start : page.index("</div>", start)]
    assert "<ul><li>" in rules
    assert rules.count("<li>") == 4  # similarity, length, common, numeric
    assert "&lt;" not in rules


@pytest.mark.django_db
def test_the_consent_help_links_to_the_privacy_notice(member_client):
    ConditionFactory()
    page = member_client.get(reverse("members:conditions")).content.decode()
    assert f'our <a href="{reverse("members:privacy")}">privacy notice</a>' in page
