"""The audit actions of the points app."""

from xiangzhi.core.registry import AuditAction, AuditKey

_RULES = "xiangzhi.points.services.rules"
_CLAIMS = "xiangzhi.points.services.claims"
_LEDGER = "xiangzhi.points.services.ledger"
_FOLLOW = "xiangzhi.points.services.follow"
_IMP = "xiangzhi.core.sheets.engine.sheet_import"
_EXP = "xiangzhi.core.sheets.export.sheet_export"


class PointsAction(AuditAction):
    POLICY_SET = "points.policy_set", "设置积分制度", f"{_RULES}.policy_set"
    RULE_CREATE = "points.rule_create", "新增积分规则", f"{_RULES}.rule_create"
    RULE_REVISE = "points.rule_revise", "修改积分规则", f"{_RULES}.rule_revise"
    RULE_RETIRE = "points.rule_retire", "停用积分规则", f"{_RULES}.rule_retire"
    CLAIM_SUBMIT = "points.claim_submit", "提交积分申报", f"{_CLAIMS}.claim_submit"
    CLAIM_RECORD = "points.claim_record", "登记积分", f"{_CLAIMS}.claim_record"
    CLAIM_BATCH = "points.claim_batch", "活动批量登记积分", f"{_CLAIMS}.claim_record_batch"
    CLAIM_APPROVE = "points.claim_approve", "审核通过并公示", f"{_CLAIMS}.claim_approve"
    CLAIM_REJECT = "points.claim_reject", "审核不通过", f"{_CLAIMS}.claim_reject"
    CLAIM_WITHDRAW = "points.claim_withdraw", "撤回积分申报", f"{_CLAIMS}.claim_withdraw"
    CLAIM_FINALIZE = "points.claim_finalize", "公示期满生效", f"{_CLAIMS}.claim_finalize"
    CLAIM_RETURN = "points.claim_return", "公示期满未能生效，退回审核", f"{_CLAIMS}.claim_finalize"
    OBJECTION_RAISE = "points.objection_raise", "提出异议", f"{_CLAIMS}.objection_raise"
    ENTRY_POST = "points.entry_post", "记入积分明细", f"{_LEDGER}.entry_post"
    ENTRY_REVERSE = "points.entry_reverse", "冲正积分明细", f"{_LEDGER}.entry_reverse"
    BALANCE_FIX = "points.balance_fix", "校正积分余额", f"{_LEDGER}.balances_fix"
    ACCOUNT_FOLLOW = (
        "points.account_follow",
        "个人积分账户随分户转入新户",
        f"{_FOLLOW}.person_accounts_follow",
    )
    CLAIM_FOLLOW = (
        "points.claim_follow",
        "待审核的个人积分申报随分户转入新户",
        f"{_FOLLOW}.person_accounts_follow",
    )
    LEDGER_IMPORT = "points.ledger_import", "导入历史积分台账", _IMP
    LEDGER_EXPORT = "points.ledger_export", "导出积分明细", _EXP
    RULE_EXPORT = "points.rule_export", "导出积分规则", _EXP


_STORE = "xiangzhi.points.services.store"


class StoreAction(AuditAction):
    """The points store's and the public lists' actions (issue 14, points 4 and 5)."""

    REWARD_CREATE = "points.reward_create", "积分超市上架商品", f"{_STORE}.reward_create"
    REWARD_UPDATE = "points.reward_update", "修改积分超市商品", f"{_STORE}.reward_update"
    REDEMPTION_CREATE = "points.redemption_create", "积分兑换", f"{_STORE}.redemption_create"
    BOARD_SETTING_UPDATE = (
        "points.board_setting_update",
        "修改积分公示设置",
        f"{_STORE}.board_setting_update",
    )


# What points' events write besides the fields of their records, named for the audit page.
AUDIT_KEYS = {
    "objections": AuditKey("答复的异议（编号）"),
    "balance_after": AuditKey("兑换后余额"),
}
