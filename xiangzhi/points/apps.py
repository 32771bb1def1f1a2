from django.apps import AppConfig


def _sees_claims(user) -> bool:
    """积分审核: for users bound to grid nodes (cadres, workers, auditors)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


def _in_household(user) -> bool:
    """积分申报 and 积分公示: for villagers and party members with a household."""
    from xiangzhi.core.scope import scope_for

    return bool(scope_for(user).household_ids)


class PointsConfig(AppConfig):
    name = "xiangzhi.points"
    label = "points"
    verbose_name = "积分制管理"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_demo_loader,
            register_entity,
            register_figure,
            register_households_moved,
            register_nav,
            register_residents_moved,
            register_sheet_kind,
        )

        from . import demo
        from . import models as m
        from .actions import AUDIT_KEYS, PointsAction
        from .services.follow import accounts_follow, person_accounts_follow
        from .sheets import LEDGER, RULES
        from .workbench import register_panels

        register_entity("point_claim", m.PointClaim)
        register_entity("point_claim_photo", m.PointClaimPhoto)
        register_entity("point_objection", m.PointObjection)
        register_entity("point_account", m.PointAccount)
        register_entity("point_entry", m.PointEntry)
        register_actions(PointsAction)
        register_audit_keys(AUDIT_KEYS)
        # Points issued: the entries' amounts per month of their date (a reversal counts
        # against the month it is dated); a redemption spends, it issues nothing.
        register_figure(
            "points_issued",
            "本月发放积分",
            lambda: m.PointEntry.objects.exclude(source=m.PointEntry.Source.REDEMPTION),
            "node__path",
            date_lookup="occurred_on",
            sum_of="amount",
        )
        register_figure(
            "point_households",
            "参与积分户数",
            lambda: m.PointAccount.objects.filter(resident__isnull=True, earned__gt=0),
            "node__path",
        )
        register_nav("points", "积分审核", "points:claim_list", order=50, visible=_sees_claims)
        register_nav("points_rules", "积分规则", "points:rule_list", order=51, visible=_sees_claims)
        register_nav(
            "points_ledger", "积分明细", "points:entry_list", order=52, visible=_sees_claims
        )
        register_nav("points_apply", "申报积分", "points:apply", order=53, visible=_in_household)
        register_nav(
            "points_notices", "积分公示", "points:notice_list", order=54, visible=_in_household
        )
        register_households_moved(accounts_follow)
        register_residents_moved(person_accounts_follow)
        register_panels()
        register_sheet_kind(LEDGER)
        register_sheet_kind(RULES)
        register_demo_loader(self.label, demo.load)

        from .store_registry import register_store

        register_store()  # the store and the public lists (issue 14, points 4 to 7)
