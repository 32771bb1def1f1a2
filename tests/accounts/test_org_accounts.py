"""Accounts run by the organisation, called through the services directly: who may create, bind,
reset, switch off and on, and nothing above one's rank or outside one's subtree."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError

from xiangzhi.accounts.models import ApiToken, Department, RoleAssignment, User
from xiangzhi.accounts.services import api_token_create, api_token_user, role_assign
from xiangzhi.accounts.services.org_accounts import (
    account_create,
    account_deactivate,
    account_password_reset,
    account_reactivate,
    account_role_add,
    party_member_accounts_create,
    person_search,
    role_revoke,
)
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.roles import ROLE_RANK, Role
from xiangzhi.core.scope import scope_for
from xiangzhi.party.services import party_member_register
from xiangzhi.people.services import ResidentData, household_register

from ..factories import UserFactory, make_id


def _new_member(world, name="甲新党员", village=None):
    """A party member of village a (or `village`) with no account yet."""
    v = village or world.a
    hh = household_register(
        actor=world.admin,
        node=v.grid,
        address=f"{name}的家",
        number=f"{v.key}-{name}",
        head=ResidentData(name=name, id_number=make_id(dt.date(1980, 1, 1), "M")),
    )
    party_member_register(
        actor=world.admin,
        resident=hh.head,
        category="full",
        joined_on=dt.date(2001, 7, 1),
        organisation=v.group,
    )
    return hh.head


def _township_staff(world):
    u = UserFactory(username="town_staff", display_name="镇干部")
    role_assign(actor=world.admin, user=u, role=Role.TOWNSHIP_STAFF, node=world.township)
    return u


def _worker_account(world, village=None):
    v = village or world.a
    user, _ = account_create(
        actor=world.admin, display_name=f"{v.key}新网格员", role=Role.GRID_WORKER, node=v.grid
    )
    return user


def test_a_secretary_creates_a_grid_workers_account_with_a_one_time_password(world):
    user, otp = account_create(
        actor=world.a.secretary,
        display_name="甲村新网格员",
        role=Role.GRID_WORKER,
        node=world.a.grid,
    )
    user.refresh_from_db()
    assert user.username == "jiacunxinwanggeyuan"
    assert user.password_change_required and user.is_active
    assert user.check_password(otp) and otp not in user.password
    assert list(user.role_assignments.values_list("role", "node")) == [
        (Role.GRID_WORKER, world.a.grid.pk)
    ]
    event = AuditEvent.objects.filter(action="accounts.account_create").get()
    assert event.node_id == world.a.grid.pk and otp not in str(event.changes)


def test_a_chosen_username_is_checked_and_a_taken_one_refused(world):
    with pytest.raises(ValidationError) as exc:
        account_create(
            actor=world.a.secretary,
            display_name="重名",
            username="a_cadre",
            role=Role.GRID_WORKER,
            node=world.a.grid,
        )
    assert "已被使用" in str(exc.value)
    first, _ = account_create(
        actor=world.a.secretary, display_name="张三", role=Role.GRID_WORKER, node=world.a.grid
    )
    second, _ = account_create(
        actor=world.a.secretary, display_name="张三", role=Role.GRID_WORKER, node=world.a.grid
    )
    assert (first.username, second.username) == ("zhangsan", "zhangsan2")


@pytest.mark.parametrize(
    "role", [Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF, Role.DEPARTMENT_STAFF, Role.AUDITOR]
)
def test_a_secretary_cannot_grant_a_role_above_their_own(world, role):
    before = User.objects.count()
    dept = Department.objects.first()
    with pytest.raises(PermissionDenied):
        account_create(
            actor=world.a.secretary,
            display_name="越级",
            role=role,
            node=world.a.node,
            department=dept,
        )
    target = UserFactory()
    role_assign(actor=world.admin, user=target, role=Role.GRID_WORKER, node=world.a.grid)
    with pytest.raises(PermissionDenied):
        role_assign(
            actor=world.a.secretary, user=target, role=role, node=world.a.node, department=dept
        )
    with pytest.raises(PermissionDenied):
        account_role_add(
            actor=world.a.secretary, user=target, role=role, node=world.a.node, department=dept
        )
    assert User.objects.count() == before + 1
    assert list(target.role_assignments.values_list("role", flat=True)) == [Role.GRID_WORKER]


def test_nobody_grants_outside_their_subtree(world):
    before = User.objects.count()
    with pytest.raises(PermissionDenied):
        account_create(
            actor=world.a.secretary, display_name="乙村人", role=Role.GRID_WORKER, node=world.b.grid
        )
    with pytest.raises(PermissionDenied):  # the township node is above the village
        account_create(
            actor=world.a.secretary,
            display_name="镇上人",
            role=Role.VILLAGE_CADRE,
            node=world.township,
        )
    with pytest.raises(PermissionDenied):
        role_assign(
            actor=world.a.secretary, user=world.b.worker, role=Role.GRID_WORKER, node=world.b.grid
        )
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "who", ["cadre", "worker", "auditor", "group_leader", "member_user", "villager"]
)
def test_roles_that_run_no_accounts_create_and_bind_none(world, who):
    actor = getattr(world.a, who)
    before = (User.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(PermissionDenied):
        account_create(actor=actor, display_name="新人", role=Role.GRID_WORKER, node=world.a.grid)
    with pytest.raises(PermissionDenied):
        role_assign(actor=actor, user=world.a.villager, role=Role.GRID_WORKER, node=world.a.grid)
    assert (User.objects.count(), RoleAssignment.objects.count()) == before


def test_an_auditor_role_lends_no_rank_to_grant_with(world):
    """A secretary who is also the township's auditor still grants only up to secretary."""
    role_assign(actor=world.admin, user=world.a.secretary, role=Role.AUDITOR, node=world.township)
    assert (
        scope_for(world.a.secretary).account_rank_at(world.a.node.path)
        == ROLE_RANK[Role.VILLAGE_SECRETARY]
    )
    with pytest.raises(PermissionDenied):
        account_create(
            actor=world.a.secretary, display_name="纪检", role=Role.AUDITOR, node=world.a.node
        )


