#!/usr/bin/env python3
"""MPI sweep tests: rank-count independence, resume, kill -9, SIGTERM.

Usage: sweeptest.py CASE   (CASE: ranks | rerun | kill9 | sigterm | search | blas)
Environment: BIASWEEP (the binary), SOURCE_ROOT (the repository).
Each case works in its own temporary directory and compares catalogs
through sqlite3, ignoring only timing/bookkeeping columns.
"""
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.environ["BIASWEEP"]
ROOT = os.environ["SOURCE_ROOT"]
SPEC = os.path.join(ROOT, "jobs", "smoke.cfg")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_mpi_yield_when_idle="1")
# columns that legitimately differ between runs
TIMING = {"wall_s", "rank", "sweep_id", "traj_file", "traj_row", "finished_at"}

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", msg)
    else:
        print("ok:", msg)


def longer_spec(tmp, seeds=6):
    """smoke.cfg with more seeds: long enough (several seconds) to be interrupted mid-run."""
    text = open(SPEC).read()
    assert "seeds = 2;" in text
    path = os.path.join(tmp, f"longer{seeds}.cfg")
    with open(path, "w") as f:
        f.write(text.replace("seeds = 2;", f"seeds = {seeds};"))
    return path


def wait_for_outcomes(catalog, p, limit=60.0):
    """Wait until the catalog holds at least one committed outcome (or the run ends)."""
    t0 = time.time()
    while time.time() - t0 < limit and p.poll() is None:
        try:
            con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=5)
            n = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
            con.close()
            if n > 0:
                return n
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    return 0


def mpirun(np_, catalog, extra=(), spec=None, **kw):
    cmd = ["mpirun", "-np", str(np_), BIN, "run", spec or SPEC, "--catalog", catalog, "--quiet", *extra]
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def run(np_, catalog, spec=None):
    p = mpirun(np_, catalog, spec=spec)
    out, err = p.communicate(timeout=600)
    return p.returncode, out, err


def outcomes(catalog):
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    cols = [r[1] for r in con.execute("PRAGMA table_info(outcomes)") if r[1] not in TIMING]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM outcomes ORDER BY key").fetchall()
    con.close()
    return cols, rows


def integrity(catalog):
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    r = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    return r


def trajectories_read_back(catalog):
    import h5py
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    rows = con.execute("SELECT o.key, o.traj_file, o.traj_row, t.d, o.status FROM outcomes o "
                       "JOIN tasks t USING(key) WHERE o.traj_row IS NOT NULL").fetchall()
    con.close()
    bad = 0
    base = os.path.dirname(catalog)
    files = {}
    for key, tfile, row, d, status in rows:
        path = os.path.join(base, tfile)
        if path not in files:
            files[path] = h5py.File(path, "r")
        f = files[path]
        k = f["task_key"][row].decode()
        cnt = int(f["trajectory/count"][row])
        off = int(f["final/w_offset"][row])
        w = f["final/w"][off:off + d]
        if k != key or cnt < 1 or len(w) != d:
            bad += 1
    for f in files.values():
        f.close()
    return len(rows), bad


