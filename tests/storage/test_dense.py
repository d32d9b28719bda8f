#!/usr/bin/env python3
"""Dense trajectories (checkpoints = N): a sweep whose gd task keeps about
N checkpoints per decade stores all of them in its HDF5 file (more than
the 200 slots of the default), at the closed-form steps (every step up to
N, then s -> ceil(s 10^(1/N)), computed here), while the default task of
the same file keeps its 10 per decade; the catalog records checkpoints.
Environment: BIASWEEP (the binary)."""
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

import h5py

BIN = os.environ["BIASWEEP"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
SPEC = """name = "dense"; d = 64; n = 8; kappa = 1; alpha = 2.0; algorithm = "gd";
steps = 200000; tol = 1e-30; checkpoints = [10, 100];
"""
failures = 0


def check(cond, msg):
    global failures
    failures += 0 if cond else 1
    print("ok:" if cond else "FAIL:", msg)


def log_steps(N, last):
    s, out = 0, []
    while s < last:
        out.append(s)
        if N == 10:
            s = s + 1 if s < 10 else math.ceil(s * 1.2589254117941673)
        else:
            s = s + 1 if s < N else math.ceil(s * 10 ** (1 / N))
    return out if out and out[-1] == last else out + [last]


with tempfile.TemporaryDirectory() as tmp:
    spec = os.path.join(tmp, "dense.cfg")
    open(spec, "w").write(SPEC)
    cat = os.path.join(tmp, "c.sqlite")
    p = subprocess.run([BIN, "run", spec, "--catalog", cat, "--quiet"], env=ENV, capture_output=True, text=True,
                       timeout=300)
    check(p.returncode == 0, f"run (rc {p.returncode}): {p.stderr.strip()}")
    con = sqlite3.connect(cat)
    rows = con.execute("SELECT checkpoints, steps, traj_file, traj_row FROM results ORDER BY checkpoints").fetchall()
    con.close()
    check([r[0] for r in rows] == [10, 100], f"the catalog records checkpoints 10 and 100: {rows}")
    for N, steps, tf, row in rows:
        with h5py.File(os.path.join(tmp, tf), "r") as f:
            cnt = int(f["trajectory/count"][row])
            st = [int(x) for x in f["trajectory/step"][row][:cnt]]
            slots = f["trajectory/step"].shape[1]
        want = log_steps(N, steps)
        check(steps == 200000, f"N={N}: the run took its 200000 steps ({steps})")
        check(st == want, f"N={N}: {cnt} checkpoints stored at the closed-form steps ({len(want)} expected)")
        if N == 100:
            check(cnt > 400 and slots >= cnt, f"N=100: {cnt} rows stored in {slots} slots (more than 200)")

sys.exit(1 if failures else 0)
