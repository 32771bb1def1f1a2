"""Validators of Chinese identifiers: GB 11643 citizen ID numbers, mobile phones, division codes."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# [0-9], never \d: \d and str.isdigit() also take other scripts' digits (٤, ४), which NFKC leaves
# as they are; such a number would pass, under a blind index of its own (a second registration of
# the same person), and no mask, search or export would read it.
PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# What ledgers write in a phone cell when there is no number.
PHONE_PLACEHOLDERS = frozenset(["无", "暂无", "没有", "空", "/", "-", "—", "--", "——", "无电话"])
# A remark after the number: 13912345678(本人), 13912345678（儿子）.
_PHONE_REMARK = re.compile(r"\(.*?\)$")
_AREA_IN_BRACKETS = re.compile(r"^\((0[0-9]{2,3})\)")
_PHONE_SEPARATORS = re.compile(r"[/、,;]|[0-9]{11}\s+1")  # after NFKC: ，；are , ;
DIVISION_RE = re.compile(r"^[0-9]{12}$")


def normalize_text(value: str) -> str:
    """Fold full-width digits and letters to ASCII and strip every kind of space."""
    if not value:
        return ""
    if not unicodedata.is_normalized("NFKC", value):  # a C check: most cells need no folding
        value = unicodedata.normalize("NFKC", value)
    # str.split() splits on exactly the characters that re's \s matches, several times faster.
    return "".join(value.split())


def ascii_digits(value: str) -> bool:
    """Whether value is one or more of the digits 0-9 (and no other script's digits)."""
    return value.isascii() and value.isdigit()


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F"
    region: str


def parse_citizen_id(raw: str) -> CitizenId:
    """Validate and normalise a GB 11643 ID number; 15-digit legacy numbers become 18 digits."""
    value = normalize_text(raw).upper()
    if not value:
        raise ValidationError(gettext("身份证号不能为空"), code="required")
    if len(value) == 15:
        if not ascii_digits(value):
            raise ValidationError(gettext("15位身份证号只能由数字组成"), code="invalid")
        body = value[:6] + "19" + value[6:]
        value = body + id_check_char(body)
    elif len(value) == 18:
        if not ascii_digits(value[:17]) or not (ascii_digits(value[17]) or value[17] == "X"):
            raise ValidationError(
                gettext("身份证号前17位应为数字，最后一位为数字或X"), code="invalid"
            )
    else:
        raise ValidationError(
            gettext("身份证号应为18位（或旧版15位），当前为%(value)s位") % {"value": len(value)},
            code="length",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(gettext("身份证号中的出生日期不存在"), code="birth") from exc
    if birth.year < 1880 or birth > dt.date.today():
        raise ValidationError(gettext("身份证号中的出生日期不合理"), code="birth")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(gettext("身份证号校验位不正确，请核对后重新输入"), code="checksum")
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return CitizenId(number=value, birth_date=birth, gender=gender, region=value[:6])


def normalize_phone(raw: str) -> str:
    """Validate a mobile number (11 digits) or a landline with its area code and return it
    normalised (13800138000, 0731-1234567); a placeholder such as 无 or / gives ""."""
    text = normalize_text(raw)  # folded, no spaces
    if text in PHONE_PLACEHOLDERS:
        return ""
    if _PHONE_SEPARATORS.search(unicodedata.normalize("NFKC", raw or "").strip()):
        raise ValidationError(
            gettext("一个单元格只能填一个电话号码，其他号码请写在备注中"), code="several"
        )
    value = _PHONE_REMARK.sub("", _AREA_IN_BRACKETS.sub(r"\1", text)).replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if PHONE_RE.match(value):
        return value
    if value.startswith("0") and ascii_digits(value):
        # Area codes: 010 and 02x have three digits, the others four; then 7 or 8 digits.
        split = 3 if value[:2] in {"01", "02"} else 4
        if 7 <= len(value) - split <= 8:
            return f"{value[:split]}-{value[split:]}"
    raise ValidationError(
        gettext("电话应为11位手机号，或带区号的固定电话（如 0731-1234567）"), code="invalid"
    )


def validate_division_code(raw: str) -> None:
    if not DIVISION_RE.match(raw or ""):
        raise ValidationError(gettext("统计用区划代码应为12位数字"), code="invalid")
