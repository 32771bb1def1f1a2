"""What the service menu, disputes, petitions, routing and Open311 register with core.

Called from AppsConfig.ready(), kept apart from the workflow's registrations."""

from __future__ import annotations


def _may_list(user) -> bool:
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths) or bool(scope.department_ids)


def register() -> None:
    from xiangzhi.core.registry import (
        register_actions,
        register_entity,
        register_figure,
        register_nav,
        register_worker_start,
    )

    from . import tasks_extra
    from .actions_extra import AppealServiceAction
    from .models import Appeal, Source, State
    from .models.disputes import Dispute, DisputeParty, MediationSession
    from .models.menu import ServiceOffering, ServiceRequest
    from .models.petitions import Petition

    register_entity("service_offering", ServiceOffering)
    register_entity("menu_request", ServiceRequest)
    register_entity("dispute", Dispute)
    register_entity("dispute_party", DisputeParty)
    register_entity("mediation_session", MediationSession)
    register_entity("petition", Petition)
    register_actions(AppealServiceAction)
    # 办实事 of the menu: requests of an offering that were done (closed), per month, a part of
    # the appeals' own 办实事 figure (appeal_deeds) shown on its own.
    register_figure(
        "menu_deeds",
        "办实事（菜单服务）",
        lambda: Appeal.objects.filter(source=Source.SERVICE_MENU, state=State.CLOSED),
        "node__path",
        date_lookup="closed_at",
    )
    register_figure(
        "disputes_open",
        "调解中的纠纷",
        lambda: Dispute.objects.filter(state=Dispute.State.OPEN),
        "node__path",
    )
    register_figure(
        "petitions_open",
        "办理中的信访",
        lambda: Petition.objects.filter(
            state__in=(Petition.State.RECEIVED, Petition.State.ACCEPTED)
        ),
        "node__path",
    )
    register_nav("menu", "服务菜单", "appeals:menu", order=51)
    register_nav("disputes", "矛盾纠纷", "appeals:disputes", order=52, visible=_may_list)
    register_nav("petitions", "信访事项", "appeals:petitions", order=53, visible=_may_list)
    register_worker_start(tasks_extra.schedule_nightly)
