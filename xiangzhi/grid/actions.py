"""The audit actions of the grid."""

from xiangzhi.core.registry import AuditAction, AuditKey


class GridAction(AuditAction):
    NODE_CREATE = "grid.node_create", "新建网格", "xiangzhi.grid.services.node_create"
    NODE_UPDATE = "grid.node_update", "修改网格", "xiangzhi.grid.services.node_update"
    NODE_MOVE = "grid.node_move", "调整上级网格", "xiangzhi.grid.services.node_move"
    NODE_EXPORT = "grid.node_export", "导出网格汇总表", "xiangzhi.grid.views.node_export"


LEGACY = {"export.grid": GridAction.NODE_EXPORT}

# What grid's events write besides model fields: the new parent's id is shown by name already.
AUDIT_KEYS = {"parent_id": AuditKey("")}
