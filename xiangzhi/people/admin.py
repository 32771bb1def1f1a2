from django.contrib import admin

from xiangzhi.core.admin import ConfigAdmin, ScopedAdmin

from .models import Household, Resident, Tag


@admin.register(Tag)
class TagAdmin(ConfigAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["departments"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["number", "address", "node", "status"]
    search_fields = ["address", "number"]


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    list_display = ["name", "gender", "birth_date", "node", "status"]
    search_fields = ["name", "name_pinyin"]
    exclude = ["id_number", "phone"]