def test_department_staff_are_granted_by_the_township_only(world):
    staff = _township_staff(world)
    dept = Department.objects.get(code="civil_affairs")
    user, _ = account_create(
        actor=staff,
        display_name="民政专干",
        role=Role.DEPARTMENT_STAFF,
        node=world.township,
        department=dept,
    )
    ra = user.role_assignments.get()
    assert (ra.role, ra.department, ra.node) == (Role.DEPARTMENT_STAFF, dept, world.township)
    with pytest.raises(PermissionDenied):  # not even the township staff makes a chief
        account_create(
            actor=staff, display_name="书记", role=Role.CHIEF_GRID_LEADER, node=world.township
        )


def test_a_leader_bound_to_one_village_neither_grants_nor_runs_a_department_role(world):
    """A department role reads its department's cases in the whole township above its node: a
    包片 leader of village a who made one (and knew its password) would read village b's."""
    from xiangzhi.accounts.selectors import account_rows

    dept = Department.objects.get(code="civil_affairs")
    leader = UserFactory(username="pian_a", display_name="甲村包片领导")
    role_assign(actor=world.admin, user=leader, role=Role.TOWNSHIP_STAFF, node=world.a.node)
    before = (User.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(PermissionDenied):
        account_create(
            actor=leader,
            display_name="甲村民政",
            role=Role.DEPARTMENT_STAFF,
            node=world.a.node,
            department=dept,
        )
    with pytest.raises(PermissionDenied):
        account_role_add(
            actor=world.a.secretary,
            user=_worker_account(world),
            role=Role.DEPARTMENT_STAFF,
            node=world.a.grid,
            department=dept,
        )
    assert (User.objects.count(), RoleAssignment.objects.count()) == (before[0] + 1, before[1] + 1)
    # Nor do the account forms offer it to them (it answered a bare 403 and lost the form).
    from xiangzhi.accounts.forms import grantable_roles

    assert Role.DEPARTMENT_STAFF not in dict(grantable_roles(leader))
    assert Role.VILLAGE_CADRE in dict(grantable_roles(leader))
    assert Role.DEPARTMENT_STAFF in dict(grantable_roles(world.chief))
    # A chief bound to one village outranks the role, and still does not run its account.
    chief_a = UserFactory(username="chief_a", display_name="甲村总网格长")
    role_assign(actor=world.admin, user=chief_a, role=Role.CHIEF_GRID_LEADER, node=world.a.node)
    assert not account_rows(actor=chief_a).filter(pk=world.a.department_user.pk).exists()
    with pytest.raises(PermissionDenied):
        account_password_reset(actor=chief_a, user=world.a.department_user)
    assert account_rows(actor=world.chief).filter(pk=world.a.department_user.pk).exists()
    account_password_reset(actor=world.chief, user=world.a.department_user)


def test_a_villager_account_is_linked_to_a_resident_of_the_subtree(world):
    found = person_search(actor=world.a.secretary, text="甲小朵")
    assert [p.pk for p in found] == [world.a.child.pk]
    assert person_search(actor=world.b.secretary, text="甲小朵") == []
    user, _ = account_create(
        actor=world.a.secretary,
        display_name="",
        role=Role.VILLAGER,
        node=None,
        person_id=world.a.child.pk,
    )
    world.a.child.refresh_from_db()
    assert world.a.child.user == user and user.display_name == "甲小朵"
    assert user.role_assignments.get().node == world.a.child.node
    assert scope_for(user).household_ids == {world.a.household.pk}
    with pytest.raises(ValidationError):  # the resident has an account now
        account_create(
            actor=world.a.secretary, display_name="", role=Role.VILLAGER, person_id=world.a.child.pk
        )


def test_the_party_member_role_is_for_a_member_on_the_register_only(world):
    from xiangzhi.party.models import PartyMember
    from xiangzhi.party.services import party_member_transfer_out

    gone = _new_member(world, "甲转出党员")
    party_member_transfer_out(
        actor=world.admin,
        member=PartyMember.objects.get(resident=gone),
        transferred_on=dt.date(2024, 1, 2),
        to_organisation="外县党委",
    )
    before = (User.objects.count(), RoleAssignment.objects.count())
    for person in (world.a.child, gone):  # an 11-year-old, a member transferred out
        with pytest.raises(ValidationError) as caught:
            account_create(
                actor=world.a.secretary,
                display_name="",
                role=Role.PARTY_MEMBER,
                person_id=person.pk,
            )
        assert caught.value.message_dict == {"role": ["该居民不是在册党员，不能授予党员角色"]}
    assert (User.objects.count(), RoleAssignment.objects.count()) == before
    member = _new_member(world, "甲新党员")
    user, _ = account_create(
        actor=world.a.secretary, display_name="", role=Role.PARTY_MEMBER, person_id=member.pk
    )
    assert user.role_assignments.get().role == Role.PARTY_MEMBER


def test_a_resident_of_another_village_cannot_be_linked(world):
    with pytest.raises(ValidationError):
        account_create(
            actor=world.a.secretary, display_name="", role=Role.VILLAGER, person_id=world.b.child.pk
        )
    with pytest.raises(ValidationError):  # a villager's account needs its resident
        account_create(
            actor=world.a.secretary, display_name="无名", role=Role.VILLAGER, node=world.a.grid
        )
    world.b.child.refresh_from_db()
    assert world.b.child.user is None


def test_a_reset_gives_a_one_time_password_and_ends_sessions_tokens_and_locks(world):
    user = _worker_account(world)
    user.set_password("chosen-by-owner-1")
    user.save()
    _, token = api_token_create(actor=user, name="对接")
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.1",
        failures_since_start=5,
        user_agent="x",
        http_accept="x",
        path_info="/login/",
        get_data="",
        post_data="",
    )
    epoch = User.objects.get(pk=user.pk).session_epoch
    otp = account_password_reset(actor=world.a.secretary, user=user)
    user.refresh_from_db()
    assert user.check_password(otp) and not user.check_password("chosen-by-owner-1")
    assert user.password_change_required and user.session_epoch == epoch + 1
    assert api_token_user(token) is None
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    event = AuditEvent.objects.filter(action="accounts.account_password_reset").get()
    assert otp not in str(event.changes) and event.node_id == world.a.grid.pk
    # audited as the leader's reset, not as the owner's own change
    assert not AuditEvent.objects.filter(
        action="accounts.user_password_change", actor=user, created_at__gte=event.created_at
    ).exists()


