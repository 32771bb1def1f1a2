"""党员联系户 and 入户走访: links, visits, follow-ups, coverage, by every actor."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_id
from xiangzhi.core import figures
from xiangzhi.core.models import AuditEvent
from xiangzhi.grid.models import GridNode
from xiangzhi.party.models import ContactLink, FollowUp, Visit, VisitNeed
from xiangzhi.party.selectors import coverage_of, member_coverage, uncovered_households
from xiangzhi.party.selectors.coverage import is_community
from xiangzhi.party.services import (
    contact_link_add,
    contact_link_end,
    contact_link_group,
    contact_links_end_for_member,
    contact_settings_update,
    need_take,
    party_member_register,
    party_member_transfer_in,
    party_member_transfer_out,
    visit_record,
)
from xiangzhi.people.models import Household, Resident, Tag
from xiangzhi.people.services import (
    ResidentData,
    household_change_head,
    household_register,
    household_split,
    resident_add,
    resident_move_out,
    resident_record_death,
)

TODAY = timezone.localdate()


def _household(world, village, n: int, *, tags=()) -> Household:
    return household_register(
        actor=world.admin,
        node=village.grid,
        address=f"{village.node.name}测试巷{n}号",
        number=f"{village.key}-t{n:03d}",
        tags=list(tags),
        head=ResidentData(
            name=f"测试户主{n}", id_number=make_id(dt.date(1960, 1, 1 + n % 28), "M")
        ),
    )


def _cov(world, node, **kw):
    start = kw.pop("start", TODAY.replace(day=1))
    return coverage_of(actor=world.admin, node=node, start=start, end=TODAY, **kw)


@pytest.mark.django_db
def test_a_secretary_links_a_household_and_it_leaves_the_uncovered_list(world):
    a = world.a
    h = _household(world, a, 1)
    assert h in uncovered_households(actor=a.secretary, node=a.node)
    link = contact_link_add(actor=a.secretary, household=h, member=a.party_member)
    assert link.role == ContactLink.Role.PRIMARY
    assert h not in uncovered_households(actor=a.secretary, node=a.node)
    assert AuditEvent.objects.filter(
        action="party.contact_link_add", object_id=str(link.pk)
    ).exists()


@pytest.mark.django_db
def test_a_second_primary_is_refused_but_a_second_contact_is_not(world):
    a = world.a
    member2 = party_member_register(
        actor=world.admin,
        resident=a.head,
        category="full",
        joined_on=dt.date(2000, 7, 1),
        organisation=a.group,
    )
    with pytest.raises(ValidationError, match="主要联系人"):
        contact_link_add(actor=a.secretary, household=a.household, member=member2)
    with pytest.raises(ValidationError, match="已在联系"):
        contact_link_add(
            actor=a.secretary, household=a.household, member=a.party_member, role="second"
        )
    second = contact_link_add(
        actor=a.secretary, household=a.household, member=member2, role="second"
    )
    assert second.role == "second"


@pytest.mark.django_db
def test_a_member_of_another_village_may_not_contact_a_household(world):
    with pytest.raises(ValidationError, match="本村"):
        contact_link_add(
            actor=world.admin, household=_household(world, world.a, 2), member=world.b.party_member
        )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["cadre_b", "auditor", "group_leader", "member_user", "villager"])
def test_only_the_villages_cadres_link_households(world, who):
    a = world.a
    user = world.b.cadre if who == "cadre_b" else getattr(a, who)
    h = _household(world, a, 3)
    with pytest.raises(PermissionDenied):
        contact_link_add(actor=user, household=h, member=a.party_member)
    assert not ContactLink.objects.filter(household=h).exists()


@pytest.mark.django_db
def test_a_tagged_group_is_linked_in_one_go(world):
    a = world.a
    tag, _ = Tag.objects.get_or_create(code="large_grower", defaults={"name": "种养大户"})
    growers = [_household(world, a, n, tags=["large_grower"]) for n in (4, 5)]
    _household(world, a, 6)
    made = contact_link_group(actor=a.secretary, node=a.node, tag=tag, member=a.party_member)
    assert made == 2
    assert set(ContactLink.objects.filter(tag=tag).values_list("household", flat=True)) == {
        h.pk for h in growers
    }
    assert contact_link_group(actor=a.secretary, node=a.node, tag=tag, member=a.party_member) == 0
    # Linked from the village, counted on the households' own nodes below it.
    assert figures.verify() == []


@pytest.mark.django_db
def test_the_secretary_links_through_the_pages_one_household_and_a_group(client, world):
    a = world.a
    tag, _ = Tag.objects.get_or_create(code="large_grower", defaults={"name": "种养大户"})
    growers = [_household(world, a, n, tags=["large_grower"]) for n in (4, 5)]
    single = _household(world, a, 6)
    client.force_login(a.secretary)
    url = reverse("party:contact_link_new", args=[single.pk])
    assert a.party_member.resident.name in client.get(url).content.decode()  # the village's
    wrong = client.post(url, {"member": world.b.party_member.pk, "role": "primary"})
    assert wrong.status_code == 200 and not ContactLink.objects.filter(household=single).exists()
    assert client.post(url, {"member": a.party_member.pk, "role": "primary"}).status_code == 302
    assert ContactLink.objects.get(household=single).member == a.party_member
    group = reverse("party:contact_group", args=[a.node.pk])
    done = client.post(group, {"member": a.party_member.pk, "tag": tag.pk})
    assert done.status_code == 302
    linked = ContactLink.objects.filter(tag=tag).values_list("household", flat=True)
    assert set(linked) == {h.pk for h in growers}


@pytest.mark.django_db
def test_a_members_death_uncovers_their_households_at_once(world):
    a = world.a
    before = _cov(world, a.node)
    assert before.linked == 2 and before.uncovered == 0
    resident_record_death(
        actor=world.admin, resident=a.other_head, occurred_on=TODAY, cause="illness"
    )
    after = _cov(world, a.node)
    assert after.linked == 0
    assert a.household in uncovered_households(actor=a.cadre, node=a.node)
    assert not ContactLink.objects.filter(member=a.party_member, ended_on__isnull=True).exists()


@pytest.mark.django_db
def test_a_members_move_away_uncovers_their_households_at_once(world):
    a = world.a
    assert _cov(world, a.node).linked == 2
    resident_move_out(actor=world.admin, resident=a.other_head, occurred_on=TODAY)
    assert _cov(world, a.node).linked == 0
    assert a.household in uncovered_households(actor=a.cadre, node=a.node)


@pytest.mark.django_db
def test_a_transfer_out_uncovers_at_once_and_the_member_can_be_linked_no_more(world):
    """Through the transfer itself (the hook party's ready() registers), not the hook alone; a
    member transferred out is refused as a contact by the service that the form, the links
    import and the API all call."""
    a = world.a
    party_member_transfer_out(
        actor=a.cadre, member=a.party_member, transferred_on=TODAY, to_organisation="外县党委"
    )
    assert _cov(world, a.node).linked == 0
    assert a.household in uncovered_households(actor=a.cadre, node=a.node)
    a.party_member.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        contact_link_add(actor=a.secretary, household=a.household, member=a.party_member)
    assert "组织关系已转出" in str(refused.value.message_dict["member"])
    # Transferred back in, the member may be linked again, and covers the household at once.
    party_member_transfer_in(
        actor=a.cadre,
        resident=a.party_member.resident,
        transferred_on=TODAY,
        from_organisation="外县党委",
        category="full",
        joined_on=dt.date(1995, 7, 1),
        organisation=a.group,
    )
    a.party_member.refresh_from_db()
    contact_link_add(actor=a.secretary, household=a.household, member=a.party_member)
    assert _cov(world, a.node).linked == 1
    assert a.household not in uncovered_households(actor=a.cadre, node=a.node)


@pytest.mark.django_db
def test_a_transfer_out_ends_the_links_through_the_exposed_service(world):
    a = world.a
    ended = contact_links_end_for_member(actor=a.secretary, member=a.party_member, reason="转出")
    assert ended == 2
    assert _cov(world, a.node).linked == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_member_records_a_visit_to_their_household_with_needs(world):
    a = world.a
    visit = visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY,
        met="户主",
        learned="家里老人身体好",
        needs=["修路", "  ", "安装路灯"],
        follow_up="下周再来",
    )
    assert visit.member == a.party_member
    assert list(visit.needs.order_by("pk").values_list("text", "status")) == [
        ("修路", "open"),
        ("安装路灯", "open"),
    ]
    link = ContactLink.objects.get(household=a.household, ended_on__isnull=True)
    assert link.last_visit_on == TODAY


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["villager", "auditor", "group_leader", "b_member"])
def test_who_is_not_the_contact_nor_a_cadre_cannot_record_a_visit(world, who):
    a = world.a
    user = world.b.member_user if who == "b_member" else getattr(a, who)
    h = _household(world, a, 7)
    with pytest.raises(PermissionDenied):
        visit_record(actor=user, household=h, visited_on=TODAY, met="户主", learned="情况")
    assert not Visit.objects.filter(household=h).exists()


@pytest.mark.django_db
def test_a_visit_names_the_field_that_is_wrong(world):
    a = world.a
    with pytest.raises(ValidationError) as exc:
        visit_record(
            actor=a.member_user,
            household=a.household,
            visited_on=TODAY + dt.timedelta(days=1),
            met="",
            learned="",
            needs=["1", "2", "3", "4", "5", "6"],
        )
    assert set(exc.value.message_dict) == {"visited_on", "met", "learned", "needs"}


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"1" * 100


def _upload(name: str, body: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="image/png")


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_photo_must_be_a_small_jpeg_or_png(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = world.a
    visits = Visit.objects.count()
    with pytest.raises(ValidationError, match="JPG"):
        visit_record(
            actor=a.member_user,
            household=a.household,
            visited_on=TODAY,
            met="户主",
            learned="情况",
            photos=[_upload("x.jpg", b"GIF89a not a jpeg")],
        )
    with pytest.raises(ValidationError, match="JPG"):  # an image, but not one a visit keeps
        visit_record(
            actor=a.member_user,
            household=a.household,
            visited_on=TODAY,
            met="户主",
            learned="情况",
            photos=[_upload("x.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")],
        )
    visit = visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY,
        met="户主",
        learned="情况",
        photos=[_upload("x.png", PNG)],
    )
    (photo,) = visit.photos.all()
    assert photo.file.name.endswith(".png") and "x.png" not in photo.file.name
    assert Visit.objects.count() == visits + 1


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_visit_that_fails_after_its_photos_were_stored_leaves_no_file(
    world, settings, tmp_path, monkeypatch
):
    from django.db import DatabaseError

    from xiangzhi.party.services import visit_photos_add
    from xiangzhi.party.services import visits as service

    settings.MEDIA_ROOT = tmp_path
    a = world.a
    visit = visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY,
        met="户主",
        learned="先存一张",
        photos=[_upload("kept.png", PNG)],
    )
    (kept,) = tmp_path.rglob("*.png")

    def broken(**kwargs):
        raise DatabaseError("the audit write failed")

    monkeypatch.setattr(service, "audit_record", broken)
    before = Visit.objects.count()
    with pytest.raises(DatabaseError):
        visit_record(
            actor=a.member_user,
            household=a.household,
            visited_on=TODAY - dt.timedelta(days=1),  # one visit a household a day
            met="户主",
            learned="失败的走访",
            photos=[_upload("a.png", PNG), _upload("b.png", PNG)],
        )
    with pytest.raises(DatabaseError):
        visit_photos_add(actor=a.member_user, visit=visit, photos=[_upload("c.png", PNG)])
    assert Visit.objects.count() == before and visit.photos.count() == 1
    assert list(tmp_path.rglob("*.png")) == [kept]


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_visit_keeps_several_photos_and_each_is_served_to_those_in_scope(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    a = world.a
    client.force_login(a.member_user)
    url = reverse("party:visit_new", args=[a.household.pk])
    before = Visit.objects.count()
    # Five are too many, and a bad second photo is named: nothing is written either time.
    for photos, message in (
        ([_upload(f"{n}.png", PNG) for n in range(5)], "最多上传4张照片"),
        ([_upload("1.png", PNG), _upload("2.png", b"GIF89a")], "第2张照片不是JPG或PNG格式"),
    ):
        response = client.post(
            url,
            {"visited_on": TODAY.isoformat(), "met": "户主", "learned": "情况", "photos": photos},
        )
        assert response.status_code == 200 and message in response.content.decode()
        assert Visit.objects.count() == before
    assert not any(tmp_path.rglob("*.png"))
    response = client.post(
        url,
        {
            "visited_on": TODAY.isoformat(),
            "met": "户主",
            "learned": "三张照片的走访",
            "photos": [_upload("a.png", PNG), _upload("b.jpg", JPEG), _upload("c.png", PNG)],
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(learned="三张照片的走访")
    photos = list(visit.photos.order_by("pk"))
    assert [p.file.name[-4:] for p in photos] == [".png", ".jpg", ".png"]
    # The household page lists them; each is served to a cadre in scope, none to another village.
    client.force_login(a.cadre)
    page = client.get(reverse("people:household_detail", args=[a.household.pk])).content.decode()
    for n, p in enumerate(photos, start=1):
        link = reverse("party:visit_photo_n", args=[visit.pk, p.pk])
        assert f'href="{link}">照片{n}</a>' in page
        served = client.get(link)
        assert b"".join(served.streaming_content) == (JPEG if n == 2 else PNG)
    first = client.get(reverse("party:visit_photo", args=[visit.pk]))
    assert b"".join(first.streaming_content) == PNG
    # Another visit's photo id under this visit is not served.
    other = visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY - dt.timedelta(days=1),
        met="户主",
        learned="另一次",
        photos=[_upload("d.png", PNG)],
    )
    stray = reverse("party:visit_photo_n", args=[visit.pk, other.photos.get().pk])
    assert client.get(stray).status_code == 404
    client.force_login(world.b.cadre)
    assert (
        client.get(reverse("party:visit_photo_n", args=[visit.pk, photos[0].pk])).status_code == 404
    )


@pytest.mark.django_db
def test_a_household_change_flags_a_follow_up_that_the_next_visit_closes(world):
    a = world.a
    # The world's visit to the household (today) is moved before the birth: a visit made since
    # the change would be its follow-up already.
    Visit.objects.filter(household=a.household).update(visited_on=TODAY - dt.timedelta(days=30))
    figures.touch(a.household.node)  # written directly: its figures are recounted
    child = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        occurred_on=TODAY,
        data=ResidentData(
            name="甲新生", id_number=make_id(TODAY, "F"), relation=Resident.Relation.CHILD
        ),
    )
    follow_up = FollowUp.objects.get(change__resident=child)
    assert follow_up.done_on is None and follow_up.due_on == TODAY + dt.timedelta(days=15)
    late = _cov(world, a.node, today=TODAY + dt.timedelta(days=16))
    assert late.follow_ups_overdue == 1
    visit = visit_record(
        actor=a.member_user, household=a.household, visited_on=TODAY, met="户主", learned="新生儿"
    )
    follow_up.refresh_from_db()
    assert follow_up.visit == visit and follow_up.done_on == TODAY


def _change(world, kind: str) -> None:
    a = world.a
    if kind == "death":
        resident_record_death(actor=a.cadre, resident=a.child, occurred_on=TODAY, cause="illness")
    elif kind == "move_out":
        resident_move_out(actor=a.cadre, resident=a.child, occurred_on=TODAY)
    elif kind == "move_in":
        resident_add(
            actor=a.cadre,
            household=a.household,
            kind="move_in",
            occurred_on=TODAY,
            data=ResidentData(
                name="甲迁入人",
                id_number=make_id(dt.date(1990, 5, 6), "M"),
                relation=Resident.Relation.OTHER,
            ),
        )
    elif kind == "split":
        household_split(
            actor=a.cadre,
            household=a.household,
            members=[a.child],
            new_head=a.child,
            address="甲村分户巷1号",
            occurred_on=TODAY,
        )
    else:
        household_change_head(
            actor=a.cadre,
            household=a.household,
            new_head=a.child,
            relations={a.head.pk: Resident.Relation.PARENT},
            occurred_on=TODAY,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["death", "move_out", "move_in", "split", "head_change"])
def test_each_household_change_flags_a_follow_up_within_the_deadline(world, kind):
    """Birth is the test above; the other changes of the issue's list flag the household too."""
    a = world.a
    Visit.objects.filter(household=a.household).update(visited_on=TODAY - dt.timedelta(days=30))
    figures.touch(a.household.node)  # written directly: its figures are recounted
    _change(world, kind)
    follow_up = FollowUp.objects.filter(household=a.household, change__kind=kind).latest("pk")
    assert follow_up.done_on is None and follow_up.due_on == TODAY + dt.timedelta(days=15)
    assert _cov(world, a.node, today=TODAY + dt.timedelta(days=16)).follow_ups_overdue >= 1


@pytest.mark.django_db
def test_coverage_on_a_hand_built_case(world):
    """Village a: 2 linked households visited today (conftest) + 3 new: one linked and visited
    100 days ago (overdue), one linked never visited since a link 91 days old (overdue), one
    unlinked."""
    a = world.a
    old, never, _ = (_household(world, a, n) for n in (11, 12, 13))
    contact_link_add(actor=world.admin, household=old, member=a.party_member)
    Visit.objects.create(
        household=old,
        member=a.party_member,
        visited_on=TODAY - dt.timedelta(days=100),
        met="户主",
        learned="旧",
    )
    ContactLink.objects.filter(household=old).update(last_visit_on=TODAY - dt.timedelta(days=100))
    figures.touch(old.node)  # written directly: its figures are recounted
    contact_link_add(
        actor=world.admin,
        household=never,
        member=a.party_member,
        started_on=TODAY - dt.timedelta(days=91),
    )
    cov = _cov(world, a.node, start=TODAY - dt.timedelta(days=365))
    assert (cov.households, cov.linked, cov.uncovered) == (5, 4, 1)
    assert cov.visited == 3  # the two of conftest today, and `old`
    assert cov.overdue == 2
    assert cov.members_linked == 1 and cov.members_visiting == 1
    this_month = _cov(world, a.node)
    assert this_month.visited == 2
    # Per member: the village's one contact links the four households, two of them overdue;
    # three visits in the year (two today, `old` 100 days ago), the last one today.
    (row,) = member_coverage(
        actor=world.admin, node=a.node, start=TODAY - dt.timedelta(days=365), end=TODAY
    )
    assert (row.pk, row.n_linked, row.n_overdue, row.n_visits) == (a.party_member.pk, 4, 2, 3)
    assert row.last_visit == TODAY
    (month,) = member_coverage(
        actor=world.admin, node=a.node, start=TODAY.replace(day=1), end=TODAY
    )
    assert month.n_visits == 2
    contact_settings_update(
        actor=world.admin,
        township=world.township,
        village_group_quota=2,
        community_group_quota=50,
        visit_interval_days=120,
        follow_up_days=10,
    )
    again = _cov(world, a.node, start=TODAY - dt.timedelta(days=365))
    assert again.overdue == 0  # 100 days is within 120
    assert [g["node"] for g in again.flagged_groups] == [a.group]  # 5 households over 2
    assert again.flagged_groups[0]["quota"] == 2
    b = _cov(world, world.b.node)
    assert b.flagged_groups == []  # 2 households, not over


@pytest.mark.django_db
def test_the_report_figure_counts_members_who_visited_a_linked_household(world):
    from xiangzhi.grid.rollup import rollup_children

    total, rows = rollup_children(world.township, [world.a.node, world.b.node])
    assert total.counts["contact_members"] == 2
    assert total.counts["contact_households"] == 4


@pytest.mark.django_db
def test_the_coverage_page_costs_the_same_queries_at_two_sizes(client, world):
    a = world.a
    client.force_login(a.cadre)
    url = reverse("party:coverage") + f"?node={a.node.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(20, 40):
        h = _household(world, a, n)
        contact_link_add(actor=world.admin, household=h, member=a.party_member)
        visit_record(actor=world.admin, household=h, visited_on=TODAY, met="户主", learned="好")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)


