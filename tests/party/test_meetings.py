"""三会一课: planning at the DOMAIN.md frequencies, recording attendance, the township's overdue
branches (query count flat in the number of branches), the member's record on their profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiangzhi.grid.services import node_create
from xiangzhi.party.models import Attendance, Meeting
from xiangzhi.party.selectors import overdue_branches
from xiangzhi.party.selectors.meetings import last_complete_period
from xiangzhi.party.services import meeting_plan, meeting_plan_year, meeting_record

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 20)


def test_a_year_plan_follows_the_frequencies_of_each_kind(world):
    a = world.a
    assert meeting_plan_year(actor=a.cadre, organisation=a.branch, year=2026) == 12 + 12 + 4 + 4
    kinds = Meeting.objects.filter(organisation=a.branch).values_list("kind", flat=True)
    assert sorted(set(kinds)) == [
        "branch_assembly",
        "branch_committee",
        "party_lecture",
        "theme_day",
    ]
    assert list(kinds).count("party_lecture") == 4
    # planning again adds nothing; a hamlet group plans its monthly group meeting alone
    assert meeting_plan_year(actor=a.cadre, organisation=a.branch, year=2026) == 0
    assert meeting_plan_year(actor=a.cadre, organisation=a.group, year=2026) == 12


def test_a_read_only_user_or_another_village_cannot_plan(world):
    for user in (world.a.auditor, world.a.group_leader, world.b.cadre, world.a.member_user):
        with pytest.raises(PermissionDenied):
            meeting_plan_year(actor=user, organisation=world.a.branch, year=2026)
    assert not Meeting.objects.filter(organisation=world.a.branch).exists()


def test_a_meeting_records_each_members_attendance_and_leave_needs_a_reason(world):
    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 1, 5)
    )
    pm = a.party_member
    with pytest.raises(ValidationError) as err:
        meeting_record(
            actor=a.cadre,
            meeting=meeting,
            held_on=dt.date(2026, 1, 5),
            topic="甲村主题党日",
            host="甲村书记",
            attendance={pm.pk: ("leave", "")},
        )
    assert f"reason_{pm.pk}" in err.value.message_dict
    meeting.refresh_from_db()
    assert meeting.status == "planned" and not meeting.attendances.exists()
    meeting_record(
        actor=a.cadre,
        meeting=meeting,
        held_on=dt.date(2026, 1, 5),
        topic="甲村主题党日",
        host="甲村书记",
        attendance={pm.pk: ("leave", "外出务工")},
    )
    att = Attendance.objects.get(meeting=meeting)
    assert (att.member, att.status, att.reason) == (pm, "leave", "外出务工")


def test_a_member_of_another_organisation_cannot_be_put_on_the_roll(world):
    a, b = world.a, world.b
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 1, 5)
    )
    with pytest.raises(ValidationError):
        meeting_record(
            actor=a.cadre,
            meeting=meeting,
            held_on=dt.date(2026, 1, 5),
            topic="甲村主题党日",
            host="甲村书记",
            attendance={b.party_member.pk: ("present", "")},
        )


def _held(cadre, branch, kind: str, day: dt.date) -> Meeting:
    m = meeting_plan(actor=cadre, organisation=branch, kind=kind, planned_on=day)
    return meeting_record(
        actor=cadre, meeting=m, held_on=day, topic="学习", host="书记", attendance={}
    )


def test_a_branch_that_missed_last_months_committee_shows_as_overdue(world):
    a, b = world.a, world.b
    april = dt.date(2026, 4, 10)
    for kind in ("branch_committee", "theme_day"):
        _held(a.cadre, a.branch, kind, april)
        _held(b.cadre, b.branch, kind, april)
    _held(a.cadre, a.branch, "party_lecture", dt.date(2026, 2, 1))  # Q1 lecture: a only
    rows = overdue_branches(actor=world.chief, node=world.township, today=TODAY)
    missed = {r.branch.pk: [kind for kind, _ in r.missed] for r in rows}
    assert missed == {b.branch.pk: ["党课"]}
    # a month later, April's meetings no longer cover May
    rows = overdue_branches(actor=world.chief, node=world.township, today=dt.date(2026, 6, 2))
    assert {r.branch.pk for r in rows} == {a.branch.pk, b.branch.pk}
    # a cadre sees the branches of their village only
    rows = overdue_branches(actor=a.cadre, node=a.node, today=dt.date(2026, 6, 2))
    assert [r.branch.pk for r in rows] == [a.branch.pk]


def test_the_last_complete_period_is_the_month_or_the_quarter_before(world):
    assert last_complete_period("branch_committee", TODAY) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    assert last_complete_period("party_lecture", TODAY) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )
    assert last_complete_period("theme_day", dt.date(2026, 1, 3))[0] == dt.date(2025, 12, 1)


def _overdue_page_queries(client, world) -> int:
    client.force_login(world.chief)
    client.get(reverse("party:meeting_overdue"))  # the login's first request saves the session
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("party:meeting_overdue"))
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_the_overdue_page_costs_the_same_queries_for_more_branches(client, world):
    _held(world.a.cadre, world.a.branch, "theme_day", dt.date(2026, 4, 10))
    small = _overdue_page_queries(client, world)
    for v in (world.a, world.b):
        for i in range(6):
            branch = node_create(actor=world.admin, parent=v.node, name=f"{v.node.name}新支部{i}")
            _held(world.admin, branch, "branch_committee", dt.date(2026, 4, 10))
    body = client.get(reverse("party:meeting_overdue")).content.decode()
    assert "甲村新支部5" in body and "乙村新支部5" in body
    assert _overdue_page_queries(client, world) == small


def test_the_township_page_lists_overdue_branches_in_words(client, world):
    client.force_login(world.chief)
    body = client.get(reverse("party:meeting_overdue")).content.decode()
    assert "甲村第一党支部" in body and "乙村第一党支部" in body and "支部委员会" in body
    client.force_login(world.b.cadre)
    body = client.get(reverse("party:meeting_overdue")).content.decode()
    assert "乙村第一党支部" in body and "甲村第一党支部" not in body


def test_a_members_attendance_is_on_their_resident_page(client, world):
    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.group, kind="group_meeting", planned_on=dt.date(2026, 9, 1)
    )
    meeting_record(
        actor=a.cadre,
        meeting=meeting,
        held_on=dt.date(2026, 9, 2),
        topic="甲村九月党小组会",
        host="甲村党小组长",
        attendance={a.party_member.pk: ("leave", "住院")},
    )
    client.force_login(a.cadre)
    body = client.get(reverse("people:resident_detail", args=[a.other_head.pk])).content.decode()
    assert "近一年出席0次，请假1次，缺席0次" in body
    assert "甲村枫树屋场党小组党小组会" in body and "住院" in body
    assert "甲村政策宣传岗" in body  # their post
    assert "转出" in body and "甲村外调党委" in body  # their transfer history
    # The member's line reads with full-width punctuation.
    assert "正式党员，1995-07-01 入党，甲村枫树屋场党小组" in body


def test_the_record_page_pre_lists_the_branchs_members_and_saves_the_roll(client, world):
    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="party_lecture", planned_on=dt.date(2026, 3, 1)
    )
    client.force_login(a.cadre)
    url = reverse("party:meeting_detail", args=[meeting.pk])
    body = client.get(url).content.decode()
    pm = a.party_member
    assert f'name="status_{pm.pk}"' in body and pm.resident.name in body
    r = client.post(
        url,
        {
            "held_on": "2026-03-02",
            "topic": "甲村党课",
            "host": "甲村书记",
            f"status_{pm.pk}": "absent",
            f"reason_{pm.pk}": "",
        },
    )
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.attendances.get().status == "absent"


def test_a_read_only_user_cannot_record_a_meeting_in_their_village(client, world):
    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="party_lecture", planned_on=dt.date(2026, 3, 1)
    )
    url = reverse("party:meeting_detail", args=[meeting.pk])
    for user, status in ((a.auditor, 403), (a.group_leader, 404), (world.b.cadre, 404)):
        client.force_login(user)
        r = client.post(url, {"held_on": "2026-03-02", "topic": "越权", "host": "越权"})
        assert r.status_code == status, user
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_the_ledger_exports_as_a_printable_sheet(client, world):
    import io

    from openpyxl import load_workbook

    client.force_login(world.a.cadre)
    r = client.get(reverse("party:meeting_export"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ws = wb.active
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert "三会一课台账" in rows[0][0]
    header = rows[2]
    assert header[:3] == ["序号", "党组织", "会议类别"]
    assert any("甲村党小组会" in str(row) for row in rows[3:])
    assert not any("乙村" in str(row) for row in rows)


def test_the_minutes_and_the_attachments_are_read_back_by_those_in_scope(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiangzhi.party.models import MeetingAttachment

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 2, 3)
    )
    pdf = "%PDF-1.4 甲村支委会签到表".encode()
    jpg = b"\xff\xd8\xff\xe0 jiacun"

    def record(*files):
        return meeting_record(
            actor=a.cadre,
            meeting=meeting,
            held_on=dt.date(2026, 2, 3),
            topic="甲村春耕安排",
            host="甲村书记",
            minutes="甲村会议记录：安排春耕互助",
            attendance={a.party_member.pk: ("present", "")},
            attachments=list(files),
        )

    record(
        SimpleUploadedFile("签到表.pdf", pdf, content_type="application/pdf"),
        SimpleUploadedFile("会场.jpg", jpg, content_type="image/jpeg"),
    )
    # A wrong type is named, and eleven files are too many: nothing more is kept either time.
    with pytest.raises(ValidationError, match="“病毒.exe”不是PDF"):
        record(SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream"))
    with pytest.raises(ValidationError, match="“签到.pdf”的内容与文件类型不符"):
        record(SimpleUploadedFile("签到.pdf", b"MZ\x90\x00 an exe", content_type="application/pdf"))
    with pytest.raises(ValidationError, match="还可上传8个"):
        record(*[SimpleUploadedFile(f"{n}.pdf", pdf) for n in range(9)])
    files = list(MeetingAttachment.objects.filter(meeting=meeting).order_by("pk"))
    assert [f.name for f in files] == ["签到表.pdf", "会场.jpg"]
    client.force_login(a.cadre)
    detail = client.get(reverse("party:meeting_detail", args=[meeting.pk])).content.decode()
    assert "甲村会议记录：安排春耕互助" in detail
    for f, body in zip(files, (pdf, jpg), strict=True):
        url = reverse("party:meeting_attachment_n", args=[meeting.pk, f.pk])
        assert f'href="{url}">{f.name}</a>' in detail
        download = client.get(url)
        assert download.status_code == 200 and b"".join(download.streaming_content) == body
        assert "attachment" in download["Content-Disposition"]
    first = client.get(reverse("party:meeting_attachment", args=[meeting.pk]))
    assert b"".join(first.streaming_content) == pdf
    other = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 3, 3)
    )
    stray = reverse("party:meeting_attachment_n", args=[other.pk, files[0].pk])
    assert client.get(stray).status_code == 404
    client.force_login(world.b.cadre)
    assert client.get(reverse("party:meeting_attachment", args=[meeting.pk])).status_code == 404
    url = reverse("party:meeting_attachment_n", args=[meeting.pk, files[0].pk])
    assert client.get(url).status_code == 404


def test_a_file_is_stored_under_our_name_and_a_writer_takes_it_down(
    client, world, django_capture_on_commit_callbacks
):
    import os

    django_capture_on_commit = django_capture_on_commit_callbacks
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiangzhi.core.models import AuditEvent
    from xiangzhi.party.models import MeetingAttachment

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 4, 3)
    )
    long_name = "𠀀" * 90 + ".PDF"  # 4-byte characters: 364 bytes, past a disk's 255
    meeting_record(
        actor=a.cadre,
        meeting=meeting,
        held_on=dt.date(2026, 4, 3),
        topic="甲村四月主题党日",
        host="甲村书记",
        attendance={a.party_member.pk: ("present", "")},
        attachments=[SimpleUploadedFile(long_name, b"%PDF-1.4 x")],
    )
    client.force_login(a.cadre)
    (kept,) = MeetingAttachment.objects.filter(meeting=meeting)
    assert kept.name == long_name[-120:] and kept.file.name.endswith(".pdf")
    assert "𠀀" not in kept.file.name
    stored = kept.file.path
    download = client.get(reverse("party:meeting_attachment_n", args=[meeting.pk, kept.pk]))
    assert "filename*=utf-8''" in download["Content-Disposition"]
    delete = reverse("party:meeting_attachment_delete", args=[meeting.pk, kept.pk])
    client.force_login(a.auditor)
    assert client.post(delete).status_code == 403
    client.force_login(world.b.cadre)
    assert client.post(delete).status_code == 404
    client.force_login(a.cadre)
    assert client.get(delete).status_code == 405
    with django_capture_on_commit(execute=True):
        assert client.post(delete).status_code == 302
    assert not MeetingAttachment.objects.filter(meeting=meeting).exists()
    assert not os.path.exists(stored)
    event = AuditEvent.objects.get(action="party.meeting_attachment_delete")
    assert event.changes == {"attachment": kept.name}


def test_a_meeting_record_that_fails_leaves_no_file(world, monkeypatch, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import DatabaseError

    from xiangzhi.party.models import MeetingAttachment
    from xiangzhi.party.services import meetings as service

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 5, 3)
    )
    root = Path(MeetingAttachment._meta.get_field("file").storage.location)
    before = set(root.rglob("*")) if root.exists() else set()

    def broken(**kwargs):
        raise DatabaseError("the audit write failed")

    monkeypatch.setattr(service, "audit_record", broken)
    with pytest.raises(DatabaseError):
        meeting_record(
            actor=a.cadre,
            meeting=meeting,
            held_on=dt.date(2026, 5, 3),
            topic="甲村五月主题党日",
            host="甲村书记",
            attendance={a.party_member.pk: ("present", "")},
            attachments=[SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4 x") for n in range(2)],
        )
    assert not MeetingAttachment.objects.filter(meeting=meeting).exists()
    after = set(root.rglob("*")) if root.exists() else set()
    assert {p for p in after - before if p.is_file()} == set()
