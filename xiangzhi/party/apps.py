from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "xiangzhi.party"
    label = "party"
    verbose_name = "党员与党组织"

    def ready(self):
        from xiangzhi.core.scope import register_entity
        from xiangzhi.grid.rollup import register_counter

        from .models import PartyMember

        register_entity("party_member", "party.PartyMember")
        register_counter(
            "party_members",
            "党员数",
            lambda: PartyMember.objects.filter(resident__status="active"),
            "resident__node__path",
        )