@pytest.mark.django_db
def test_a_need_is_taken_over_once(world):
    a = world.a
    need = VisitNeed.objects.get(household=a.household)
    need_take(actor=a.cadre, need=need, by="appeal:1")
    need.refresh_from_db()
    assert (need.status, need.taken_by) == ("taken", "appeal:1")
    with pytest.raises(ValidationError):
        need_take(actor=a.cadre, need=need, by="appeal:2")
    with pytest.raises(PermissionDenied):
        need_take(actor=a.auditor, need=VisitNeed.objects.get(household=a.other_household), by="x")


@pytest.mark.django_db
def test_ending_a_link_asks_for_a_reason(world):
    link = ContactLink.objects.get(household=world.a.household)
    with pytest.raises(ValidationError, match="原因"):
        contact_link_end(actor=world.a.cadre, link=link, reason=" ")
    contact_link_end(actor=world.a.cadre, link=link, reason="调整")
    link.refresh_from_db()
    assert link.ended_on == TODAY


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_linking_one_household_at_once_make_one_primary(world):
    a = world.a
    h = _household(world, a, 50)
    member2 = party_member_register(
        actor=world.admin,
        resident=a.head,
        category="full",
        joined_on=dt.date(2000, 7, 1),
        organisation=a.group,
    )
    errors = []

    def link(member):
        try:
            contact_link_add(actor=world.admin, household=h, member=member)
        except Exception as exc:  # noqa: BLE001 - either refusal counts
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=link, args=(m,)) for m in (a.party_member, member2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (
        ContactLink.objects.filter(household=h, role="primary", ended_on__isnull=True).count() == 1
    )
    assert len(errors) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_the_member_sees_their_households_and_records_a_visit_on_the_page(client, world):
    a = world.a
    client.force_login(a.member_user)
    page = client.get(reverse("party:my_households"))
    assert page.status_code == 200
    assert a.household.address in page.content.decode()
    r = client.post(
        reverse("party:visit_new", args=[a.household.pk]),
        {"visited_on": TODAY.isoformat(), "met": "户主", "learned": "都好", "needs": "修水渠\n"},
    )
    assert r.status_code == 302
    assert VisitNeed.objects.filter(household=a.household, text="修水渠").exists()


@pytest.mark.django_db
def test_the_members_page_says_how_many_days_since_each_households_last_visit(client, world):
    a = world.a
    ContactLink.objects.filter(household=a.household).update(
        last_visit_on=TODAY - dt.timedelta(days=37)
    )
    ContactLink.objects.filter(household=a.other_household).update(last_visit_on=None)
    client.force_login(a.member_user)
    body = client.get(reverse("party:my_households")).content.decode()
    assert "距上次走访 37 天" in body and "还没走访过" in body
    # The longest unvisited first: never visited, then 37 days.
    assert body.index(a.other_household.address) < body.index(a.household.address)


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_the_open_needs_are_listed_per_village_in_scope(client, world):
    a, b = world.a, world.b
    visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY,
        met="户主",
        learned="都好",
        needs=["甲村修水渠"],
    )
    visit_record(
        actor=b.member_user,
        household=b.household,
        visited_on=TODAY,
        met="户主",
        learned="都好",
        needs=["乙村装路灯"],
    )
    client.force_login(a.cadre)
    body = client.get(reverse("party:needs") + f"?node={a.node.pk}").content.decode()
    assert "甲村修水渠" in body and "乙村装路灯" not in body
    need = VisitNeed.objects.get(text="甲村修水渠")
    need_take(actor=a.cadre, need=need, by="乡镇农业农村办")
    body = client.get(reverse("party:needs") + f"?node={a.node.pk}").content.decode()
    assert "甲村修水渠" not in body  # open ones by default
    assert client.get(reverse("party:needs") + f"?node={b.node.pk}").status_code in (403, 404)


