from django.apps import AppConfig


def _may_list(user) -> bool:
    """The 党员花名册 entry: for users bound to grid nodes (cadres, workers, auditors)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


def _party_q(value: str):
    """The resident list's 政治面貌 filter (people knows nothing of party members)."""
    from django.db.models import Q

    if value == "none":
        return Q(party_member__isnull=True)
    if value == "member":
        return Q(party_member__isnull=False)
    return Q(party_member__category=value)


def _member_panel(*, actor, obj, can_write: bool) -> dict:
    """The 党员信息 line of a resident's page."""
    from .selectors import party_member_of

    return {"party_member": party_member_of(actor=actor, resident=obj), "can_write": can_write}


def _household_changed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """The registry's changes reach contact work through Django's own signal: people knows
    nothing of party."""
    if created and not raw:
        from .services import household_changed

        household_changed(instance)


class PartyConfig(AppConfig):
    name = "xiangzhi.party"
    label = "party"
    verbose_name = "党员与党组织"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_demo_loader,
            register_entity,
            register_figure,
            register_list_filter,
            register_nav,
            register_panel,
            register_person_directory,
            register_sheet_kind,
        )

        from . import demo, orglife
        from .account_people import DIRECTORY
        from .actions import AUDIT_KEYS, LEGACY, PartyAction
        from .models import PartyMember
        from .sheets import PARTY_MEMBERS

        register_entity("party_member", PartyMember)
        register_actions(PartyAction, legacy=LEGACY)
        register_audit_keys(AUDIT_KEYS)
        register_figure(
            "party_members",
            "党员数",
            lambda: PartyMember.objects.filter(resident__status="active", status="active"),
            "resident__node__path",
        )
        register_demo_loader(self.label, demo.load)
        register_sheet_kind(PARTY_MEMBERS)
        register_nav(
            "party_members", "党员花名册", "party:member_list", order=40, visible=_may_list
        )
        register_list_filter(
            "people.resident",
            "party",
            "政治面貌",
            (("member", "党员"), *PartyMember.Category.choices, ("none", "非党员")),
            _party_q,
        )
        register_panel(
            "people.resident", "party_member", "party/panels/resident_member.html", _member_panel
        )
        register_person_directory(DIRECTORY)
        from django.db.models.signals import post_save

        from xiangzhi.people.models import HouseholdChange

        from .contacts_registry import register_contacts

        register_contacts()
        post_save.connect(
            _household_changed, sender=HouseholdChange, dispatch_uid="party_household_changed"
        )
        orglife.register()
        # A member who transfers out leaves their contact households uncovered at once.
        from .services import contact_links_end_for_member, register_member_left_hook

        register_member_left_hook(contact_links_end_for_member)