def test_a_token_of_an_account_that_must_change_its_password_is_refused(world):
    user = _worker_account(world)
    _, token = api_token_create(actor=user, name="对接")
    assert api_token_user(token) is None
    user.set_password("chosen-by-owner-1")
    user.save()
    _, token = api_token_create(actor=user, name="对接")
    assert api_token_user(token) == user


def test_nobody_resets_switches_off_or_unbinds_an_account_above_or_outside(world):
    above = _worker_account(world)
    role_assign(actor=world.admin, user=above, role=Role.TOWNSHIP_STAFF, node=world.a.node)
    outside = _worker_account(world, world.b)
    both = _worker_account(world)
    role_assign(actor=world.admin, user=both, role=Role.GRID_WORKER, node=world.b.grid)
    staff = _worker_account(world)
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    for user in (above, outside, both, staff, world.a.secretary, world.chief):
        password = User.objects.get(pk=user.pk).password
        for call in (account_password_reset, account_deactivate):
            with pytest.raises(PermissionDenied):
                call(actor=world.a.secretary, user=user)
        with pytest.raises(PermissionDenied):
            role_revoke(actor=world.a.secretary, assignment=user.role_assignments.first())
        fresh = User.objects.get(pk=user.pk)
        assert fresh.password == password and fresh.is_active


