"""Write a residents roster of N rows (households of 1-6 people) for the import benchmark, placed
in the demo town's grid; IDs use another region code so they never collide with the seed."""

from __future__ import annotations

import sys

from common import setup


def main(database_url: str, out: str, rows: int) -> None:
    setup(database_url)
    import datetime as dt

    from openpyxl import Workbook

    from xiangzhi.accounts.models import User
    from xiangzhi.core.synthetic import Synth
    from xiangzhi.grid.labels import grid_labels
    from xiangzhi.grid.models import GridNode

    admin = User.objects.get(username="demo_admin")
    labels = grid_labels(actor=admin)
    grids = [labels[p] for p in GridNode.objects.filter(level=5).values_list("path", flat=True)]
    synth = Synth(99, region="430522")
    rng, today = synth.rng, dt.date(2026, 1, 1)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "联系电话",
            "与户主关系",
            "户编号",
            "家庭住址",
            "所属网格",
            "备注",
        ]
    )
    n = 0
    h = 0
    while n < rows:
        h += 1
        grid = rng.choice(grids)
        surname = synth.surname()
        size = min(rows - n, rng.choice([1, 2, 3, 3, 4, 4, 5, 6]))
        for i in range(size):
            rel = "户主" if i == 0 else rng.choice(["配偶", "子", "女", "孙子"])
            gender = rng.choice("MF")
            birth = synth.birth_date(1 if i else 25, 80, today)
            n += 1
            ws.append(
                [
                    n,
                    surname + synth.given(),
                    "男" if gender == "M" else "女",
                    birth.isoformat(),
                    synth.id_number(birth, gender),
                    synth.phone() if rng.random() < 0.7 else "",
                    rel,
                    f"B{h:06d}",
                    f"{grid.split('/')[-1][:-3]}{rng.randint(1, 99)}号" if i == 0 else "",
                    grid,
                    "",
                ]
            )
    wb.save(out)
    print(f"wrote {n} rows in {h} households to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
