#!/usr/bin/env python3
"""test_faults.py - a sweep under faults: kill -9 of the whole job at random
moments, SIGTERM, and one rank killed.  In every case nothing committed is
lost (the outcomes only grow and each equals the uninterrupted run's), the
catalog passes integrity_check, every committed outcome's trajectory row
reads back, and a rerun completes with a catalog equal to an uninterrupted
run (bit for bit, but for timing columns; tests/mpi/sweeptest.py's
comparison).

Usage: test_faults.py CASE   (CASE: kill9 | sigterm | rankkill)
  kill9     10 kill -9 of mpirun and every rank (the whole job) at random
            moments of a 2-rank run, each next run resuming (KILLS, KILL_SEED):
            uniform from 0.05 s to 70% of the time the rest of the work should take (timed
            on the uninterrupted run: start-up, then work at an even pace)
  sigterm   SIGTERM to every process of the job (scancel, a shutdown), to
            mpirun alone (kill PID; Ctrl-C reaches only mpirun, whose ranks
            run in process groups of their own), and to a one-process run
            without mpirun
  rankkill  kill -9 of one process of a 3-rank job: a worker rank, rank 0
            (the coordinator, the catalog's writer), and mpirun alone
The spec is jobs/smoke.cfg with 12 seeds (240 tasks, a few seconds), and for
kill9 160 label_noise_sgd tasks of even cost (progress ~ time).
"""
import datetime
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIASWEEP, ENV, ROOT, check, count, finish, require_binary, sweeptest  # noqa: E402

require_binary()
SEEDS = 12


def spec_file(tmp, case):
    """kill9: tasks of even cost, so that a random time is a random point of the work
    (gaussian_noise_gd runs its whole budget: no stopping rule ends one task sooner than another);
    the others: jobs/smoke.cfg (every dynamics in it) with more seeds."""
    path = os.path.join(tmp, "faults.cfg")
    if case == "kill9":
        text = ('name = "faults";\nd = [30, 40];\nn = 15;\nkappa = 2;\nseeds = 80;\n'
                'algorithms = { gaussian_noise_gd = { time = 0.05; }; };\n')
    else:
        text = open(os.path.join(ROOT, "jobs", "smoke.cfg")).read()
        assert "seeds = 2;" in text
        text = text.replace("seeds = 2;", f"seeds = {SEEDS};")
    with open(path, "w") as f:
        f.write(text)
    return path


def start(np_, cat, spec):
    cmd = ["mpirun", "-np", str(np_), BIASWEEP, "run", spec, "--catalog", cat, "--quiet"]
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish_run(p, timeout=600):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def keys(cat):
    if not os.path.exists(cat):
        return {}
    cols, rows = sweeptest.outcomes(cat)
    i = cols.index("key")
    return {r[i]: r for r in rows}


def keys_quiet(cat):
    """The committed keys, or none while the catalog is not there or busy."""
    try:
        con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True, timeout=5)
        k = [r[0] for r in con.execute("SELECT key FROM outcomes")]
        con.close()
        return k
    except sqlite3.Error:
        return []


def committed_ok(cat, base_rows, before, what):
    """After an interruption: integrity, nothing committed lost, every commit equals the reference, rows read back."""
    if not os.path.exists(cat):
        check(not before, f"{what}: no catalog yet, and nothing was committed before")
        return {}
    check(sweeptest.integrity(cat) == "ok", f"{what}: integrity_check ok")
    now = keys(cat)
    lost = set(before) - set(now)
    check(not lost, f"{what}: nothing committed is lost ({len(lost)} of {len(before)} gone)")
    wrong = [k for k, r in now.items() if base_rows.get(k) != r]
    check(not wrong, f"{what}: every committed outcome equals the uninterrupted run's ({len(wrong)} differ)")
    n, bad = sweeptest.trajectories_read_back(cat)
    check(n == len(now) and bad == 0, f"{what}: every committed outcome's trajectory reads back ({n} rows, {bad} bad)")
    return now


def job_pids(p):
    """mpirun and every process it started: its session (the ranks get process groups of their own,
    so killpg(mpirun) reaches mpirun alone)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.getsid(int(pid)) == p.pid:
                    found.append(int(pid))
            except OSError:
                pass
    return found


def signal_job(p, sig):
    """sig to every process of the job at once (the OOM killer, a lost node, scancel --signal)."""
    for pid in job_pids(p):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def no_stragglers(p, what, limit=30.0):
    """Every process of the job's session is gone (no orphaned rank keeps the catalog)."""
    t0 = time.time()
    left = job_pids(p)
    while left and time.time() - t0 < limit:
        time.sleep(0.1)
        left = job_pids(p)
    check(not left, f"{what}: no process of the job is left ({left})")


