import pytest

from diseasemaps.experiences.screening import describe, find_personal_data


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Write to jo.bloggs@example.org any time.", "email"),
        ("Write to jo (at) example.org.", "email"),
        ("Call +44 20 7946 0958.", "phone"),
        ("Call (555) 123-4567 after six.", "phone"),
        ("My mobile is 0612345678.", "phone"),
        ("See https://example.org/page.", "link"),
        ("See www.example.org.", "link"),
        ("Look up mysurgeon.com.", "link"),
    ],
)
def test_personal_details_are_found(text, kind):
    assert kind in {finding.kind for finding in find_personal_data(text)}


@pytest.mark.parametrize(
    "text",
    [
        "I was diagnosed in 2019 and operated on in 2021.",
        "Between 2010-2015 I had three operations.",
        "The tumour was 4.5 cm across; I took 400 mg a day.",
        "It took 3 weeks, 2 days and 12 stitches.",
    ],
)
def test_ordinary_figures_are_not_flagged(text):
    assert find_personal_data(text) == []


def test_one_warning_per_kind_naming_what_was_found():
    warnings = describe(
        find_personal_data("Mail a@example.org or b@example.org, call 020 7946 0958.")
    )
    assert len(warnings) == 2
    assert "an e-mail address" in warnings[0]
    assert "“a@example.org”, “b@example.org”" in warnings[0]
    assert "a phone number" in warnings[1]
