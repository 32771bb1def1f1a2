from django.apps import AppConfig


def _member_panel(*, actor, obj, can_write: bool) -> dict:
    """The 党员信息 line of a resident's page."""
    from .selectors import party_member_of

    return {"party_member": party_member_of(actor=actor, resident=obj), "can_write": can_write}


class PartyConfig(AppConfig):
    name = "xiangzhi.party"
    label = "party"
    verbose_name = "党员与党组织"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_demo_loader,
            register_entity,
            register_figure,
            register_panel,
            register_person_directory,
        )

        from . import demo
        from .account_people import DIRECTORY
        from .actions import LEGACY, PartyAction
        from .models import PartyMember

        register_entity("party_member", PartyMember)
        register_actions(PartyAction, legacy=LEGACY)
        register_figure(
            "party_members",
            "党员数",
            lambda: PartyMember.objects.filter(resident__status="active"),
            "resident__node__path",
        )
        register_demo_loader(self.label, demo.load)
        register_panel(
            "people.resident", "party_member", "party/panels/resident_member.html", _member_panel
        )
        register_person_directory(DIRECTORY)