def reference(tmp, spec=None):
    cat = os.path.join(tmp, "ref", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    rc, out, err = run(1, cat, spec)
    check(rc == 0, f"reference run with 1 rank exits 0 (got {rc}: {err.strip()[-300:]})")
    return cat


def case_ranks(tmp):
    ref = reference(tmp)
    cols, base = outcomes(ref)
    check(len(base) > 0, f"reference catalog has outcomes ({len(base)})")
    for k in (2, 4):
        cat = os.path.join(tmp, f"r{k}", "catalog.sqlite")
        os.makedirs(os.path.dirname(cat))
        rc, out, err = run(k, cat)
        check(rc == 0, f"{k} ranks exit 0 (got {rc}: {err.strip()[-300:]})")
        _, rows = outcomes(cat)
        check(rows == base, f"{k} ranks give the same outcomes as 1 rank, bit for bit ({len(rows)} rows)")
        n, bad = trajectories_read_back(cat)
        check(n == len(rows) and bad == 0, f"{k} ranks: every trajectory reads back ({n} rows, {bad} bad)")


def case_rerun(tmp):
    cat = os.path.join(tmp, "catalog.sqlite")
    rc, out, err = run(2, cat)
    check(rc == 0, f"first run exits 0 ({err.strip()[-200:]})")
    _, first = outcomes(cat)
    files_before = sorted(os.listdir(tmp))
    t0 = time.time()
    rc, out, err = run(2, cat)
    check(rc == 0, "rerun exits 0")
    check(" 0 tasks done" in out and f"{len(first)} already in the catalog" in out,
          f"rerun does no work: {out.strip()}")
    _, second = outcomes(cat)
    check(first == second, "rerun leaves the outcomes unchanged")
    new = [f for f in os.listdir(tmp) if f not in files_before and f.endswith(".h5")]
    check(not new, f"rerun creates no trajectory file ({new})")
    print(f"rerun took {time.time() - t0:.2f} s")


def case_kill9(tmp):
    spec = longer_spec(tmp)
    ref = reference(tmp, spec)
    _, base = outcomes(ref)
    # time the whole run to pick random kill moments inside it
    cat = os.path.join(tmp, "k", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    t0 = time.time()
    rc, _, _ = run(2, os.path.join(tmp, "timing.sqlite"), spec)
    total = time.time() - t0
    rng = random.Random(int(os.environ.get("KILL_SEED", "12345")))
    kills = int(os.environ.get("KILLS", "3"))
    for i in range(kills):
        p = mpirun(2, cat, spec=spec)
        delay = rng.uniform(0.2, max(0.3, 0.9 * total))
        time.sleep(delay)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        check(integrity(cat) == "ok" if os.path.exists(cat) else True,
              f"kill -9 #{i + 1} after {delay:.2f} s: catalog integrity ok")
    rc, out, err = run(2, cat, spec)
    check(rc == 0, f"rerun after kills exits 0 ({err.strip()[-300:]})")
    _, rows = outcomes(cat)
    check(rows == base, f"after {kills} kill -9 and a rerun the outcomes equal an uninterrupted run "
                        f"({len(rows)} vs {len(base)} rows)")
    check(integrity(cat) == "ok", "integrity_check ok")
    n, bad = trajectories_read_back(cat)
    check(n == len(rows) and bad == 0, f"every outcome's trajectory reads back ({n} rows, {bad} bad)")


def case_sigterm(tmp):
    # The first outcomes become visible at the first commit (about 1 s in); the
    # run must last well beyond that on a fast machine, or the signal lands
    # after the sweep has already finished (seen in CI with 6 seeds: 1.7 s).
    spec = longer_spec(tmp, seeds=30)
    ref = reference(tmp, spec)
    _, base = outcomes(ref)
    cat = os.path.join(tmp, "s", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = mpirun(2, cat, spec=spec)
    got = wait_for_outcomes(cat, p)
    check(got > 0 and p.poll() is None, f"the run is interrupted mid-way ({got} outcomes committed so far)")
    os.killpg(p.pid, signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    print("stdout:", out.strip()[-400:])
    print("stderr:", err.strip()[-400:])
    check(p.returncode != 0 and "resume" in err, f"SIGTERM: non-zero exit ({p.returncode}) and a resume line")
    check(integrity(cat) == "ok", "catalog intact after SIGTERM")
    _, partial = outcomes(cat)
    check(0 < len(partial) < len(base), f"SIGTERM left a partial catalog ({len(partial)} of {len(base)})")
    check(set(partial) <= set(base), "every committed outcome equals the uninterrupted run's")
    rc, out, err = run(2, cat, spec)
    check(rc == 0, "resume exits 0")
    _, rows = outcomes(cat)
    check(rows == base, "after SIGTERM and resume the outcomes equal an uninterrupted run")


def case_blas(tmp):
    """The outcomes do not depend on which BLAS kernels OpenBLAS would pick for
    this CPU: biasweep pins OpenBLAS's Haswell kernels unless the user's own
    OPENBLAS_CORETYPE says otherwise (src/cli/main.c)."""
    cats = {}
    for label, extra in (("unset", {}), ("haswell", {"OPENBLAS_CORETYPE": "Haswell"})):
        env = {k: v for k, v in ENV.items() if k != "OPENBLAS_CORETYPE"}
        env.update(extra)
        cat = os.path.join(tmp, label, "catalog.sqlite")
        os.makedirs(os.path.dirname(cat))
        p = subprocess.run(["mpirun", "-np", "2", BIN, "run", SPEC, "--catalog", cat, "--quiet"], env=env,
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, f"OPENBLAS_CORETYPE {label}: run exits 0 ({p.stderr.strip()[-300:]})")
        con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
        libs = con.execute("SELECT group_concat(libraries) FROM sweeps").fetchone()[0] or ""
        con.close()
        check("Haswell" in libs, f"OPENBLAS_CORETYPE {label}: the sweep records OpenBLAS's Haswell kernels")
        cats[label] = outcomes(cat)[1]
    check(len(cats["unset"]) > 0 and cats["unset"] == cats["haswell"],
          f"outcomes bit-identical with OPENBLAS_CORETYPE unset and set ({len(cats['unset'])} rows)")


def case_search(tmp):
    """Adaptive n-search: rank-count independence, bisection, resume after kill -9."""
    spec = os.path.join(ROOT, "tests", "mpi", "search.cfg")
    ref = reference(tmp, spec)
    _, base = outcomes(ref)
    check(len(base) > 12, f"the searches ran probes ({len(base)})")
    for k in (2, 4):
        cat = os.path.join(tmp, f"r{k}", "catalog.sqlite")
        os.makedirs(os.path.dirname(cat))
        rc, out, err = run(k, cat, spec)
        check(rc == 0, f"search with {k} ranks exits 0 ({err.strip()[-300:]})")
        _, rows = outcomes(cat)
        check(rows == base, f"search with {k} ranks probes the same n and gets the same outcomes ({len(rows)} rows)")
    # every seed's probes form a bisection: the threshold is bracketed to 1
    con = sqlite3.connect(f"file:{ref}?mode=ro", uri=True)
    groups = con.execute("SELECT algorithm, d, seed, group_concat(n || ':' || success) FROM results "
                         "GROUP BY algorithm, d, seed").fetchall()
    con.close()
    bad = 0
    for algo, d, seed, probes in groups:
        pts = sorted((int(a), int(b)) for a, b in (x.split(":") for x in probes.split(",")))
        succ = [n for n, ok in pts if ok]
        fail = [n for n, ok in pts if not ok]
        if succ and fail and min(succ) - max(fail) != 1 and min(succ) > 2:
            bad += 1
            print("  not bracketed:", algo, d, seed, pts)
    check(bad == 0, f"every seed's threshold is bracketed to resolution 1 ({len(groups)} seeds)")
    cat = os.path.join(tmp, "k", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = mpirun(2, cat, spec=spec)
    wait_for_outcomes(cat, p)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    rc, out, err = run(2, cat, spec)
    check(rc == 0, "search resumes after kill -9")
    _, rows = outcomes(cat)
    check(rows == base, f"after kill -9 and a rerun the searches end with the same outcomes ({len(rows)} rows)")
    n, bad = trajectories_read_back(cat)
    check(n == len(rows) and bad == 0, f"every probe's trajectory reads back ({n} rows, {bad} bad)")


def main():
    case = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        {"ranks": case_ranks, "rerun": case_rerun, "kill9": case_kill9, "sigterm": case_sigterm,
         "search": case_search, "blas": case_blas}[case](tmp)
    print(f"{case}: {'FAILED' if failures else 'passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
