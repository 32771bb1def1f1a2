"""The audit actions of the party app."""

from xiangzhi.core.registry import AuditAction


class PartyAction(AuditAction):
    PARTY_MEMBER_REGISTER = (
        "party.party_member_register",
        "登记党员",
        "xiangzhi.party.services.party_member_register",
    )
    PARTY_MEMBER_UPDATE = (
        "party.party_member_update",
        "修改党员信息",
        "xiangzhi.party.services.party_member_update",
    )
    PARTY_MEMBER_EXPORT = (
        "party.party_member_export",
        "导出党员花名册",
        "xiangzhi.core.sheets.export.sheet_export",
    )

    CONTACT_LINK_ADD = (
        "party.contact_link_add",
        "指定党员联系户",
        "xiangzhi.party.services.contact_link_add",
    )
    CONTACT_LINK_END = (
        "party.contact_link_end",
        "结束党员联系户",
        "xiangzhi.party.services.contact_link_end",
    )
    CONTACT_LINK_IMPORT = (
        "party.contact_link_import",
        "导入党员联系户",
        "xiangzhi.core.sheets.engine.sheet_import",
    )
    CONTACT_LINK_EXPORT = (
        "party.contact_link_export",
        "导出党员联系户表",
        "xiangzhi.core.sheets.export.sheet_export",
    )
    CONTACT_SETTINGS_UPDATE = (
        "party.contact_settings_update",
        "修改联系户设置",
        "xiangzhi.party.services.contact_settings_update",
    )
    VISIT_RECORD = (
        "party.visit_record",
        "记录入户走访",
        "xiangzhi.party.services.visit_record",
    )
    VISIT_EXPORT = (
        "party.visit_export",
        "导出走访台账",
        "xiangzhi.core.sheets.export.sheet_export",
    )
    NEED_TAKE = (
        "party.need_take",
        "转办走访诉求",
        "xiangzhi.party.services.need_take",
    )
    NEED_CLOSE = (
        "party.need_close",
        "办结走访诉求",
        "xiangzhi.party.services.need_close",
    )


LEGACY = {
    "party_member.register": PartyAction.PARTY_MEMBER_REGISTER,
    "party_member.update": PartyAction.PARTY_MEMBER_UPDATE,
}
