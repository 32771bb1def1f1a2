"""`manage.py verify_points [--fix]`: prove that every account's stored balance is the sum of
its entries, naming each account that differs; --fix sets the stored balance to that sum
(audited). Exit code 0 when every balance agrees (or was fixed), 1 otherwise."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangzhi.points.services.ledger import balances_differing, balances_fix


class Command(BaseCommand):
    help = _("核对每个积分账户的余额是否等于其明细之和，列出不一致的账户；--fix 按明细修正余额")

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help=_("把账户余额改为明细之和（记入审计）")
        )

    def handle(self, *args, fix=False, **options):
        totals_ok = self._totals(fix=fix)  # the public lists' period totals (store branch)
        differing = balances_differing()
        for account, counted in differing:
            number = account.household.number or f"#{account.household_id}"
            who = (
                gettext("，居民 %(name)s") % {"name": account.resident.name}
                if account.resident_id
                else ""
            )
            self.stdout.write(
                gettext(
                    "账户 %(account)s（户编号 %(number)s%(who)s，%(node)s）："
                    "余额 %(balance)s，明细之和 %(counted)s"
                )
                % {
                    "account": account.pk,
                    "number": number,
                    "who": who,
                    "node": account.node.name,
                    "balance": account.balance,
                    "counted": counted,
                }
            )
        if not differing:
            self.stdout.write(self.style.SUCCESS(gettext("全部积分账户的余额与明细之和一致")))
            if not totals_ok:
                sys.exit(1)
            return
        if fix:
            fixed = balances_fix(actor=None, differing=differing)
            self.stdout.write(
                self.style.SUCCESS(gettext("已按明细修正 %(n)d 个账户的余额") % {"n": fixed})
            )
            return
        self.stdout.write(
            self.style.ERROR(gettext("%(n)d 个账户的余额与明细之和不一致") % {"n": len(differing)})
        )
        sys.exit(1)

    def _totals(self, *, fix: bool) -> bool:
        """Name each period total (month, quarter, year) that differs from its entries."""
        from xiangzhi.points.services.totals import totals_differing, totals_rebuild

        differing = totals_differing()
        for account_id, period, stored, counted in differing[:50]:
            self.stdout.write(
                gettext(
                    "账户 %(account)s 的 %(period)s 期间汇总：记为 %(stored)s，明细合计 %(counted)s"
                )
                % {"account": account_id, "period": period, "stored": stored, "counted": counted}
            )
        if not differing:
            self.stdout.write(self.style.SUCCESS(gettext("全部积分期间汇总与明细一致")))
            return True
        if fix:
            fixed = totals_rebuild()
            self.stdout.write(
                self.style.SUCCESS(gettext("已按明细重算 %(n)d 条期间汇总") % {"n": fixed})
            )
            return True
        self.stdout.write(
            self.style.ERROR(gettext("%(n)d 条积分期间汇总与明细不一致") % {"n": len(differing)})
        )
        return False
