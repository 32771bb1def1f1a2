#!/usr/bin/env bash
# A/B of the 100,000-row SQLite import (kept for the next comparison; edit the two paths): the previous session's code (511b61d) and this session's,
# same machine, same sheet, alternating, each run on a fresh copy of its own seeded town database.
set -e
export XIANGZHI_HTTPS=0 DJANGO_SETTINGS_MODULE=xiangzhi.settings
for side in ab-base bench-clone; do
  d=/tmp/$side; v=$d/var/ab; rm -rf $v; mkdir -p $v
  export XIANGZHI_VAR_DIR=$v DATABASE_URL=sqlite:///$v/town.sqlite3
  (cd $d && .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --scale town --seed 1 >/dev/null)
done
# one sheet, written by the current code against the current town
export XIANGZHI_VAR_DIR=/tmp/bench-clone/var/ab DATABASE_URL=sqlite:////tmp/bench-clone/var/ab/town.sqlite3
(cd /tmp/bench-clone && .venv/bin/python bench/make_sheet.py $DATABASE_URL /tmp/ab-sheet.xlsx 100000)
for round in 1 2 3; do
  for side in ab-base bench-clone; do
    d=/tmp/$side; v=$d/var/ab
    cp $v/town.sqlite3 $v/run.sqlite3; rm -f $v/run.sqlite3-wal $v/run.sqlite3-shm
    export XIANGZHI_VAR_DIR=$v DATABASE_URL=sqlite:///$v/run.sqlite3
    echo "$round $side $(cd $d && .venv/bin/python bench/import_bench.py ours $DATABASE_URL /tmp/ab-sheet.xlsx | tail -1)"
  done
done
