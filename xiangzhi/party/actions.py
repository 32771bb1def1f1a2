"""The audit actions of the party app."""

from xiangzhi.core.registry import AuditAction, AuditKey


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
    VISIT_PHOTOS_ADD = (
        "party.visit_photos_add",
        "补传走访照片",
        "xiangzhi.party.services.visit_photos_add",
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


# Posts, organisational life, hamlet talks and transfers (issue 13, points 4-7).
_S = "xiangzhi.party.services."


class OrgLifeAction(AuditAction):
    POST_CREATE = "party.post_create", "新增党员岗位", _S + "post_create"
    POST_DEFAULTS_ADD = "party.post_defaults_add", "添加默认岗位", _S + "post_defaults_add"
    POST_ASSIGN = "party.post_assign", "党员认岗", _S + "post_assign"
    POST_ASSIGNMENT_END = "party.post_assignment_end", "党员离岗", _S + "post_assignment_end"
    POST_ENTRY_RECORD = "party.post_entry_record", "记录履职情况", _S + "post_entry_record"
    MEETING_PLAN = "party.meeting_plan", "安排组织生活会议", _S + "meeting_plan"
    MEETING_PLAN_YEAR = "party.meeting_plan_year", "生成全年会议计划", _S + "meeting_plan_year"
    MEETING_RECORD = "party.meeting_record", "记录会议召开情况", _S + "meeting_record"
    MEETING_CANCEL = "party.meeting_cancel", "取消会议", _S + "meeting_cancel"
    MEETING_ATTACHMENT_DELETE = (
        "party.meeting_attachment_delete",
        "删除会议附件",
        _S + "meeting_attachment_delete",
    )
    MEETING_EXPORT = (
        "party.meeting_export",
        "导出三会一课台账",
        "xiangzhi.core.sheets.export.sheet_export",
    )
    HAMLET_TALK_RECORD = "party.hamlet_talk_record", "记录屋场恳谈会", _S + "hamlet_talk_record"
    OPINION_ADD = "party.opinion_add", "记录恳谈意见", _S + "opinion_add"
    OPINION_RESOLVE = "party.opinion_resolve", "处理恳谈意见", _S + "opinion_resolve"
    OPINION_TAKE = "party.opinion_take", "承接恳谈意见", _S + "opinion_take"
    TRANSFER_IN = (
        "party.party_member_transfer_in",
        "党员组织关系转入",
        _S + "party_member_transfer_in",
    )
    TRANSFER_OUT = (
        "party.party_member_transfer_out",
        "党员组织关系转出",
        _S + "party_member_transfer_out",
    )


# What party's events write besides the fields of their records, named for the audit page.
AUDIT_KEYS = {
    "present": AuditKey("出席人数"),
    "leave": AuditKey("请假人数"),
    "absent": AuditKey("缺席人数"),
    "needs": AuditKey("提出的需求（条）"),
    "follow_ups_done": AuditKey("完成的跟进走访（次）"),
    "organisation": AuditKey("编入党组织", "grid.GridNode"),
    "posts": AuditKey("设立的岗位"),
    "year": AuditKey("年度"),
    "attachments": AuditKey("上传的附件（个）"),
    "attachment": AuditKey("删除的附件"),
}
