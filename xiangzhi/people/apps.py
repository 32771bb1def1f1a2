from django.apps import AppConfig


def _node_links(*, actor, obj, can_write: bool) -> dict:
    """The registry's buttons on a grid node's page: its households, residents, a new household."""
    return {"can_write": can_write}


def _households_of(user):
    from .models import Resident

    # Only a person still registered here: one who moved out or died sees nothing (their
    # account is deactivated then too, accounts.services.user_leave).
    return Resident.objects.filter(
        user=user, household__isnull=False, status=Resident.Status.ACTIVE
    ).values_list("household_id", flat=True)


class PeopleConfig(AppConfig):
    name = "xiangzhi.people"
    label = "people"
    verbose_name = "户籍与居民"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_entity,
            register_figure,
            register_household_lookup,
            register_nav,
            register_panel,
            register_sheet_kind,
        )

        from .actions import AUDIT_KEYS, LEGACY, PeopleAction
        from .models import Household, HouseholdChange, Resident
        from .sheets import SHEET_KINDS

        register_entity("household", Household)
        register_entity("resident", Resident)
        register_entity("household_change", HouseholdChange)
        register_actions(PeopleAction, legacy=LEGACY)
        register_audit_keys(AUDIT_KEYS)
        register_nav("households", "户籍", "people:household_list", order=20)
        register_nav("residents", "居民查询", "people:resident_list", order=30)
        register_panel("grid.node", "registry", "people/panels/node_links.html", _node_links)
        for kind in SHEET_KINDS:
            register_sheet_kind(kind)
        register_household_lookup(_households_of)
        from .workbench import register_groups, register_panels

        register_panels()
        register_figure(
            "households",
            "户数",
            lambda: Household.objects.filter(status=Household.Status.ACTIVE),
            "node__path",
        )
        register_figure(
            "residents",
            "人数",
            lambda: Resident.objects.filter(status=Resident.Status.ACTIVE),
            "node__path",
        )
        register_groups()  # the groups cadres follow: 60+, 80+, 低保户 ... (people.workbench)

        from xiangzhi.core.registry import register_demo_loader

        from . import demo

        register_demo_loader(self.label, demo.load)
