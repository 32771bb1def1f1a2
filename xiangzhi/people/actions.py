"""The audit actions of the registry (户籍与居民)."""

from xiangzhi.core.registry import AuditAction, AuditKey

_REG = "xiangzhi.people.services.registry"
# The summary event of an import is written by core's engine, each record's by the write step;
# exports by core's sheet_export.
_IMP = "xiangzhi.core.sheets.engine.sheet_import"
_WRITE = "xiangzhi.people.services.imports.write.write_plan"
_EXP = "xiangzhi.core.sheets.export.sheet_export"
_CHG = "xiangzhi.people.services.household_changes"


class PeopleAction(AuditAction):
    HOUSEHOLD_REGISTER = "people.household_register", "登记新户", f"{_REG}.household_register"
    HOUSEHOLD_UPDATE = "people.household_update", "修改户信息", f"{_REG}.household_update"
    HOUSEHOLD_SPLIT = "people.household_split", "分户", f"{_CHG}.household_split"
    HOUSEHOLD_HEAD_CHANGE = (
        "people.household_head_change",
        "户主变更",
        f"{_CHG}.household_change_head",
    )
    HOUSEHOLD_RELATIONS_CHANGE = (
        "people.household_relations_change",
        "调整与户主关系",
        f"{_CHG}.household_change_head",
    )
    RESIDENT_BIRTH = "people.resident_birth", "出生登记", f"{_REG}.resident_add"
    RESIDENT_MOVE_IN = "people.resident_move_in", "迁入登记", f"{_REG}.resident_add"
    RESIDENT_MOVE_OUT = "people.resident_move_out", "迁出登记", f"{_REG}.resident_move_out"
    RESIDENT_DEATH = "people.resident_death", "死亡登记", f"{_REG}.resident_record_death"
    RESIDENT_UPDATE = "people.resident_update", "修改居民信息", f"{_REG}.resident_update"
    RESIDENT_REVEAL = "people.resident_reveal", "查看完整个人信息", f"{_REG}.resident_reveal"
    RESIDENT_NUMBER_SEARCH = (
        "people.resident_number_search",
        "按证件号码或尾号查询",
        f"{_REG}.resident_number_search",
    )
    RESIDENT_IMPORT = "people.resident_import", "导入居民花名册", _IMP
    HOUSEHOLD_IMPORT = "people.household_import", "导入户籍台账", _IMP
    RESIDENT_IMPORT_CREATE = "people.resident_import_create", "表格导入新居民", _WRITE
    RESIDENT_IMPORT_UPDATE = "people.resident_import_update", "表格导入更新居民", _WRITE
    HOUSEHOLD_IMPORT_CREATE = "people.household_import_create", "表格导入新户", _WRITE
    HOUSEHOLD_IMPORT_UPDATE = "people.household_import_update", "表格导入更新户", _WRITE
    RESIDENT_EXPORT = "people.resident_export", "导出居民花名册", _EXP
    HOUSEHOLD_EXPORT = "people.household_export", "导出户籍台账", _EXP
    HOUSEHOLD_CHANGE_EXPORT = "people.household_change_export", "导出人口变动台账", _EXP

    @classmethod
    def for_change(cls, kind: str) -> "PeopleAction":
        """The action of a resident's arrival or departure (birth, move_in, move_out, death)."""
        return cls(f"people.resident_{kind}")


LEGACY = {
    "household.register": PeopleAction.HOUSEHOLD_REGISTER,
    "household.update": PeopleAction.HOUSEHOLD_UPDATE,
    "household.split": PeopleAction.HOUSEHOLD_SPLIT,
    "household.head_change": PeopleAction.HOUSEHOLD_HEAD_CHANGE,
    "household.relations": PeopleAction.HOUSEHOLD_RELATIONS_CHANGE,
    "resident.birth": PeopleAction.RESIDENT_BIRTH,
    "resident.move_in": PeopleAction.RESIDENT_MOVE_IN,
    "resident.move_out": PeopleAction.RESIDENT_MOVE_OUT,
    "resident.death": PeopleAction.RESIDENT_DEATH,
    "resident.update": PeopleAction.RESIDENT_UPDATE,
    "resident.reveal": PeopleAction.RESIDENT_REVEAL,
    "import.residents": PeopleAction.RESIDENT_IMPORT,
    "import.households": PeopleAction.HOUSEHOLD_IMPORT,
    "resident.import_create": PeopleAction.RESIDENT_IMPORT_CREATE,
    "resident.import_update": PeopleAction.RESIDENT_IMPORT_UPDATE,
    "household.import_create": PeopleAction.HOUSEHOLD_IMPORT_CREATE,
    "household.import_update": PeopleAction.HOUSEHOLD_IMPORT_UPDATE,
    "export.residents": PeopleAction.RESIDENT_EXPORT,
    "export.households": PeopleAction.HOUSEHOLD_EXPORT,
    "export.changes": PeopleAction.HOUSEHOLD_CHANGE_EXPORT,
}

# What people's events write besides model fields, named for the audit page.
AUDIT_KEYS = {
    "members": AuditKey("分出的成员", "people.Resident"),
    "new_household": AuditKey("新户", "people.Household"),
    "new_head": AuditKey("新户主", "people.Resident"),
    "relations": AuditKey("与户主关系", "people.Resident", "people.Resident.relation"),
    "query": AuditKey("查询内容"),
    # The change that ended a resident's own account (registry._leave passes its kind).
    "accounts.user_leave:reason": AuditKey("原因", choices="people.HouseholdChange.kind"),
    # A move-out's destination and reason, a death's cause: codes of the change's lists.
    "people.resident_move_out:destination": AuditKey(
        "迁往", choices="people.HouseholdChange.destination"
    ),
    "people.resident_move_out:reason": AuditKey(
        "迁出原因", choices="people.HouseholdChange.reason"
    ),
    "people.resident_death:reason": AuditKey("死亡原因", choices="people.HouseholdChange.reason"),
}
