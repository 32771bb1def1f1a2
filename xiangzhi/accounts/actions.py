"""The audit actions of accounts."""

from xiangzhi.core.registry import AuditAction, AuditKey


class AccountsAction(AuditAction):
    USER_LOGIN = "accounts.user_login", "登录", "xiangzhi.accounts.signals.on_login"
    USER_LOGIN_FAILED = (
        "accounts.user_login_failed",
        "登录失败",
        "xiangzhi.accounts.signals.on_login_failed",
    )
    USER_LOGIN_LOCKED = (
        "accounts.user_login_locked",
        "登录被锁定拒绝",
        "xiangzhi.accounts.signals.on_login_failed",
    )
    USER_ELDER_MODE = (
        "accounts.user_elder_mode",
        "切换长辈模式",
        "xiangzhi.accounts.services.user_set_elder_mode",
    )
    ROLE_ASSIGN = "accounts.role_assign", "分配角色", "xiangzhi.accounts.services.role_assign"
    API_TOKEN_CREATE = (
        "accounts.api_token_create",
        "创建接口令牌",
        "xiangzhi.accounts.services.api_token_create",
    )
    USER_SESSIONS_END = (
        "accounts.user_sessions_end",
        "退出所有设备的登录",
        "xiangzhi.accounts.services.user_sessions_end",
    )
    USER_PASSWORD_CHANGE = (
        "accounts.user_password_change",
        "修改密码",
        "xiangzhi.accounts.signals.on_user_saved",
    )
    USER_LEAVE = (
        "accounts.user_leave",
        "本人迁出或去世，停用村民/党员账号",
        "xiangzhi.accounts.services.user_leave",
    )
    HOUSEHOLD_ROLES_FOLLOW = (
        "accounts.household_roles_follow",
        "本户迁到其他网格，村民/党员角色随户改绑",
        "xiangzhi.accounts.services.household_roles_follow",
    )
    PARTY_ROLE_SET = (
        "accounts.party_role_set",
        "组织关系转出或转入，账号在党员与村民之间转换",
        "xiangzhi.accounts.services.party_role_set",
    )
    API_TOKEN_REVOKE = (
        "accounts.api_token_revoke",
        "停用接口令牌",
        "xiangzhi.accounts.services.api_token_revoke",
    )
    ACCOUNT_CREATE = (
        "accounts.account_create",
        "创建账号",
        "xiangzhi.accounts.services.org_accounts.account_create",
    )
    ACCOUNTS_BULK_CREATE = (
        "accounts.accounts_bulk_create",
        "批量创建党员账号",
        "xiangzhi.accounts.services.org_accounts.party_member_accounts_create",
    )
    ACCOUNT_PASSWORD_RESET = (
        "accounts.account_password_reset",
        "重置密码",
        "xiangzhi.accounts.services.org_accounts.account_password_reset",
    )
    ACCOUNT_DEACTIVATE = (
        "accounts.account_deactivate",
        "停用账号",
        "xiangzhi.accounts.services.org_accounts.account_deactivate",
    )
    ACCOUNT_REACTIVATE = (
        "accounts.account_reactivate",
        "启用账号",
        "xiangzhi.accounts.services.org_accounts.account_reactivate",
    )
    ROLE_REVOKE = (
        "accounts.role_revoke",
        "取消角色",
        "xiangzhi.accounts.services.org_accounts.role_revoke",
    )


LEGACY = {
    "auth.login": AccountsAction.USER_LOGIN,
    "auth.login_failed": AccountsAction.USER_LOGIN_FAILED,
    "user.elder_mode": AccountsAction.USER_ELDER_MODE,
    "role.assign": AccountsAction.ROLE_ASSIGN,
    "api_token.create": AccountsAction.API_TOKEN_CREATE,
    "api_token.revoke": AccountsAction.API_TOKEN_REVOKE,
}
# Written by a service that no longer exists (user_create had no caller): label only.
RETIRED = {"user.create": "创建账号"}

# What accounts' events write besides model fields, named for the audit page.
AUDIT_KEYS = {
    "roles_removed": AuditKey("撤销的角色", choices="accounts.RoleAssignment.role", many=True),
    "deactivated": AuditKey("停用账号"),
    "needs_review": AuditKey("需要镇里复核"),
    "lock_cleared": AuditKey("解除登录锁定"),
    "person_id": AuditKey("关联的居民", "people.Resident"),
    "bound_node": AuditKey("角色所在网格", "grid.GridNode"),
}
