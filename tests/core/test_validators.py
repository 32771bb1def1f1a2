import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xiangzhi.core.validators import (
    id_check_char,
    normalize_phone,
    parse_citizen_id,
    validate_division_code,
)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))
regions = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
seqs = st.integers(min_value=0, max_value=999)


def build(region, birth, seq):
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


@given(regions, dates, seqs)
def test_every_well_formed_id_is_accepted_with_its_birth_date_and_gender(region, birth, seq):
    cid = parse_citizen_id(build(region, birth, seq))
    assert cid.birth_date == birth
    assert cid.gender == ("M" if (seq % 10) % 2 == 1 else "F")


@given(regions, dates, seqs, st.sampled_from("0123456789X"))
def test_any_wrong_check_digit_is_rejected(region, birth, seq, wrong):
    number = build(region, birth, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id(number[:-1] + wrong)
    assert "校验位" in exc.value.messages[0]


@given(regions, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), seqs)
def test_a_legacy_15_digit_id_converts_to_the_18_digit_one(region, birth, seq):
    legacy = f"{region}{birth:%y%m%d}{seq:03d}"
    assert parse_citizen_id(legacy).number == build(region, birth, seq)


def test_the_published_example_and_lower_case_x_and_full_width_digits():
    # GB 11643 example: 11010519491231002X
    assert parse_citizen_id("11010519491231002x").number == "11010519491231002X"
    assert parse_citizen_id(" 110105１９４９１２３１００２X ").number == "11010519491231002X"
    assert parse_citizen_id("11010519491231002X").gender == "F"


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "不能为空"),
        ("1101051949123100", "18位"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100AX", "前17位"),
        ("11010519491231002", "18位"),
    ],
)
def test_it_explains_what_is_wrong_with_a_bad_id_in_chinese(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id(raw)
    assert fragment in exc.value.messages[0]


def test_phone_numbers_are_normalised_and_checked():
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    assert normalize_phone("１３８００１３８０００") == "13800138000"
    for bad in ["12800138000", "1380013800", "23800138000", "abc"]:
        with pytest.raises(ValidationError):
            normalize_phone(bad)


def test_division_codes_have_twelve_digits():
    validate_division_code("430521100201")
    for bad in ["43052110020", "4305211002011", "43052110020A"]:
        with pytest.raises(ValidationError):
            validate_division_code(bad)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # U+0660..: NFKC leaves them alone
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


@pytest.mark.parametrize("digits", [ARABIC_INDIC, DEVANAGARI])
def test_numbers_in_another_scripts_digits_are_refused(digits):
    """Such digits pass str.isdigit() and int(): an ID in them would be valid under a blind index
    of its own, a second registration of the same person."""
    example = "11010519491231002X"
    for raw in [example[:17].translate(digits) + "X", example[:6].translate(digits) + example[6:]]:
        with pytest.raises(ValidationError) as exc:
            parse_citizen_id(raw)
        assert "前17位应为数字" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id("110105491231002".translate(digits))
    assert "只能由数字组成" in exc.value.messages[0]
    for phone in ["13800138000", "0731-1234567", "07311234567"]:
        with pytest.raises(ValidationError):
            normalize_phone(phone[:3] + phone[3:].translate(digits))
    with pytest.raises(ValidationError):
        validate_division_code("430521100201".translate(digits))
