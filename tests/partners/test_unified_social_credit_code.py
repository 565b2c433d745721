"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from partners.validators import USCC_ALPHABET, uscc_check_character, validate_unified_social_credit_code

first_17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_a_known_good_code_is_accepted():
    validate_unified_social_credit_code("91350100M000100Y43")


@given(first_17)
def test_any_code_with_its_check_character_is_accepted(body):
    validate_unified_social_credit_code(body + uscc_check_character(body))


@given(first_17, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_changing_any_one_character_is_caught(body, position, replacement):
    good = body + uscc_check_character(body)
    bad = good[:position] + replacement + good[position + 1 :]
    if bad == good:
        return
    with pytest.raises(ValidationError) as error:
        validate_unified_social_credit_code(bad)
    assert error.value.code == "uscc_checksum"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("91350100M000100Y4", "uscc_length"), ("91350100M00010OY43", "uscc_characters"), ("", "uscc_length")],
)
def test_wrong_length_and_letters_outside_the_alphabet_have_their_own_message(code, error_code):
    with pytest.raises(ValidationError) as error:
        validate_unified_social_credit_code(code)
    assert error.value.code == error_code
