"""Helpers of scripts/load_test.py for the worker-restart measurement (issue 11).

`WorkerRestart` kills the job worker with SIGKILL a given number of seconds into the run and
starts a new one shortly after, as a supervisor (systemd `Restart=always`) would; it records
what the worker was running when it died. `CpuMeter` samples the CPU time of the server's and
the workers' process groups from /proc, so the report can say who used the cores.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of_group(pgid: int) -> dict[int, float]:
    """CPU seconds (user + system) of every live process in a process group, by pid."""
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pgid:                     # field 5 of stat: the process group
            out[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    return out


class CpuMeter:
    """CPU seconds used by named process groups, sampled every `interval` s (a process that
    dies keeps its last sample) and on `stop()`; `timeline` holds (t, name, cumulative s)."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.groups: dict[str, list[int]] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.timeline: list[tuple[float, str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def watch(self, name: str, pgid: int) -> None:
        with self._lock:
            self.groups.setdefault(name, []).append(pgid)

    def start(self) -> "CpuMeter":
        self._sample()
        self.baseline = dict(self.last)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(5)
        self._sample()
        return self.totals()

    def totals(self) -> dict[str, float]:
        """CPU seconds per name since `start()`."""
        out: dict[str, float] = {}
        for (name, pid), secs in self.last.items():
            out[name] = out.get(name, 0.0) + secs - self.baseline.get((name, pid), 0.0)
        return {k: round(v, 1) for k, v in out.items()}

    def per_bucket(self, t0: float, width: float = 5.0) -> dict[int, dict[str, float]]:
        """CPU seconds each name used in each `width`-second bucket after `t0`."""
        out: dict[int, dict[str, float]] = {}
        previous: dict[str, float] = {}
        for t, name, total in self.timeline:
            if name in previous:
                bucket = int((t - t0) // width * width)
                out.setdefault(bucket, {}).setdefault(name, 0.0)
                out[bucket][name] += total - previous[name]
            previous[name] = total
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        with self._lock:
            groups = {k: list(v) for k, v in self.groups.items()}
        now = time.time()
        for name, pgids in groups.items():
            for pgid in pgids:
                for pid, secs in _cpu_of_group(pgid).items():
                    self.last[(name, pid)] = secs
        for name in groups:
            self.timeline.append((now, name, sum(v for (n, _p), v in self.last.items() if n == name)))


class WorkerRestart:
    """Kill the worker `kill_at` s after `arm()`, start a new one `restart_after` s later."""

    def __init__(self, kill_at: float, restart_after: float, worker,
                 start_worker: Callable[[], object], running_jobs: Callable[[], list[int]],
                 log: Callable[[str], None]):
        self.kill_at, self.restart_after = kill_at, restart_after
        self.worker, self.start_worker = worker, start_worker
        self.running_jobs, self.log = running_jobs, log
        self.killed_at: float | None = None
        self.restarted_at: float | None = None
        self.jobs_at_kill: list[int] = []
        self.error = ""
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def arm(self) -> "WorkerRestart":
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()
        self._thread.join(5)

    def _run(self) -> None:
        if self._cancel.wait(self.kill_at):
            return
        try:
            self.jobs_at_kill = self.running_jobs()
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(10)
            self.killed_at = time.time()
            self.log(f"worker (pid {self.worker.pid}) killed with SIGKILL; running jobs then: "
                     f"{self.jobs_at_kill or 'none'}")
            if self._cancel.wait(self.restart_after):
                return
            self.worker = self.start_worker()
            self.restarted_at = time.time()
            self.log(f"worker restarted (pid {self.worker.pid})")
        except Exception as exc:   # reported in the result; the run goes on
            self.error = f"{type(exc).__name__}: {exc}"
            self.log(f"worker restart failed: {self.error}")
