"""The audit actions of the service menu, disputes, petitions, routing and Open311.

Kept apart from actions.py (the appeal workflow's) so the two grow without colliding."""

from xiangzhi.core.registry import AuditAction


class AppealServiceAction(AuditAction):
    SERVICE_OFFERING_PUBLISH = (
        "appeals.service_offering_publish",
        "发布菜单式服务",
        "xiangzhi.appeals.services.menu.service_offering_publish",
    )
    SERVICE_OFFERING_UPDATE = (
        "appeals.service_offering_update",
        "修改菜单式服务",
        "xiangzhi.appeals.services.menu.service_offering_update",
    )
    SERVICE_REQUEST_SUBMIT = (
        "appeals.service_request_submit",
        "申请菜单式服务",
        "xiangzhi.appeals.services.menu.service_request_submit",
    )
    DISPUTE_REGISTER = (
        "appeals.dispute_register",
        "登记矛盾纠纷",
        "xiangzhi.appeals.services.disputes.dispute_register",
    )
    DISPUTE_SESSION_RECORD = (
        "appeals.dispute_session_record",
        "记录调解",
        "xiangzhi.appeals.services.disputes.dispute_session_record",
    )
    DISPUTE_SETTLE = (
        "appeals.dispute_settle",
        "纠纷达成调解协议",
        "xiangzhi.appeals.services.disputes.dispute_settle",
    )
    DISPUTE_FAIL = (
        "appeals.dispute_fail",
        "纠纷调解不成",
        "xiangzhi.appeals.services.disputes.dispute_fail",
    )
    DISPUTE_FOLLOW_UP = (
        "appeals.dispute_follow_up",
        "纠纷回访结案",
        "xiangzhi.appeals.services.disputes.dispute_follow_up",
    )
    PETITION_REGISTER = (
        "appeals.petition_register",
        "登记信访事项",
        "xiangzhi.appeals.services.petitions.petition_register",
    )
    PETITION_ACCEPT = (
        "appeals.petition_accept",
        "受理信访事项",
        "xiangzhi.appeals.services.petitions.petition_accept",
    )
    PETITION_REFUSE = (
        "appeals.petition_refuse",
        "不予受理信访事项",
        "xiangzhi.appeals.services.petitions.petition_refuse",
    )
    PETITION_EXTEND = (
        "appeals.petition_extend",
        "信访事项延期",
        "xiangzhi.appeals.services.petitions.petition_extend",
    )
    PETITION_FINISH = (
        "appeals.petition_finish",
        "信访事项办结",
        "xiangzhi.appeals.services.petitions.petition_finish",
    )
    ROUTING_MODEL_TRAIN = (
        "appeals.routing_model_train",
        "训练分派模型",
        "xiangzhi.appeals.services.routing.routing_model_train",
    )
    OPEN311_KEY_ISSUE = (
        "appeals.api_key_issue",
        "签发Open311密钥",
        "xiangzhi.appeals.services.open311.open311_key_issue",
    )
    OPEN311_KEY_REVOKE = (
        "appeals.api_key_revoke",
        "吊销Open311密钥",
        "xiangzhi.appeals.services.open311.open311_key_revoke",
    )
