"""Throughput of a batch on a Dask cluster of this machine against the local worker pool.

    python3 scripts/bench_cluster.py [--students 20] [--sandboxes 2] [--runs 2]

Grades the same class (tcp-echo models and mutants, the whole spec) on the docker backend:
with the local pool (`--sandboxes` threads), then on a `dask scheduler` with 1 and with 2
`dask worker` processes (each `--sandboxes` sandboxes), and prints submissions per minute and
the cluster path's overhead per submission. Every worker shares this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client

from grader import api

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = ROOT / "assignments" / "tcp-echo"
REFERENCE = ROOT / "reference" / "tcp-echo"


def make_class(folder: Path, students: int) -> None:
    mutants = sorted(p for p in (REFERENCE / "mutants").iterdir() if p.is_dir())
    sources = [REFERENCE / "python", REFERENCE / "c", *mutants]
    for n in range(students):
        shutil.copytree(
            sources[n % len(sources)],
            folder / f"s{n:03d}",
            ignore=shutil.ignore_patterns("mutant.yaml", "__pycache__"),
        )


def dask(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *argv], stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def timed_batch(students: Path, out: Path, sandboxes: int, cluster: str | None) -> float:
    started = time.monotonic()
    report = api.grade_batch(
        ASSIGNMENT, students, out, workers=sandboxes, cluster=cluster, regrade=True
    )
    problems = [o.entry for o in report.outcomes if o.entry.status != "graded"]
    if problems:
        raise SystemExit(
            f"not graded ({cluster or 'local pool'}): "
            + "; ".join(f"{e.student.id}: {e.status}: {e.message}" for e in problems)
        )
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--sandboxes", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        make_class(work / "in", args.students)
        file = work / "scheduler.json"
        procs.append(
            dask(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                  "--scheduler-file", str(file)], work / "scheduler.log")
        )
        while not (file.exists() and file.stat().st_size):
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        times: dict[str, list[float]] = {"local pool": [], "dask, 1 worker": [],
                                         "dask, 2 workers": []}
        for run in range(args.runs):  # interleaved: the load of the machine hits all alike
            times["local pool"].append(
                timed_batch(work / "in", work / f"local-{run}", args.sandboxes, None)
            )
            workers = []
            for count in (1, 2):
                workers.append(
                    dask(["worker", "--scheduler-file", str(file), "--nthreads",
                          str(args.sandboxes), "--no-nanny", "--no-dashboard",
                          "--host", "127.0.0.1"], work / f"worker-{run}-{count}.log")
                )
                with Client(address) as client:
                    client.wait_for_workers(count, timeout=60)
                key = f"dask, {count} worker" + ("s" if count > 1 else "")
                times[key].append(
                    timed_batch(work / "in", work / f"dask{count}-{run}", args.sandboxes, address)
                )
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
        load = os.getloadavg()[0]
        print(f"{args.students} tcp-echo submissions, docker, {args.sandboxes} sandboxes per "
              f"grader, {os.cpu_count()} cores, load {load:.1f}, median of {args.runs} runs")
        local = statistics.median(times["local pool"])
        for what, seconds in times.items():
            median = statistics.median(seconds)
            print(f"  {what:16} {median:7.1f} s  {60 * args.students / median:6.1f} /min")
        one = statistics.median(times["dask, 1 worker"])
        print(f"  cluster overhead per submission: {(one - local) / args.students:+.2f} s")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
