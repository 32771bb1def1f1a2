"""Admin of the routing rules and models and of the Open311 keys (superusers; audited)."""

from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy

from xiangzhi.core.admin import ConfigAdmin

from .models.open311 import Open311Key
from .models.routing import RoutingModelRecord, RoutingRule
from .services.open311 import open311_key_issue, open311_key_revoke


@admin.register(RoutingRule)
class RoutingRuleAdmin(ConfigAdmin):
    """Keyword rules of the routing suggestion while there is too little history to learn."""

    list_display = ["keywords", "kind", "department", "priority", "active"]
    list_filter = ["active", "department"]
    search_fields = ["keywords"]


@admin.register(RoutingModelRecord)
class RoutingModelRecordAdmin(admin.ModelAdmin):
    """The trained models, read-only: when, on how many appeals, how accurate, how large."""

    list_display = ["trained_at", "samples", "accuracy", "size"]
    exclude = ["blob"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Issue a key (shown once), revoke one; only the hash is kept."""

    list_display = ["name", "user", "prefix", "active", "created_at"]
    fields = ["name", "user"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        key, raw = open311_key_issue(
            actor=request.user, name=form.cleaned_data["name"], user=form.cleaned_data["user"]
        )
        obj.pk, obj.prefix, obj.key_hash = key.pk, key.prefix, key.key_hash
        messages.warning(
            request, gettext("密钥（只显示这一次，请立即交给对接方）：%(key)s") % {"key": raw}
        )

    @admin.action(description=gettext_lazy("吊销所选密钥"))
    def revoke(self, request, queryset):
        for key in queryset.filter(active=True):
            open311_key_revoke(actor=request.user, key=key)
