"""What contact work (党员联系户, 入户走访) registers with core: entities, figures, sheets, nav and
panels. Called from PartyConfig.ready(), kept apart so that the members' part stays small."""

from __future__ import annotations

from django.db.models import Exists, OuterRef


def _contact_members():
    """联系群众党员数: members who visited a household they contact this month."""
    from django.utils import timezone

    from xiangzhi.core.workbench import month_start

    from .models import PartyMember, Visit
    from .selectors.coverage import link_at_visit

    linked = link_at_visit()  # as the coverage page counts it
    visited = Visit.objects.filter(
        member=OuterRef("pk"), visited_on__gte=month_start(timezone.localdate())
    ).filter(Exists(linked))
    return PartyMember.objects.filter(resident__status="active").filter(Exists(visited))


def _linked_households():
    from xiangzhi.people.models import Household

    from .models import ContactLink

    primary = ContactLink.objects.filter(
        household=OuterRef("pk"), ended_on__isnull=True, role=ContactLink.Role.PRIMARY
    )
    return Household.objects.filter(status=Household.Status.ACTIVE).filter(Exists(primary))


def _households_visited():
    """本月走访户数: households with a visit this month (the coverage page's "visited")."""
    from django.utils import timezone

    from xiangzhi.core.workbench import month_start
    from xiangzhi.people.models import Household

    from .models import Visit

    visited = Visit.objects.filter(
        household=OuterRef("pk"), visited_on__gte=month_start(timezone.localdate())
    )
    return Household.objects.filter(Exists(visited))


def _contact_overdue():
    """逾期未走访户: active households whose primary contact has not visited within their
    township's interval (the coverage page's "overdue"; the interval is read in the statement, so
    a township's new interval holds for every process at once)."""
    from django.utils import timezone

    from xiangzhi.people.models import Household

    from .selectors.coverage import overdue_links

    overdue = overdue_links(timezone.localdate()).filter(household=OuterRef("pk"))
    return Household.objects.filter(status=Household.Status.ACTIVE).filter(Exists(overdue))


def _follow_ups_overdue():
    """逾期未回访: follow-ups of household changes past their deadline and not yet visited, of
    households still registered (one that left can be visited no more: visit_record)."""
    from django.utils import timezone

    from xiangzhi.people.models import Household

    from .models import FollowUp

    return FollowUp.objects.filter(
        done_on__isnull=True,
        due_on__lt=timezone.localdate(),
        household__status=Household.Status.ACTIVE,
    )


def _visits():
    from .models import Visit

    return Visit.objects.all()


def _may_cover(user) -> bool:
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


def _is_member(user) -> bool:
    from xiangzhi.core.roles import Role
    from xiangzhi.core.scope import scope_for

    return Role.PARTY_MEMBER in {role for role, _, _ in scope_for(user).bindings}


def register_contacts() -> None:
    from xiangzhi.core.registry import (
        register_entity,
        register_figure,
        register_nav,
        register_panel,
        register_sheet_kind,
    )

    from . import panels
    from .models import ContactLink, FollowUp, Visit, VisitNeed, VisitPhoto
    from .sheets_contacts import CONTACT_LINKS, VISITS

    register_entity("contact_link", ContactLink)
    register_entity("visit", Visit)
    register_entity("visit_need", VisitNeed)
    register_entity("visit_photo", VisitPhoto)
    register_entity("follow_up", FollowUp)
    register_figure("contact_households", "党员联系户数", _linked_households, "node__path")
    register_figure(
        "visits", "走访次数", _visits, "household__node__path", date_lookup="visited_on"
    )
    register_figure(
        "contact_members",
        "联系群众党员数",
        _contact_members,
        "resident__node__path",
        daily=True,
    )
    # Daily: they change with the date as well as with the records (a month starts, a deadline
    # passes); the worker recounts them after midnight, and a write recounts its node at once.
    register_figure(
        "households_visited", "本月走访户数", _households_visited, "node__path", daily=True
    )
    register_figure("contact_overdue", "逾期未走访户", _contact_overdue, "node__path", daily=True)
    register_figure(
        "follow_ups_overdue",
        "变动回访逾期",
        _follow_ups_overdue,
        "household__node__path",
        daily=True,
    )
    register_sheet_kind(CONTACT_LINKS)
    register_sheet_kind(VISITS)
    register_nav("contacts", "联系户", "party:coverage", order=42, visible=_may_cover)
    register_nav("my_households", "我的联系户", "party:my_households", order=43, visible=_is_member)
    register_panel(
        "people.household", "visits", "party/panels/household_visits.html", panels.household
    )
    register_panel("grid.node", "coverage", "party/panels/node_coverage.html", panels.node)
    register_panel(
        "workbench", "coverage", "party/panels/workbench_coverage.html", panels.workbench, order=25
    )
    register_panel(
        "workbench", "my_households", "party/panels/my_households.html", panels.mine, order=15
    )
