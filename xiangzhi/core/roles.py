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
# Roles that run the accounts of their subtree: create, reset, deactivate, bind roles.
ACCOUNT_ADMIN_ROLES = {Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF, Role.VILLAGE_SECRETARY}
# The rank of each role: nobody grants a role ranked above the highest role they hold on a node
# covering the node the role is bound to, nor manages an account that holds one. Department staff
# and auditors rank with the township staff, so only the township grants them (a village must not
# appoint its own 纪检 auditor nor a township department's staff).
ROLE_RANK = {
    Role.CHIEF_GRID_LEADER: 60,
    Role.TOWNSHIP_STAFF: 50,
    Role.DEPARTMENT_STAFF: 50,
    Role.AUDITOR: 50,
    Role.VILLAGE_SECRETARY: 40,
    Role.VILLAGE_CADRE: 30,
    Role.GRID_WORKER: 20,
    Role.GROUP_LEADER: 20,
    Role.PARTY_MEMBER: 10,
    Role.VILLAGER: 10,
}
# The workbench (工作台) shows each group of roles its own panels (core.workbench.Desk).
# Leaders and cadres: to-dos, the month's changes, the groups they follow and the subtree's chart.
CADRE_ROLES = {
    Role.CHIEF_GRID_LEADER,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_CADRE,
}
# Field roles: the households of their grids and what changed there.
FIELD_ROLES = {Role.GRID_WORKER, Role.GROUP_LEADER}
# Roles that act for their own household.
HOUSEHOLD_ROLES = {Role.VILLAGER, Role.PARTY_MEMBER}
# Who sees a subtree's figures on the workbench: the cadres and the read-only auditors.
AUDITOR_AND_CADRE_ROLES = CADRE_ROLES | {Role.AUDITOR}
