#!/usr/bin/env python3
"""`biasweep status` per spec on a searched sweep: interrupted (incomplete,
searches resolved k of N with k < N), resumed (complete; the interrupted run
superseded), a no-op rerun (marked no-op), a Slurm array's shard catalogs
(`status --shards DIR` names the unfinished elements and the `slurm/submit
--only` command) and the merged catalog (one complete spec).  The counts are
checked against the catalog itself read with sqlite3 and against the
bisection's own bound, not against status's other output.

Usage: test_status.py   (environment: BIASWEEP, the binary)
"""
import os
import re
import signal
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bwcheck import BIN, check, run, summary  # noqa: E402
import tempfile
import time

SPEC = """name = "st";
d = [16, 24, 32];
kappa = 2;
seeds = %d;
alpha = 0.5;
n = { search = [2, 32]; resolution = 1; };
max_n_over_d = 1.0;
algorithms = {
  gd = { steps = 20000; };
  riemannian_flow = { time = 5.0; };
};
"""
def outcomes(cat):
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
    n = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    con.close()
    return n


def interrupted_run(spec, cat, *extra):
    p = subprocess.Popen([BIN, "run", spec, "--catalog", cat, "--quiet", *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        try:
            if outcomes(cat) > 0:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    alive = p.poll() is None
    os.killpg(p.pid, signal.SIGTERM)
    p.communicate(timeout=120)
    return alive


def spec_line(out):
    return next((l for l in out.splitlines() if l.startswith("spec ")), "")


def main():
    tmp = tempfile.mkdtemp(prefix="bw-test-status-")
    spec = os.path.join(tmp, "st.cfg")
    with open(spec, "w") as f:
        f.write(SPEC % 8)
    nsearch = 2 * 3 * 8
    cat = os.path.join(tmp, "c.sqlite")

    # interrupted
    check(interrupted_run(spec, cat), "the run is interrupted mid-way")
    rc, out, err = run("status", "--catalog", cat)
    line = spec_line(out)
    m = re.search(r"outcomes (\d+); tasks done 0 of 0; searches resolved (\d+) of (\d+); pending (\d+)", line)
    check(rc == 0 and "incomplete" in line and m is not None, f"interrupted: {line}")
    if m:
        k, n, pend = int(m.group(2)), int(m.group(3)), int(m.group(4))
        check(int(m.group(1)) == outcomes(cat), f"outcomes {m.group(1)} = the catalog's {outcomes(cat)}")
        check(n == nsearch and k < n and pend == n - k, f"searches resolved {k} of {n}, pending {pend}")
    check(re.search(r"^sweep 1 .* interrupted .*", out, re.M) is not None and "superseded" not in out,
          "sweep 1 interrupted, not superseded yet")

    # resumed
    rc, _, err = run("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0, f"resume: {err}")
    rc, out, err = run("status", "--catalog", cat)
    line = spec_line(out)
    check(f"complete; outcomes {outcomes(cat)}; tasks done 0 of 0; searches resolved {nsearch} of {nsearch};"
          " pending 0" in line and "incomplete" not in line, f"resumed: {line}")
    l1 = next((l for l in out.splitlines() if l.startswith("sweep 1 ")), "")
    check(" interrupted " in l1 and l1.endswith("superseded: the spec is complete"), f"sweep 1: {l1}")
    l2 = next((l for l in out.splitlines() if l.startswith("sweep 2 ")), "")
    check(" done " in l2 and "no-op" not in l2, f"sweep 2: {l2}")
    # the probes of a resolved search are at most the bisection's bound (2 + ceil(log2 30))
    check(outcomes(cat) <= nsearch * (2 + 5), "probes within the bisection's bound")

    # a no-op rerun
    rc, out, err = run("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0 and "sweep run 3 was a no-op" in out, f"the rerun says it was a no-op: {out.strip()}")
    rc, out, err = run("status", "--catalog", cat)
    l3 = next((l for l in out.splitlines() if l.startswith("sweep 3 ")), "")
    check(" done " in l3 and l3.endswith("no-op"), f"sweep 3 (no-op rerun): {l3}")
    check(sum(1 for l in out.splitlines() if l.startswith("spec ")) == 1, "one spec line")

    # shards: element 0 complete, element 1 interrupted, element 2 never ran
    sd = os.path.join(tmp, "shards")
    os.makedirs(sd)
    rc, _, err = run("run", spec, "--shard", "0/3", "--catalog", os.path.join(sd, "shard-0.sqlite"), "--quiet")
    check(rc == 0, f"shard 0: {err}")
    check(interrupted_run(spec, os.path.join(sd, "shard-1.sqlite"), "--shard", "1/3"), "shard 1 interrupted")
    rc, out, err = run("status", "--shards", sd)
    lines = out.splitlines()
    check(rc == 0 and any(l.startswith("element 0 ") and " complete:" in l for l in lines), f"element 0:\n{out}{err}")
    check(any(l.startswith("element 1 ") and " incomplete:" in l for l in lines), "element 1 incomplete")
    check(any(l.startswith("element 2 ") and "missing" in l for l in lines), "element 2 missing")
    check(lines and lines[-1].endswith(f"slurm/submit {spec} --array 3 --only 1,2 [same options]"),
          f"the resubmit command: {lines[-1] if lines else ''}")
    # finish them, merge: one complete spec
    for i in (1, 2):
        run("run", spec, "--shard", f"{i}/3", "--catalog", os.path.join(sd, f"shard-{i}.sqlite"), "--quiet")
    rc, out, err = run("status", os.path.join(sd, "shard-0.sqlite"), os.path.join(sd, "shard-1.sqlite"),
                       os.path.join(sd, "shard-2.sqlite"))
    check(rc == 0 and out.splitlines()[-1].startswith("all 3 elements complete"), f"all complete:\n{out}{err}")
    merged = os.path.join(tmp, "merged.sqlite")
    rc, _, err = run("merge", merged, *[os.path.join(sd, f"shard-{i}.sqlite") for i in range(3)])
    check(rc == 0, f"merge: {err}")
    rc, out, err = run("status", "--catalog", merged)
    specs = [l for l in out.splitlines() if l.startswith("spec ")]
    check(len(specs) == 1 and f"complete; outcomes {outcomes(merged)};" in specs[0] and
          f"searches resolved {nsearch} of {nsearch}" in specs[0] and "shard" not in specs[0],
          f"merged: one complete spec: {specs}")
    check(all("superseded" in l for l in out.splitlines() if l.startswith("sweep ") and " interrupted " in l),
          "merged: its interrupted runs are superseded")
    subprocess.run(["rm", "-rf", tmp])


main()
summary("test_status")
