"""The plan step: one household's rows, checked as a whole, become writes in the batch's Plan.

The checks run in order; each fails the rows it concerns (the row's errors are reported, the
row is not written) or settles part of the group: its grid node, the household it belongs to
(registered by 户编号 or by its people, or new), and then each row, created, changed or not.
An import never changes a household's head and never moves a family from a member's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiangzhi.grid.models import GridNode

from ...models import Household, Resident
from ..numbering import VILLAGE_LEVEL
from .cells import LABELS, Row
from .changes import Plan
from .lookup import Known, resident_of

if TYPE_CHECKING:
    from .run import RegistryImport

HEAD = Resident.Relation.HEAD


@dataclass
class Group:
    """One household's rows and what the checks have settled about them."""

    rows: list[Row]
    existing: dict[int, Resident | None]  # id(row) -> the registered person the row names
    head_row: Row | None
    number: str  # the household's 户编号, from its head's row (or its first row)
    grid_text: str
    node: GridNode | None = None
    household: Household | None = None

    def fail_all(self, key: str, message: str) -> None:
        for r in self.rows:
            r.fail(key, message)

    @property
    def head_existing(self) -> Resident | None:
        return self.existing[id(self.head_row)] if self.head_row is not None else None


def _relation_unknown(run: RegistryImport, rows: list[Row]) -> bool:
    """A row whose relation cannot be read: whose family the rows are cannot be known, so none
    of them is written."""
    unknown = next((r for r in rows if r.relation_unknown), None)
    if unknown is None:
        return False
    for r in rows:
        if r is not unknown:
            r.fail(
                "relation",
                f"第 {unknown.number} 行的与户主关系无法识别，不能确定这一户有哪些人，整户未导入",
            )
    run.report_errors(rows)
    return True


def _group(run: RegistryImport, rows: list[Row], known: Known) -> Group:
    head_row = next((r for r in rows if r.data.relation == HEAD), None)
    grid_row = head_row or rows[0]
    return Group(
        rows=rows,
        head_row=head_row,
        number=grid_row.household_number,
        grid_text=grid_row.grid or next((r.grid for r in rows if r.grid), ""),
        existing={id(r): resident_of(run, r, known) for r in rows},
    )


def _find_node(run: RegistryImport, group: Group) -> None:
    """The grid node the household is written under (its head's row says it, else any row)."""
    if not group.grid_text:
        unreadable = next((r for r in group.rows if r.failed_on("grid")), None)
        for r in group.rows:
            if not r.failed_on("grid"):
                r.fail(
                    "grid",
                    f"第 {unreadable.number} 行的所属网格无法读取，该户无法导入"
                    if unreadable
                    else "缺少所属网格，该户无法导入",
                )
        return
    node = run.node(group.grid_text)
    if isinstance(node, str):
        group.fail_all("grid", node)
    else:
        group.node = node


def _only_one_head(group: Group) -> None:
    for extra in [r for r in group.rows if r.data.relation == HEAD][1:]:
        extra.fail(
            "relation", f"同一户已有户主（第 {group.head_row.number} 行），一户只能有一个户主"
        )


def _household_by_number(run: RegistryImport, group: Group, known: Known) -> None:
    """The registered household of the group's 户编号 in the village (or one this import made)."""
    number, village = group.number, group.node.ancestor_path_at(2)
    # The household the group's registered people belong to, when it has this number: a 户编号
    # that is duplicated in the village still finds the family's own.
    own = {
        ex.household_id: ex.household
        for r in group.rows
        if (ex := group.existing[id(r)]) is not None
        and ex.household_id
        and ex.household.number == number
    }
    household = next(iter(own.values())) if len(own) == 1 else run.numbered.get((village, number))
    if household is None:
        same = [h for h in known.by_number.get(number, []) if h.node.path.startswith(village)]
        if same and not run.scope.can_write_path(same[0].node.path):
            group.fail_all("household_number", f"户编号 {number} 对应的户您只有查看权限")
            same = []
        household = same[0] if same else None
    group.household = household


def _other_head(group: Group, plan: Plan) -> str:
    """The name of the household's head when it is not the person of this head row (户编号
    that restart in each group's sheet would otherwise merge two families), else ""."""
    household, head_existing = group.household, group.head_existing
    if household.pk and household.head_id:
        if head_existing is not None and head_existing.pk == household.head_id:
            return ""
        return household.head.name
    first = plan.head_rows.get(id(household))
    if first is not None and first is not group.head_row:
        return first.data.name
    return ""


def _number_of_another_head(run: RegistryImport, group: Group, plan: Plan) -> bool:
    """Whether the 户编号 belongs to a household with another head: the group is refused."""
    if group.household is None or group.head_row is None:
        return False
    other = _other_head(group, plan)
    if not other:
        return False
    head_existing, number = group.head_existing, group.number
    if head_existing is not None and head_existing.household_id == group.household.pk:
        message = (
            f"该户在系统中的户主是 {other}，与本行不同；"
            "更换户主请在该户页面点“户主变更”办理，不能通过导入更换"
        )
    else:
        village_node = run.grid.node_at(group.node.ancestor_path_at(2))
        where = village_node.name if village_node is not None else ""
        group_name = group.head_row.sheet or "一组"
        message = (
            f"户编号 {number} 在{where}已是另一户（户主 {other}）的编号。如果是同一户，"
            f"请核对户主的身份证号；如果不是，请换一个户编号（例如加上组名：{group_name}-{number}）"
        )
    group.fail_all("household_number", message)
    run.report_errors(group.rows)
    return True


