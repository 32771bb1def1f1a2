"""The audit actions core writes itself (the naming rule for every app: `app.entity_action`)."""

from .registry import AuditAction


class CoreAction(AuditAction):
    AUDIT_EXPORT = "core.audit_export", "导出审计日志", "xiangzhi.core.views.audit_export"
    AUDIT_CHECKPOINT_CREATE = (
        "core.audit_checkpoint_create",
        "签署审计检查点",
        "xiangzhi.core.checkpoint_tasks.audit_checkpoint_write",
    )
    AUDIT_CHECKPOINT_DOWNLOAD = (
        "core.audit_checkpoint_download",
        "下载审计检查点",
        "xiangzhi.core.checkpoint_views.audit_checkpoint_download",
    )
    AUDIT_KEY_ROTATE = (
        "core.audit_key_rotate",
        "更换审计签名密钥",
        "xiangzhi.core.management.commands.audit_checkpoint.Command.handle",
    )
    CONFIG_CREATE = "core.config_create", "新增配置", "xiangzhi.core.admin.ConfigAdmin.save_model"
    CONFIG_UPDATE = "core.config_update", "修改配置", "xiangzhi.core.admin.ConfigAdmin.save_model"
    CONFIG_DELETE = (
        "core.config_delete",
        "删除配置",
        "xiangzhi.core.admin.WorkdayOverrideAdmin.delete_model",
    )
    DATA_KEYS_ROTATE = (
        "core.data_keys_rotate",
        "轮换个人信息密钥",
        "xiangzhi.core.management.commands.rotate_data_keys.Command.handle",
    )
    IMPORT_JOB_CREATE = (
        "core.import_job_create",
        "上传导入表格",
        "xiangzhi.core.sheets.jobs.import_job_create",
    )
    IMPORT_JOB_CONFIRM = (
        "core.import_job_confirm",
        "确认导入",
        "xiangzhi.core.sheets.jobs.import_job_confirm",
    )
    NOTIFICATION_READ = (
        "core.notification_read",
        "标记消息已读",
        "xiangzhi.core.notify.notification_read",
    )
    NOTIFICATION_READ_ALL = (
        "core.notification_read_all",
        "全部消息标记已读",
        "xiangzhi.core.notify.notification_read_all",
    )
    WEBHOOK_DELIVERY_RETRY = (
        "core.webhook_delivery_retry",
        "重新推送消息",
        "xiangzhi.core.webhooks.webhook_delivery_retry",
    )


LEGACY = {
    "export.audit": CoreAction.AUDIT_EXPORT,
    "config.create": CoreAction.CONFIG_CREATE,
    "config.update": CoreAction.CONFIG_UPDATE,
    "crypto.rotate_data_keys": CoreAction.DATA_KEYS_ROTATE,
    "import_job.create": CoreAction.IMPORT_JOB_CREATE,
    "import_job.confirm": CoreAction.IMPORT_JOB_CONFIRM,
}
