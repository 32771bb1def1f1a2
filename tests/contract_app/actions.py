from xiangzhi.core.registry import AuditAction

_S = "tests.contract_app.services"


class ContractAction(AuditAction):
    NOTICE_POST = "contract.notice_post", "张贴便签", f"{_S}.notice_post"
    NOTICE_UPDATE = "contract.notice_update", "修改便签", f"{_S}.notice_update"
    NOTICE_IMPORT = "contract.notice_import", "导入便签表", "xiangzhi.core.sheets.sheet_import"
    NOTICE_EXPORT = "contract.notice_export", "导出便签表", "xiangzhi.core.sheets.sheet_export"
