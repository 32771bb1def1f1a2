from django.contrib import admin

from xiangzhi.core.admin import ScopedAdmin

from .models import PartyMember


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ["resident", "category", "joined_on", "organisation"]
    list_filter = ["category"]
