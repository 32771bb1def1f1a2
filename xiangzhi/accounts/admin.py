from django.contrib import admin

from xiangzhi.core.admin import ConfigAdmin, ScopedAdmin

from .models import Department, RoleAssignment, User


@admin.register(Department)
class DepartmentAdmin(ConfigAdmin):
    list_display = ["code", "name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ["user", "role", "node", "department", "is_grid_leader"]
    list_filter = ["role"]


@admin.register(User)
class UserAdmin(ScopedAdmin):
    list_display = ["username", "display_name", "is_active", "last_login"]
    search_fields = ["username", "display_name"]
    exclude = ["password"]

    def get_queryset(self, request):
        from xiangzhi.core.scope import scope_for

        qs = User.objects.all()
        scope = scope_for(request.user)
        if scope.superuser:
            return qs
        return qs.filter(
            role_assignments__in=RoleAssignment.objects.for_actor(request.user)
        ).distinct()
