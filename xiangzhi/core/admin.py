"""Admin for configuration, scoped like the rest: querysets go through for_actor, registry
records are read-only here (their writes live in the app pages, through the services), and
configuration rows are saved through an audited service."""

from django import forms
from django.contrib import admin

from .actions import CoreAction
from .audit import audit_record
from .models import AuditEvent, WebhookEndpoint, WorkdayOverride, WorkdayYear
from .registry import action_label
from .scope import scope_for, scope_q


class ScopedAdmin(admin.ModelAdmin):
    """Read-only, scoped admin for records whose writes belong to the app's services."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.model))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class ConfigAdmin(admin.ModelAdmin):
    """Configuration tables (tags, departments): superusers edit, every save is audited."""

    # Fields whose values the audit trail must not keep (it is append-only): a change is noted.
    redacted_fields: tuple[str, ...] = ()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=CoreAction.CONFIG_UPDATE if change else CoreAction.CONFIG_CREATE,
            obj=obj,
            changes={
                k: "***" if k in self.redacted_fields else form.cleaned_data.get(k)
                for k in form.changed_data
            },
        )


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(ConfigAdmin):
    """Local changes to the working-day calendar (core.workdays): holidays and make-up workdays.
    A wrong row may be deleted (the library's answer applies again), audited like a save."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["note"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            action=CoreAction.CONFIG_DELETE,
            obj=obj,
            changes={"day": obj.day, "is_workday": obj.is_workday, "note": obj.note},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(WorkdayYear)
class WorkdayYearAdmin(ConfigAdmin):
    """The years whose holidays an administrator has entered (the workbench stops asking)."""

    list_display = ["year", "entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class WebhookEndpointForm(forms.ModelForm):
    # Never send the secret back to the browser; a blank field keeps the one stored.
    secret = forms.CharField(
        label="签名密钥",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="仅用于通用JSON格式；修改时留空则保留原密钥",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "format", "node", "events", "active", "secret"]
        widgets = {"url": forms.URLInput(attrs={"size": 80}), "events": forms.Textarea({"rows": 3})}

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        return secret or (self.instance.secret if self.instance.pk else "")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ConfigAdmin):
    """Where events are posted (core.webhooks): system administrators only, since the URLs
    carry the robots' keys; every save is audited without the URL's or the secret's value."""

    form = WebhookEndpointForm
    list_display = ["name", "format", "node", "active"]
    list_filter = ["format", "active"]
    raw_id_fields = ["node"]
    redacted_fields = ("url", "secret")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Actions by their Chinese labels; the audit page (core:audit_list) has the choosers.
    list_display = ["seq", "created_at", "actor_label", "action_name", "object_repr", "node"]
    search_fields = ["actor_label", "object_repr", "object_id"]

    @admin.display(description="操作")
    def action_name(self, obj: AuditEvent) -> str:
        return action_label(obj.action)

    def get_queryset(self, request):
        from .selectors import audit_event_list

        return audit_event_list(actor=request.user)

    def has_view_permission(self, request, obj=None):
        return (
            request.user.is_active and request.user.is_staff and scope_for(request.user).can_audit
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _superuser_only(model_admin) -> None:
    def allow(request, *args, **kwargs):
        return request.user.is_active and request.user.is_superuser

    for name in (
        "has_module_permission",
        "has_view_permission",
        "has_add_permission",
        "has_change_permission",
        "has_delete_permission",
    ):
        setattr(model_admin, name, allow)


from . import vendor_admin  # noqa: E402, F401  (the task results' admin in Chinese, first)

# Login-throttling records (django-axes) and background task results (django-tasks-db) belong to
# the whole deployment, not to a grid node: only system administrators see them.
SUPERUSER_ONLY_APPS = {"axes", "django_tasks_database"}
for _model, _admin in list(admin.site._registry.items()):
    if _model._meta.app_label in SUPERUSER_ONLY_APPS:
        _superuser_only(_admin)

admin.site.site_header = "乡治 · 系统管理"
admin.site.site_title = "乡治系统管理"
admin.site.index_title = "数据与配置"