def _household_of_head(group: Group) -> None:
    """The household the head row's person heads; a member of another household is refused."""
    head = group.head_existing
    if head.household.head_id == head.pk:
        group.household = head.household
    else:
        group.head_row.fail(
            "relation",
            "该居民已是另一户的成员（不是户主）：如需改由此人当户主，请在该户页面点“户主变更”；"
            "如需分出去另立一户，请用“分户”",
        )


def _household_of_members(group: Group) -> None:
    """Rows that continue a household without its head row: the household of its members."""
    found = [ex for r in group.rows if (ex := group.existing[id(r)]) is not None]
    homes = {ex.household_id for ex in found}
    if len(homes) == 1 and None not in homes:
        group.household = found[0].household


def _new_household(run: RegistryImport, group: Group, plan: Plan) -> None:
    """A household to register: it needs a head row without errors, at a village or below, and
    a 户编号 that no other household of the village uses. Without an address it takes its grid's
    full name; without a 户编号, the village's next number (given in the write step)."""
    head_row, number, node = group.head_row, group.number, group.node
    if head_row is None or head_row.errors:
        why = (
            "该户没有“与户主关系”为户主的行"
            if head_row is None
            else f"该户的户主行（第 {head_row.number} 行）有错误"
        )
        for r in group.rows:
            if not r.errors:
                r.fail("relation", f"{why}，整户未导入")
    elif node.level < VILLAGE_LEVEL:
        group.fail_all(
            "grid",
            f"户只能登记在村（社区）或其下级网格，“{node.name}”是{node.level_name}，"
            "请把所属网格写到具体的村或网格",
        )
    elif number and any(
        p.startswith(node.ancestor_path_at(2)) for p in run.taken_numbers.get(number, [])
    ):
        group.fail_all("household_number", f"户编号 {number} 在本村已被另一户使用，请换一个户编号")
    else:
        group.household = plan.new_household(
            node=node,
            number=number,
            address=head_row.address
            or next((r.address for r in group.rows if r.address), "")
            or run.grid.full_name(node),
            row=head_row,
        )
        if number:
            run.numbered[(node.ancestor_path_at(2), number)] = group.household


def _household_changes(group: Group, plan: Plan) -> None:
    """A registered household changes (grid, address, number) only from a group without
    errors, and its grid only from its head's row: a member's row elsewhere in the sheet (a baby
    added at the bottom) must not move the family."""
    household, node = group.household, group.node
    if group.head_row is None and node.pk != household.node_id:
        group.fail_all(
            "grid",
            f"该户登记在“{household.node.name}”，与本行的所属网格不一致；"
            "户的所属网格请在户主那一行修改",
        )
    else:
        plan.household_changes(household, group.head_row, node, group.number)


def _head_changed(resident: Resident, row: Row) -> bool:
    """Whether the row says 户主 of a member or another relation of the household's head (the
    household's own head, loaded with the resident, not the relation column, which an older
    import may have left wrong)."""
    new = row.data.relation if "relation" in row.present and row.data.relation else None
    is_head = resident.household_id is not None and resident.household.head_id == resident.pk
    return new is not None and (new == Resident.Relation.HEAD) != is_head


def _plan_row(run: RegistryImport, group: Group, row: Row, plan: Plan) -> None:
    """One row of a checked group: a new resident, a change, or nothing (counted)."""
    household, ex = group.household, group.existing[id(row)]
    if ex is None:
        if household is None:
            return
        if run.kind == "residents" and "relation" not in row.present:
            run.report.error(
                row.number,
                LABELS["relation"],
                "表格没有“与户主关系”列：新登记的居民需要写明与户主的关系",
                row.sheet,
            )
            return
        plan.new_resident(household, row)
        run.report.created += 1
    elif household is not None and ex.household_id and ex.household_id != household.pk:
        run.report.error(
            row.number,
            row.labels["id_number"],
            f"该居民已登记在其他户（户编号 {ex.household.number or ex.household_id}），"
            "如需迁移请使用迁出/迁入或分户功能",
            row.sheet,
        )
    elif _head_changed(ex, row):
        # A sheet never changes who is 户主 (plan's rule): only 户主变更 does, with the others'
        # relations; a row that would make a member head, or the head a member, is refused.
        run.report.error(
            row.number,
            row.labels.get("relation", LABELS["relation"]),
            "更换户主请在该户页面点“户主变更”办理，不能通过导入更换",
            row.sheet,
        )
    else:
        changed = plan.resident_changes(ex, row)
        if run.kind == "households":
            changed = plan.household_row_changes(household, row) or changed
        if changed or (row is group.head_row and plan.household_touched(household)):
            run.report.updated += 1
        else:
            run.report.unchanged += 1


def plan_group(run: RegistryImport, rows: list[Row], known: Known, plan: Plan) -> None:
    """Check one household's rows and add what they would write to the plan."""
    if _relation_unknown(run, rows):
        return
    group = _group(run, rows, known)
    _find_node(run, group)
    _only_one_head(group)
    if group.number and group.node is not None:
        _household_by_number(run, group, known)
        if _number_of_another_head(run, group, plan):
            return
    head = group.head_existing
    if group.household is None and head is not None and head.household_id:
        _household_of_head(group)
    if group.household is None and group.head_row is None:
        _household_of_members(group)
    household = group.household
    if household is None and group.node is not None:
        _new_household(run, group, plan)
    elif (
        household is not None
        and household.pk
        and group.node is not None
        and not any(r.errors for r in rows)
    ):
        _household_changes(group, plan)
    for r in rows:
        if r.errors:
            run.report_errors([r])
        else:
            _plan_row(run, group, r, plan)