@pytest.mark.django_db
def test_the_household_page_shows_its_visit_history_to_those_in_scope(client, world):
    a = world.a
    client.force_login(a.worker)
    body = client.get(reverse("people:household_detail", args=[a.household.pk])).content.decode()
    assert "甲村走访了解的情况" in body and "信息台账" in body
    client.force_login(world.b.cadre)
    assert client.get(reverse("people:household_detail", args=[a.household.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_the_api_records_a_visit_for_the_contact_member(client, world):
    import json

    from xiangzhi.accounts.services import api_token_create

    _, token = api_token_create(actor=world.a.member_user, name="手机")
    url = f"/api/v1/party/households/{world.a.household.pk}/visits"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"visited_on": TODAY.isoformat(), "met": "户主", "learned": "好", "needs": ["修桥"]}
    r = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    assert r.json()["needs"][0]["text"] == "修桥"
    mine = client.get("/api/v1/party/contact-links/mine", **auth).json()
    assert {row["household_id"] for row in mine} == {
        world.a.household.pk,
        world.a.other_household.pk,
    }
    r = client.post(url, json.dumps({**body, "met": ""}), content_type="application/json", **auth)
    assert r.status_code == 422 and "见到的人" in r.json()["detail"]


@pytest.mark.django_db
def test_the_api_reads_the_ledger_to_read_only_roles_and_refuses_in_chinese_json(client, world):
    import json

    from xiangzhi.accounts.services import api_token_create

    a = world.a
    url = f"/api/v1/party/households/{a.household.pk}/visits"
    for user in (a.auditor, a.group_leader):
        _, token = api_token_create(actor=user, name="只读")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        listed = client.get(url, **auth)
        assert listed.status_code == 200
        assert "甲村走访了解的情况" in {v["learned"] for v in listed.json()["items"]}
        body = {"visited_on": TODAY.isoformat(), "met": "户主", "learned": "只读用户"}
        refused = client.post(url, json.dumps(body), content_type="application/json", **auth)
        assert refused.status_code == 403 and refused["Content-Type"].startswith("application/json")
        assert "只有查看权限" in refused.json()["detail"]
    _, other = api_token_create(actor=world.b.cadre, name="乙村")
    missing = client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}")
    assert missing.status_code == 404 and "管辖范围" in missing.json()["detail"]
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and "令牌" in anonymous.json()["detail"]


@pytest.mark.django_db
def test_the_api_ends_a_link_with_a_reason_for_the_villages_cadre_only(client, world):
    import json

    from xiangzhi.accounts.services import api_token_create

    a = world.a
    link = ContactLink.objects.get(household=a.household, ended_on__isnull=True)
    url = f"/api/v1/party/contact-links/{link.pk}/end"

    def post(user, body):
        _, token = api_token_create(actor=user, name="令牌")
        return client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post(world.b.cadre, {"reason": "搬走"}).status_code == 404
    refused = post(a.auditor, {"reason": "审计员"})
    assert refused.status_code == 403 and "只有查看权限" in refused.json()["detail"]
    empty = post(a.secretary, {})
    assert empty.status_code == 422 and empty.json()["detail"] == "请写明结束原因"
    done = post(a.secretary, {"reason": "联系党员外出务工"})
    assert done.status_code == 200 and done.json()["id"] == link.pk
    link.refresh_from_db()
    assert link.ended_on == TODAY
    assert a.household in uncovered_households(actor=a.cadre, node=a.node)


@pytest.mark.django_db
def test_a_malformed_link_body_or_query_is_refused_naming_its_fields_in_chinese(client, world):
    import json

    a = world.a
    auth = {"HTTP_AUTHORIZATION": f"Bearer {a.token}"}
    r = client.post(
        "/api/v1/party/contact-links",
        json.dumps({"household_id": "x"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and r.json()["detail"] == "联系户内容有误：户、联系党员"
    r = client.get("/api/v1/party/contact-links?node_id=abc", **auth)
    assert r.status_code == 422 and r.json()["detail"] == "请求参数有误，请检查：node_id"


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")
def test_a_phone_client_sends_a_visit_then_its_photos(client, world, settings, tmp_path):
    import json

    from xiangzhi.accounts.services import api_token_create

    settings.MEDIA_ROOT = tmp_path
    a = world.a
    _, token = api_token_create(actor=a.member_user, name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"visited_on": TODAY.isoformat(), "met": "户主", "learned": "带照片的走访"}
    r = client.post(
        f"/api/v1/party/households/{a.household.pk}/visits",
        json.dumps(body),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json()["photos"] == []
    visit_id = r.json()["id"]
    url = f"/api/v1/party/visits/{visit_id}/photos"
    r = client.post(url, {"photos": [_upload("a.png", PNG), _upload("b.jpg", JPEG)]}, **auth)
    assert r.status_code == 201, r.content
    urls = [p["url"] for p in r.json()]
    assert len(urls) == 2 and b"".join(client.get(urls[1], **auth).streaming_content) == JPEG
    listed = client.get(f"/api/v1/party/households/{a.household.pk}/visits", **auth).json()
    assert [
        p["url"] for p in next(v for v in listed["items"] if v["id"] == visit_id)["photos"]
    ] == urls
    # Three more would make five: refused in Chinese, none kept.
    r = client.post(url, {"photos": [_upload(f"{n}.png", PNG) for n in range(3)]}, **auth)
    assert r.status_code == 422 and "还可补传2张" in r.json()["detail"]
    r = client.post(url, {}, **auth)
    assert r.status_code == 422 and "请选择照片" in r.json()["detail"]
    assert Visit.objects.get(pk=visit_id).photos.count() == 2
    assert (
        AuditEvent.objects.filter(action="party.visit_photos_add", object_id=str(visit_id)).count()
        == 1
    )
    # Another village's cadre cannot find it; a cadre of the village may add; a member who did
    # not record it may not.
    _, other = api_token_create(actor=world.b.cadre, name="乙村")
    r = client.post(url, {"photos": [_upload("x.png", PNG)]}, HTTP_AUTHORIZATION=f"Bearer {other}")
    assert r.status_code == 404
    _, cadre = api_token_create(actor=a.cadre, name="甲村")
    r = client.post(url, {"photos": [_upload("y.png", PNG)]}, HTTP_AUTHORIZATION=f"Bearer {cadre}")
    assert r.status_code == 201 and len(r.json()) == 3
    cadres_visit = visit_record(
        actor=a.cadre,
        household=a.household,
        member=a.party_member,
        visited_on=TODAY - dt.timedelta(days=1),
        met="户主",
        learned="干部代记",
    )
    r = client.post(
        f"/api/v1/party/visits/{cadres_visit.pk}/photos",
        {"photos": [_upload("z.png", PNG)]},
        **auth,
    )
    assert r.status_code == 403 and "本人记录的走访" in r.json()["detail"]


@pytest.mark.django_db
def test_a_community_group_is_held_to_the_community_quota(world):
    """A village-level node whose division code is a 居委会's (last three digits under 200) is a
    community: its groups may cover more households (the seed's 社区党小组覆盖XX户)."""
    a = world.a
    for n in (21, 22, 23):
        _household(world, a, n)  # a's group: 5 households
    contact_settings_update(
        actor=world.admin,
        township=world.township,
        village_group_quota=4,
        community_group_quota=6,
        visit_interval_days=90,
        follow_up_days=15,
    )
    village_code = a.node.code[:9] + "201"
    GridNode.objects.filter(pk=a.node.pk).update(code=village_code)
    (group,) = _cov(world, a.node).flagged_groups
    assert (group["node"], group["quota"]) == (a.group, 4)
    GridNode.objects.filter(pk=a.node.pk).update(code=a.node.code[:9] + "001")
    assert _cov(world, a.node).flagged_groups == []  # 5 is within a community's 6
    assert is_community("430521100001") and not is_community("430521100201")


@pytest.mark.django_db
def test_the_api_links_a_household_and_refuses_a_transferred_member(client, world):
    import json

    from xiangzhi.accounts.services import api_token_create

    a = world.a
    h = _household(world, a, 31)
    _, token = api_token_create(actor=a.secretary, name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"household_id": h.pk, "member_id": a.party_member.pk, "role": "primary"}
    url = "/api/v1/party/contact-links"
    r = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    assert r.json()["household_id"] == h.pk
    assert ContactLink.objects.filter(household=h, member=a.party_member, ended_on=None).exists()
    again = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert again.status_code == 422 and "已在联系" in again.json()["detail"]
    party_member_transfer_out(
        actor=a.cadre, member=a.party_member, transferred_on=TODAY, to_organisation="外县党委"
    )
    other = _household(world, a, 32)
    r = client.post(
        url,
        json.dumps({**body, "household_id": other.pk}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and "组织关系已转出" in r.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_visits_photo_into_a_photo_row_and_back(world):
    from django.db.migrations.executor import MigrationExecutor

    from xiangzhi.party.models import MeetingAttachment, VisitPhoto

    before = ("party", "0003_posts_meetings_talks_transfers")
    visit = Visit.objects.filter(household=world.a.household).get()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    old = old_apps.get_model("party", "Visit")
    old.objects.filter(pk=visit.pk).update(photo="visit_photos/1/20261101-a.png")
    # 0005 does the same for a meeting's one attachment.
    meeting = old_apps.get_model("party", "Meeting").objects.order_by("pk").first()
    type(meeting).objects.filter(pk=meeting.pk).update(attachment="meetings/2024/03/签到.pdf")
    MigrationExecutor(connection).migrate(latest)
    assert list(VisitPhoto.objects.filter(visit=visit).values_list("file", flat=True)) == [
        "visit_photos/1/20261101-a.png"
    ]
    assert list(
        MeetingAttachment.objects.filter(meeting_id=meeting.pk).values_list("file", "name")
    ) == [("meetings/2024/03/签到.pdf", "签到.pdf")]
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("party", "Visit")
    assert old.objects.get(pk=visit.pk).photo == "visit_photos/1/20261101-a.png"
    MigrationExecutor(connection).migrate(latest)
