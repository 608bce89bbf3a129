"""`matchmaker <args>` with one more job kind, for the worker-crash test.

Run as `python -m tests.faults.fault_worker worker ...`: the real CLI and worker loop, plus a
"fault_effect" handler that records each start (RUNS) and, after `sleep` seconds (`first_sleep` on
a job's first run), its one side effect (EFFECTS, primary key `n`: doing a job's work twice fails loudly).
"""
from __future__ import annotations

import os
import sys
import time

from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from matchmaker.jobs.worker import handler

KIND = "fault_effect"
METADATA = MetaData()
RUNS = Table("fault_runs", METADATA, Column("id", Integer, primary_key=True, autoincrement=True),
             Column("n", Integer, nullable=False), Column("pid", Integer, nullable=False))
EFFECTS = Table("fault_effects", METADATA, Column("n", Integer, primary_key=True,
                                                   autoincrement=False),
                Column("pid", Integer, nullable=False))


@handler(KIND)
def fault_effect(rt, payload: dict) -> None:
    """Record the start; sleep (`first_sleep` on the first run of `n`, else `sleep`); then the
    side effect."""
    n = int(payload["n"])
    with rt.transaction() as session:
        earlier = session.scalar(select(func.count()).select_from(RUNS).where(RUNS.c.n == n))
        session.execute(insert(RUNS).values(n=n, pid=os.getpid()))
    time.sleep(float(payload.get("first_sleep" if not earlier and "first_sleep" in payload
                                 else "sleep", 0)))
    with rt.transaction() as session:
        session.execute(insert(EFFECTS).values(n=n, pid=os.getpid()))


@handler(KIND + "_nice")
def fault_nice(rt, payload: dict) -> None:
    """Record the niceness the job runs at (in the pid column)."""
    with rt.transaction() as session:
        session.execute(insert(EFFECTS).values(n=int(payload["n"]), pid=os.nice(0)))


if __name__ == "__main__":
    from matchmaker.cli import main
    sys.argv = ["matchmaker", *sys.argv[1:]]
    main()
