"""The audit actions of the appeals app: one per step of the workflow, and the sheets."""

from xiangzhi.core.registry import AuditAction, AuditKey


class AppealAction(AuditAction):
    # appeal_from_need records APPEAL_SUBMIT (and party's own need_take event).
    APPEAL_SUBMIT = (
        "appeals.appeal_submit",
        "提出诉求",
        "xiangzhi.appeals.services.appeal_submit",
    )
    APPEAL_ACCEPT = (
        "appeals.appeal_accept",
        "受理诉求",
        "xiangzhi.appeals.services.appeal_accept",
    )
    APPEAL_ASSIGN = (
        "appeals.appeal_assign",
        "交办诉求",
        "xiangzhi.appeals.services.appeal_assign",
    )
    APPEAL_DISPATCH = (
        "appeals.appeal_dispatch",
        "派单到部门",
        "xiangzhi.appeals.services.appeal_dispatch",
    )
    APPEAL_START = (
        "appeals.appeal_start",
        "开始办理诉求",
        "xiangzhi.appeals.services.appeal_start",
    )
    APPEAL_REPLY = (
        "appeals.appeal_reply",
        "答复诉求",
        "xiangzhi.appeals.services.appeal_reply",
    )
    APPEAL_RATE = (
        "appeals.appeal_rate",
        "评价诉求办理结果",
        "xiangzhi.appeals.services.appeal_rate",
    )
    APPEAL_FOLLOW_UP = (
        "appeals.appeal_follow_up",
        "登记回访评价",
        "xiangzhi.appeals.services.appeal_follow_up",
    )
    APPEAL_CLOSE = (
        "appeals.appeal_close",
        "办结诉求",
        "xiangzhi.appeals.services.appeal_close",
    )
    APPEAL_REOPEN = (
        "appeals.appeal_reopen",
        "重新办理诉求",
        "xiangzhi.appeals.services.appeal_reopen",
    )
    APPEAL_TRANSFER = (
        "appeals.appeal_transfer",
        "转办诉求",
        "xiangzhi.appeals.services.appeal_transfer",
    )
    APPEAL_ESCALATE = (
        "appeals.appeal_escalate",
        "上报诉求到上级网格",
        "xiangzhi.appeals.services.appeal_escalate",
    )
    APPEAL_MERGE = (
        "appeals.appeal_merge",
        "合并重复诉求",
        "xiangzhi.appeals.services.appeal_merge",
    )
    APPEAL_SUPERVISE = (
        "appeals.appeal_supervise",
        "督办诉求",
        "xiangzhi.appeals.services.appeal_supervise",
    )
    APPEAL_COMMENT = (
        "appeals.appeal_comment",
        "填写诉求办理记录",
        "xiangzhi.appeals.services.appeal_comment",
    )
    APPEAL_REMIND = (
        "appeals.appeal_remind",
        "诉求临期提醒",
        "xiangzhi.appeals.services.appeal_deadline_sweep",
    )
    APPEAL_OVERDUE = (
        "appeals.appeal_overdue",
        "诉求超期",
        "xiangzhi.appeals.services.appeal_deadline_sweep",
    )
    APPEAL_EXPORT = (
        "appeals.appeal_export",
        "导出诉求台账",
        "xiangzhi.core.sheets.export.sheet_export",
    )
    APPEAL_IMPORT = (
        "appeals.appeal_import",
        "导入历史诉求",
        "xiangzhi.appeals.services.appeal_import",
    )


# What appeals' events write besides the fields of their records, named for the audit page.
AUDIT_KEYS = {
    "via": AuditKey("评价方式", choices="appeals.AppealRating.via"),
    "parties": AuditKey("当事人（人）"),
    "days": AuditKey("延长天数"),
}