def test_a_deactivated_account_ends_its_sessions_and_can_be_switched_on_again(world, client):
    user = _worker_account(world)
    user.set_password("chosen-by-owner-1")
    user.save()
    client.force_login(user)
    assert client.get("/accounts/me/").status_code == 200
    account_deactivate(actor=world.a.secretary, user=user)
    assert client.get("/accounts/me/").status_code == 302  # back to the login page
    r = client.post("/login/", {"username": user.username, "password": "chosen-by-owner-1"})
    assert r.status_code == 200  # the form again: a switched-off account does not log in
    assert client.get("/accounts/me/").status_code == 302
    with pytest.raises(ValidationError):
        account_deactivate(actor=world.a.secretary, user=user)
    account_reactivate(actor=world.a.secretary, user=user)
    user.refresh_from_db()
    assert user.is_active
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.account_")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["accounts.account_deactivate", "accounts.account_reactivate"]


def test_a_role_is_removed_but_never_the_last(world):
    user = _worker_account(world)
    extra = account_role_add(
        actor=world.a.secretary, user=user, role=Role.GROUP_LEADER, node=world.a.group
    )
    role_revoke(actor=world.a.secretary, assignment=extra)
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.GRID_WORKER]
    with pytest.raises(ValidationError):
        role_revoke(actor=world.a.secretary, assignment=user.role_assignments.get())


def test_a_role_the_account_holds_on_that_node_is_not_added_again(world):
    """Bound again, it silently lost its 网格长 title or had its department swapped."""
    from xiangzhi.grid.services import node_staff_assign

    user = _worker_account(world)
    node_staff_assign(actor=world.a.secretary, node=world.a.sibling_grid, user=user, as_leader=True)
    with pytest.raises(ValidationError) as caught:
        account_role_add(
            actor=world.a.secretary, user=user, role=Role.GRID_WORKER, node=world.a.sibling_grid
        )
    assert "已经有这个角色" in caught.value.message_dict["role"][0]
    assert RoleAssignment.objects.get(user=user, node=world.a.sibling_grid).is_grid_leader
    civil = Department.objects.get(code="civil_affairs")
    justice = Department.objects.get(code="justice")
    account_role_add(
        actor=world.chief,
        user=user,
        role=Role.DEPARTMENT_STAFF,
        node=world.township,
        department=civil,
    )
    with pytest.raises(ValidationError):
        account_role_add(
            actor=world.chief,
            user=user,
            role=Role.DEPARTMENT_STAFF,
            node=world.township,
            department=justice,
        )
    assert RoleAssignment.objects.get(user=user, role=Role.DEPARTMENT_STAFF).department == civil


