import pytest
from django.core.exceptions import ValidationError

from diseasemaps.members import pseudonyms


def keys(name: str) -> pseudonyms.Skeletons:
    return pseudonyms.skeletons(pseudonyms.clean(name))


def clash(name: str, other: str) -> bool:
    """As the database sees it: one unique constraint per skeleton."""
    mine, theirs = keys(name), keys(other)
    return mine.as_written == theirs.as_written or mine.folded == theirs.folded


def test_full_width_letters_are_stored_as_the_letters_they_stand_for():
    assert pseudonyms.clean("ＢｒａｖｅＷｉｌｌｏｗ1") == "BraveWillow1"


def test_white_space_is_trimmed_and_collapsed_to_single_spaces():
    assert pseudonyms.clean("  Brave \u00a0 Willow\u3000 1 ") == "Brave Willow 1"


def test_emoji_variation_selectors_are_dropped_not_refused():
    assert pseudonyms.clean("Sunny\u2600\ufe0f") == "Sunny\u2600"


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2067", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
        ("\u200d", "U+200D ZERO WIDTH JOINER"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\u3164", "HANGUL"),  # a filler: default-ignorable, and invisible
        ("\u2028", "U+2028 LINE SEPARATOR"),
        ("\t", "U+0009, a control character"),
        ("\x07", "U+0007, a control character"),
        ("\ue000", "U+E000, a private-use character"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
    ],
)
def test_invisible_and_direction_changing_characters_are_refused_by_name(character, named):
    with pytest.raises(ValidationError) as refused:
        pseudonyms.clean(f"Good{character}evil")
    [message] = refused.value.messages
    assert "invisible or changes the direction" in message
    assert named in message


def test_a_name_without_any_letter_or_number_is_refused():
    with pytest.raises(ValidationError, match="at least one letter or number"):
        pseudonyms.clean("... ---")


def test_a_name_longer_than_the_limit_once_normalised_is_refused():
    # One character that NFKC spells out as eight: the limit counts what is stored.
    with pytest.raises(ValidationError, match="at most 40 characters"):
        pseudonyms.clean("Name" + "\u3250" * 13)


def test_an_email_address_is_refused_also_in_full_width():
    with pytest.raises(ValidationError, match="e-mail address"):
        pseudonyms.clean("me\uff20example.org")


@pytest.mark.parametrize(
    "lookalike",
    [
        "ＢｒａｖｅＷｉｌｌｏｗ1",  # full-width
        "Br\u0430veWillow1",  # Cyrillic a
        "\u0412raveWillow1",  # Cyrillic capital ve for B
        "BraveWi\u04c0low1",  # Cyrillic palochka for l
        "bravewillow1",
        "BRAVEWILLOW1",
        "BraveWilIow1",  # capital i for the first l
        "BraveWi11ow1",  # digit one for both l
        "BraveWillowl",  # small l for the digit one
        "\U0001d401raveWillow1",  # mathematical bold B
    ],
)
def test_lookalikes_of_a_name_clash_with_it(lookalike):
    assert clash(lookalike, "BraveWillow1")


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("BraveWillow1", "BraveWillow2"),
        ("BraveWillow", "Brave Willow"),
        ("Ian", "Lan"),
        ("Zoë", "Zoe"),
    ],
)
def test_names_that_only_resemble_each_other_do_not_clash(name, other):
    assert not clash(name, other)


def test_sanitise_keeps_what_it_can_of_a_name_stored_before_the_rules():
    assert pseudonyms.sanitise("Brave\u200bWillow1") == "BraveWillow1"
    assert pseudonyms.sanitise("Good\u202eevil") == "Goodevil"
    assert pseudonyms.sanitise("\u200b\u200b") == ""
    assert len(pseudonyms.sanitise("x" * 60)) == pseudonyms.MAX_LENGTH
