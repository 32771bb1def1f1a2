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


def child_moved_in(*, actor, household, name: str, born: dt.date, gender: str = "M"):
    """A grown child registered in the household by a move-in (迁入) in 2020: a member a test
    can split off, move out or give an account of their own."""
    from xiangzhi.people.models import Resident
    from xiangzhi.people.services import ResidentData, resident_add

    return resident_add(
        actor=actor,
        household=household,
        kind="move_in",
        occurred_on=dt.date(2020, 1, 1),
        data=ResidentData(
            name=name, id_number=make_id(born, gender), relation=Resident.Relation.CHILD
        ),
    )
