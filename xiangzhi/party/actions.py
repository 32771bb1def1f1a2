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


LEGACY = {
    "party_member.register": PartyAction.PARTY_MEMBER_REGISTER,
    "party_member.update": PartyAction.PARTY_MEMBER_UPDATE,
}
