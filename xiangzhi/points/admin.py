"""The ledger and the claims are read-only in the admin: their writes belong to the services."""

from django.contrib import admin

from xiangzhi.core.admin import ScopedAdmin

from .models import PointAccount, PointClaim, PointEntry, PointObjection


@admin.register(PointClaim)
class PointClaimAdmin(ScopedAdmin):
    list_display = ["rule_version", "household", "points", "status", "occurred_on"]
    list_filter = ["status", "channel"]


@admin.register(PointObjection)
class PointObjectionAdmin(ScopedAdmin):
    list_display = ["claim", "status", "created_at"]
    list_filter = ["status"]


@admin.register(PointAccount)
class PointAccountAdmin(ScopedAdmin):
    list_display = ["household", "resident", "balance", "earned"]


@admin.register(PointEntry)
class PointEntryAdmin(ScopedAdmin):
    list_display = ["occurred_on", "household", "amount", "balance_after", "reason", "source"]
    list_filter = ["source"]
