"""factory_boy factories and a generator of valid synthetic ID numbers for tests."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from xiangzhi.accounts.models import User
from xiangzhi.core.validators import id_check_char

_seq = itertools.count(1)


def make_id(
    birth: dt.date = dt.date(1980, 5, 17), gender: str = "M", region: str = "430521"
) -> str:
    """A valid 18-digit ID number, unique within the test run."""
    n = next(_seq)
    sex = (n * 2 + (1 if gender == "M" else 0)) % 10
    if (sex % 2 == 1) != (gender == "M"):
        sex = (sex + 1) % 10
    body = f"{region}{birth:%Y%m%d}{(n // 5) % 100:02d}{sex}"
    return body + id_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")

    @classmethod
    def _create(cls, model_class, *args, password: str = "correct-horse-9", **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user
