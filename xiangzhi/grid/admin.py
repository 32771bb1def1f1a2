from django.contrib import admin

from xiangzhi.core.admin import ScopedAdmin

from .models import GridNode


@admin.register(GridNode)
class GridNodeAdmin(ScopedAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
