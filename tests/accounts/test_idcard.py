import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.idcard import check_character, mask_id_number, validate_id_number

# The example number printed in GB 11643-1999 itself.
STANDARD_EXAMPLE = "11010519491231002X"


def test_it_accepts_the_standard_example():
    assert validate_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_it_normalises_a_lower_case_x_spaces_and_full_width_digits():
    assert validate_id_number(" 110105 19491231 002x ") == STANDARD_EXAMPLE
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == STANDARD_EXAMPLE


def test_it_computes_the_check_character_of_the_standard():
    assert check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "checksum"),  # last character altered
        ("110105194912310012", "checksum"),  # sequence digit mistyped
        ("110105194902300020", "birth_date"),  # 30 February
        ("110105189912310020", "birth_date"),  # before 1900
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("", "length"),
        ("1101051949123100AX", "format"),
        ("990105194912310026", "region"),
    ],
)
def test_it_rejects_a_bad_number_saying_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(number)
    assert excinfo.value.code == code


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "11010520300101002"
    number = first17 + check_character(first17)
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(number, today=datetime.date(2026, 11, 29))
    assert excinfo.value.code == "birth_date"


def test_it_masks_all_but_the_first_three_and_last_four():
    assert mask_id_number("310104198507230033") == "310***********0033"
    assert mask_id_number(STANDARD_EXAMPLE) == "110***********002X"
    assert mask_id_number("") == ""