def test_a_role_grant_names_its_department_and_a_rebinding_what_it_changed(world):
    from xiangzhi.core.audit_display import audit_rows
    from xiangzhi.grid.services import node_staff_assign

    user = _worker_account(world)
    node_staff_assign(actor=world.a.secretary, node=world.a.grid, user=user, as_leader=True)
    civil = Department.objects.get(code="civil_affairs")
    account_role_add(
        actor=world.chief,
        user=user,
        role=Role.DEPARTMENT_STAFF,
        node=world.township,
        department=civil,
    )
    rebound, granted = AuditEvent.objects.filter(
        action="accounts.role_assign", object_type="accounts.roleassignment"
    ).order_by("-pk")[:2][::-1]
    assert granted.changes["department"] == civil.pk
    assert rebound.changes["grid_leader"] == [False, True]
    texts = [row.changes_text for row in audit_rows([granted, rebound], actor=world.chief)]
    assert "部门：民政" in texts[0]
    assert "网格长：否 → 是" in texts[1]


def test_the_party_members_of_a_village_get_their_missing_accounts_in_one_go(world):
    first = _new_member(world, "甲新党员")
    second = _new_member(world, "甲老党员")
    made = party_member_accounts_create(actor=world.a.secretary, node=world.a.node)
    assert sorted(u.display_name for u, _ in made) == ["甲新党员", "甲老党员"]
    for user, otp in made:
        assert user.check_password(otp) and user.password_change_required
        assert user.role_assignments.get().role == Role.PARTY_MEMBER
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.user, second.user} == {u for u, _ in made}
    # the world's own party member had an account already; a second run makes none
    assert party_member_accounts_create(actor=world.a.secretary, node=world.a.node) == []
    assert AuditEvent.objects.filter(action="accounts.accounts_bulk_create").count() == 2


def test_the_bulk_creation_skips_members_transferred_out(world):
    from xiangzhi.party.models import PartyMember
    from xiangzhi.party.services import party_member_transfer_out

    _new_member(world, "甲在册党员")
    gone = _new_member(world, "甲转出党员")
    party_member_transfer_out(
        actor=world.admin,
        member=PartyMember.objects.get(resident=gone),
        transferred_on=dt.date(2024, 1, 2),
        to_organisation="外县党委",
    )
    made = party_member_accounts_create(actor=world.a.secretary, node=world.a.node)
    assert [u.display_name for u, _ in made] == ["甲在册党员"]
    gone.refresh_from_db()
    assert gone.user is None


def test_the_bulk_creation_stays_in_the_leaders_subtree(world):
    _new_member(world, "乙新党员", world.b)
    with pytest.raises(PermissionDenied):
        party_member_accounts_create(actor=world.a.secretary, node=world.b.node)
    with pytest.raises(PermissionDenied):
        party_member_accounts_create(actor=world.a.cadre, node=world.a.node)
    assert not RoleAssignment.objects.filter(user__display_name="乙新党员").exists()


def test_every_role_has_a_rank_and_the_account_runners_outrank_what_they_grant_most():
    from xiangzhi.core.roles import ACCOUNT_ADMIN_ROLES

    assert set(ROLE_RANK) == set(Role)
    assert ROLE_RANK[Role.DEPARTMENT_STAFF] > ROLE_RANK[Role.VILLAGE_SECRETARY]
    assert ROLE_RANK[Role.AUDITOR] > ROLE_RANK[Role.VILLAGE_SECRETARY]
    assert max(ROLE_RANK.values()) == ROLE_RANK[Role.CHIEF_GRID_LEADER]
    assert ACCOUNT_ADMIN_ROLES == {
        Role.CHIEF_GRID_LEADER,
        Role.TOWNSHIP_STAFF,
        Role.VILLAGE_SECRETARY,
    }
