"""The roles of DOMAIN.md and what each may do; the only place these sets are written down."""

from django.db import models


class Role(models.TextChoices):
    CHIEF_GRID_LEADER = "chief_grid_leader", "总网格长（镇党委书记）"
    TOWNSHIP_STAFF = "township_staff", "镇干部/包片领导"
    DEPARTMENT_STAFF = "department_staff", "部门人员"
    VILLAGE_SECRETARY = "village_secretary", "村（社区）党组织书记"
    VILLAGE_CADRE = "village_cadre", "村“两委”干部"
    GRID_WORKER = "grid_worker", "网格员"
    GROUP_LEADER = "group_leader", "屋场党小组长"
    PARTY_MEMBER = "party_member", "党员"
    VILLAGER = "villager", "村（居）民"
    AUDITOR = "auditor", "审计/纪检（只读）"


# Roles whose binding to a node lets them see that node's subtree.
NODE_ROLES = {
    Role.CHIEF_GRID_LEADER,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.GROUP_LEADER,
    Role.AUDITOR,
}
# Roles that may change the registry and the grid within their subtree.
WRITE_ROLES = {
    Role.CHIEF_GRID_LEADER,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
}
# Roles that may change the grid's structure (create, rename, move nodes, assign people).
GRID_ADMIN_ROLES = {Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF, Role.VILLAGE_SECRETARY}
# Roles that may reveal a masked ID number or phone, with a stated purpose, audited.
REVEAL_ROLES = {
    Role.CHIEF_GRID_LEADER,
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
}
# Roles that may read the audit trail of their subtree.
AUDIT_ROLES = {Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF, Role.AUDITOR}