def rerun_equal(cat, spec, base, what, np_=2):
    rc, out, err = finish_run(start(np_, cat, spec))
    check(rc == 0, f"{what}: the rerun exits 0 ({err.strip()[-300:]})")
    _, rows = sweeptest.outcomes(cat)
    check(rows == base, f"{what}: after the rerun the outcomes equal an uninterrupted run ({len(rows)} vs {len(base)})")
    check(sweeptest.integrity(cat) == "ok", f"{what}: integrity_check ok after the rerun")
    n, bad = sweeptest.trajectories_read_back(cat)
    check(n == len(rows) and bad == 0, f"{what}: every trajectory reads back after the rerun ({n}, {bad} bad)")
    return out


def stamp(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def reference(tmp, spec):
    """The uninterrupted run; also when, after mpirun starts, its sweep starts (start-up) and its
    last outcome is done (the work's end), from the catalog's timestamps."""
    cat = os.path.join(tmp, "ref", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    t0 = time.time()
    rc, out, err = finish_run(start(2, cat, spec))
    total = time.time() - t0
    check(rc == 0, f"uninterrupted reference run exits 0 ({err.strip()[-300:]})")
    cols, base = sweeptest.outcomes(cat)
    i = cols.index("key")
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
    started = stamp(con.execute("SELECT started_at FROM sweeps").fetchone()[0])
    last = stamp(con.execute("SELECT max(finished_at) FROM outcomes").fetchone()[0])
    con.close()
    startup, work_end = started - t0, last - t0
    print(f"reference: {len(base)} outcomes in {total:.2f} s (sweep started at {startup:.2f} s, last outcome at "
          f"{work_end:.2f} s)")
    return base, {r[i]: r for r in base}, (startup, work_end)


def case_kill9(tmp, spec):
    base, base_rows, total = reference(tmp, spec)
    rng = random.Random(int(os.environ.get("KILL_SEED", "20240501")))
    kills = int(os.environ.get("KILLS", "10"))
    cat = os.path.join(tmp, "k", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    before = {}
    landed = 0
    for i in range(kills):
        # a random moment of what is left of the run (the work is even: progress ~ time): from
        # mpirun's start-up (nothing committed yet) to near the end
        startup, work_end = total
        delay = rng.uniform(0.05, startup + 0.7 * (work_end - startup) * (1 - len(before) / len(base)))
        p = start(2, cat, spec)
        time.sleep(delay)
        moment = f"after {delay:.2f} s"
        finished = p.poll() is not None
        signal_job(p, signal.SIGKILL)
        p.communicate()
        no_stragglers(p, f"kill -9 #{i + 1}")
        count("kill -9 of the whole job")
        now = committed_ok(cat, base_rows, before, f"kill -9 #{i + 1} {moment}")
        landed += not finished and len(now) < len(base)
        print(f"kill -9 #{i + 1} {moment}: {len(before)} -> {len(now)} outcomes committed"
              f"{' (the run had ended)' if finished else ''}")
        before = now
        if len(now) == len(base) and i + 1 < kills:
            # the run got to the end before the kill (its outcomes were just checked against the
            # reference): a kill on a finished catalog cannot land mid-run, so the next kills
            # start a fresh catalog
            cat = os.path.join(tmp, f"k{i + 1}", "catalog.sqlite")
            os.makedirs(os.path.dirname(cat))
            before = {}
            print(f"kill -9 #{i + 1}: the catalog is complete; the next kills start a fresh one")
    check(landed >= 0.7 * kills, f"most kills landed mid-run ({landed} of {kills})")
    rerun_equal(cat, spec, base, f"after {kills} kill -9")


def case_sigterm(tmp, spec):
    base, base_rows, total = reference(tmp, spec)
    for target in ("job", "mpirun", "one process"):
        cat = os.path.join(tmp, target.replace(" ", "-"), "catalog.sqlite")
        os.makedirs(os.path.dirname(cat))
        if target == "one process":  # biasweep run without mpirun (an MPI singleton): its exit status is its own
            p = subprocess.Popen([BIASWEEP, "run", spec, "--catalog", cat, "--quiet"], env=ENV, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        else:
            p = start(2, cat, spec)
        got = sweeptest.wait_for_outcomes(cat, p)
        mid = got > 0 and p.poll() is None
        if target == "job":
            signal_job(p, signal.SIGTERM)
        else:
            p.send_signal(signal.SIGTERM)
        rc, out, err = finish_run(p, 120)
        no_stragglers(p, f"SIGTERM to {target}")
        count("SIGTERM")
        print(f"SIGTERM to {target}: exit {rc}\n  stdout: {out.strip()[-300:]}\n  stderr: {err.strip()[-500:]}")
        check(mid, f"SIGTERM to {target}: it landed mid-run ({got} outcomes committed before)")
        # rank 0 commits what finished, marks the sweep interrupted and says how to resume; it exits 3,
        # and mpirun, which got or forwarded the signal, exits 1
        check(rc == (3 if target == "one process" else 1), f"SIGTERM to {target}: exit status ({rc})")
        check("resume by running the same command again" in err, f"SIGTERM to {target}: the resume line ({err[-300:]!r})")
        con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
        state = con.execute("SELECT state FROM sweeps ORDER BY id DESC LIMIT 1").fetchone()[0]
        con.close()
        check(state == "interrupted", f"SIGTERM to {target}: the sweep is marked interrupted ({state})")
        now = committed_ok(cat, base_rows, {}, f"SIGTERM to {target}")
        check(0 < len(now) < len(base), f"SIGTERM to {target}: a partial catalog ({len(now)} of {len(base)})")
        rerun_equal(cat, spec, base, f"SIGTERM to {target}")


def rank_pids(mpirun_pid, want, limit=30.0):
    """{rank: pid} of the biasweep processes mpirun started (children of mpirun, OMPI_COMM_WORLD_RANK)."""
    t0 = time.time()
    while time.time() - t0 < limit:
        found = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
                if ppid != mpirun_pid or not os.readlink(f"/proc/{pid}/exe").endswith("biasweep"):
                    continue
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = dict(x.split(b"=", 1) for x in f.read().split(b"\0") if b"=" in x)
                found[int(env[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
            except (OSError, ValueError, KeyError):
                continue
        if len(found) == want:
            return found
        time.sleep(0.05)
    return {}


def case_rankkill(tmp, spec):
    base, base_rows, total = reference(tmp, spec)
    for victim in (2, 0, "mpirun"):
        what = ("kill -9 of mpirun alone" if victim == "mpirun" else
                f"kill -9 of rank {victim}" + (" (a worker)" if victim else " (the coordinator)"))
        cat = os.path.join(tmp, f"victim-{victim}", "catalog.sqlite")
        os.makedirs(os.path.dirname(cat))
        p = start(3, cat, spec)
        pids = rank_pids(p.pid, 3)
        got = sweeptest.wait_for_outcomes(cat, p)
        mid = got > 0 and p.poll() is None and len(pids) == 3
        os.kill(p.pid if victim == "mpirun" else pids.get(victim, p.pid), signal.SIGKILL)
        t0 = time.time()
        try:
            rc, out, err = finish_run(p, 120)
        except subprocess.TimeoutExpired:
            signal_job(p, signal.SIGKILL)
            rc, out, err = p.wait(), "", "(hung: killed after 120 s)"
        no_stragglers(p, what, limit=90)
        waited = time.time() - t0
        count("one process of the job killed")
        print(f"{what} (ranks {pids}): mpirun exit {rc}, every process gone after {waited:.1f} s\n"
              f"  stderr: {err.strip()[-600:]}")
        check(mid, f"{what}: it landed mid-run ({got} outcomes committed before)")
        check(rc != 0 and waited < 90, f"{what}: the job ends with a non-zero exit, promptly ({rc}, {waited:.1f} s)")
        now = committed_ok(cat, base_rows, {}, what)
        check(0 < len(now) <= len(base), f"{what}: committed work is there ({len(now)} of {len(base)})")
        rerun_equal(cat, spec, base, what)


def main():
    case = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix=f"bw-faults-{case}-") as tmp:
        spec = spec_file(tmp, case)
        {"kill9": case_kill9, "sigterm": case_sigterm, "rankkill": case_rankkill}[case](tmp, spec)
    finish(f"test_faults {case}")


if __name__ == "__main__":
    main()
