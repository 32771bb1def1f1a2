"""The audit actions of the demo app."""

from xiangzhi.core.registry import AuditAction


class DemoAction(AuditAction):
    SEED_LOAD = (
        "demo.seed_load",
        "载入演示数据",
        "xiangzhi.demo.management.commands.seed_demo.Command.handle",
    )


LEGACY = {"seed_demo.load": DemoAction.SEED_LOAD}
