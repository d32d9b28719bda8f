#!/usr/bin/env python3
"""test_experiments.py - `biasweep plot pesme` and `biasweep plot wojtowytsch`
on small real runs, their data files against independent computations from
the catalog (sqlite3), the trajectory files (h5py) and the instance
(`run-one --save`, numpy).  Needs gnuplot, numpy and h5py: fails without them.

pesme: a spec with sgd at eta_scale 1, 3 and 8 (8 diverges) and gd, n searched.
  Per cell of the .dat: step_scale = the cell's eta_scale (1 for gd's automatic
  step); n* = the interpolated 50% crossing recomputed here from the
  catalog's outcomes (each seed's missing n imputed from its threshold, as
  docs/model.md defines it); censor; tasks and diverged counted here; the
  interval equal to `biasweep curve`'s.  gd is one block with one row (the
  reference), sgd one block of three rows in increasing step_scale.
wojtowytsch: sgd at three steps on one instance.  The .dat blocks equal the
  trajectory rows of the HDF5 file (step, k eta, loss, ln loss); the -rate.dat
  rows: loss_rate and alpha_inf equal the catalog's, Lambda, C_L and sigma
  recomputed with numpy from Z (run-one --save of the same instance) and the
  final w of the trajectory file, D_j = sqrt(w_j^2 + 4 alpha_inf^4), and from
  the exact final u, v (run-one --save of the same run: the same numbers,
  since u_j v_j is the same for every j for Rademacher batch-1 sgd); rho,
  -ln rho, Lambda eta and the step bound by their formulas.  Bad input: a
  selection of several instances, a catalog without sgd runs: exit 2, one
  line, nothing written.
"""
import csv
import io
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BIASWEEP = os.environ["BIASWEEP"]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"FAIL: numpy and h5py are needed (apt-get install python3-numpy python3-h5py): {e}")
    sys.exit(1)
if not shutil.which("gnuplot"):
    print("FAIL: gnuplot is not installed (apt-get install gnuplot-nox)")
    sys.exit(1)


def run(*args):
    p = subprocess.run([BIASWEEP, *args], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def num(s):
    s = s.strip()
    return math.nan if s in ("", "NaN", "nan") else float(s)


def close(a, b, rel):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def blocks(path):
    out, cur, blank = [], None, 0
    for line in open(path):
        if not line.strip():
            blank += 1
            continue
        if line.startswith("#"):
            continue
        if cur is None or blank >= 2:
            cur = []
            out.append(cur)
        blank = 0
        cur.append(line.split())
    return out


def nstar_imputed(obs):
    """obs: list of (n, seed, success). n* as nstar.h defines it, with imputation."""
    seeds = sorted({s for _, s, _ in obs})
    grid = sorted({n for n, _, _ in obs})
    res = {}
    for n, s, ok in obs:
        res.setdefault((s, n), []).append(ok)
    table = {}
    for s in seeds:
        ns = sorted(n for (ss, n) in res if ss == s)
        succ = {n: all(res[(s, n)]) for n in ns}
        thr = math.nan
        for i in range(len(ns)):
            if all(succ[m] for m in ns[i:]):
                thr = ns[i]
                break
        for n in grid:
            if n in succ:
                table[(s, n)] = [int(x) for x in res[(s, n)]]
            else:
                table[(s, n)] = [int(not math.isnan(thr) and n >= thr)]
    rates = []
    for n in grid:
        v = [x for s in seeds for x in table[(s, n)]]
        rates.append(sum(v) / len(v))
    for j, r in enumerate(rates):
        if r >= 0.5:
            if j == 0:
                return grid[0], 1
            return grid[j - 1] + (0.5 - rates[j - 1]) / (r - rates[j - 1]) * (grid[j] - grid[j - 1]), 0
    return math.nan, 2


def bad(args, outdir, what):
    before = sorted(os.listdir(outdir))
    rc, so, se = run("plot", *args)
    check(rc == 2, f"{what}: exit {rc}, want 2 ({se.strip()})")
    check(len(se.strip().splitlines()) == 1, f"{what}: stderr is not one line: {se!r}")
    check(sorted(os.listdir(outdir)) == before, f"{what}: wrote something")


tmp = tempfile.mkdtemp(prefix="bw-exp-")
try:
    # ---- pesme -----------------------------------------------------------------------------
    spec = os.path.join(tmp, "p.cfg")
    open(spec, "w").write('name = "p"; seed = 0; design = "rademacher"; d = 24; kappa = 2; seeds = 4; alpha = 0.1;\n'
                          'n = { search = [2, 24]; resolution = 1; };\n'
                          'algorithms = { gd = { steps = 400000; }; sgd = { eta_scale = [1.0, 3.0, 8.0]; steps = 400000; }; };\n')
    cat = os.path.join(tmp, "p.sqlite")
    rc, so, se = run("run", spec, "--catalog", cat, "--quiet")
    if not check(rc == 0, f"pesme run: {rc} {se}"):
        sys.exit(1)
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    img = os.path.join(out, "pesme.png")
    rc, so, se = run("plot", "pesme", "--catalog", cat, "-o", img)
    check(rc == 0 and se == "", f"plot pesme: {rc} {se}")
    check(os.path.getsize(img) > 0 and open(img, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "pesme.png")
    con = sqlite3.connect(cat)
    rows = con.execute("SELECT algorithm, eta_scale, n, seed, success, status FROM results").fetchall()
    rc, cout, _ = run("curve", "--catalog", cat, "--format", "csv")
    curve = list(csv.DictReader(io.StringIO(cout)))
    B = blocks(os.path.join(out, "pesme.dat"))
    check(len(B) == 2 and [len(b) for b in B] == [1, 3], f"pesme.dat: blocks {[len(b) for b in B]}")
    seen = 0
    for b in B:
        for v in b:
            if not check(len(v) == 21, f"pesme.dat: {len(v)} columns"):
                continue
            algo, scale = v[0], num(v[10])
            want_scale = 1.0 if algo == "gd" else None
            obs = [(n, s, ok, st) for a, es, n, s, ok, st in rows if a == algo and (algo == "gd" or es == scale)]
            if algo == "sgd":
                check(scale in (1.0, 3.0, 8.0), f"pesme.dat: sgd step_scale {scale}")
            else:
                check(scale == want_scale, f"pesme.dat: gd step_scale {scale}")
            ns, censor = nstar_imputed([(n, s, ok) for n, s, ok, _ in obs])
            check(close(num(v[11]), ns, 1e-12), f"pesme.dat {algo} x{scale}: n* {v[11]} != {ns}")
            check(int(v[14]) == censor, f"pesme.dat {algo} x{scale}: censor {v[14]} != {censor}")
            div = sum(st == "diverged" for *_, st in obs)
            check(int(num(v[18])) == len(obs) and int(num(v[19])) == div,
                  f"pesme.dat {algo} x{scale}: tasks/diverged {v[18]}/{v[19]} != {len(obs)}/{div}")
            check(close(num(v[20]), div / len(obs), 1e-12), f"pesme.dat {algo} x{scale}: share {v[20]}")
            c = [r for r in curve if r["algorithm"] == algo and (algo == "gd" or num(r["eta_scale"]) == scale)]
            if check(len(c) == 1, f"curve rows for {algo} x{scale}: {len(c)}"):
                for col, name in ((12, "nstar_lo"), (13, "nstar_hi")):
                    check(close(num(v[col]), num(c[0][name]), 0), f"pesme.dat {algo} x{scale}: {name}")
            seen += 1
        scales = [num(v[10]) for v in b]
        check(scales == sorted(scales), f"pesme.dat: block not sorted by step_scale {scales}")
    check(seen == 4, f"pesme.dat: {seen} cells, want 4")
    check(any(st == "diverged" for *_, st in rows), "pesme: the spec at 8x should diverge somewhere")
    gp = open(os.path.join(out, "pesme.gp")).read()
    check("axes x1y2" in gp and "reference n^*" in gp, "pesme.gp: diverged share or reference missing")
    # gd's n* written above its line: the value of the imputed-curve oracle, at its height
    gns, _ = nstar_imputed([(n, s, ok) for a, _, n, s, ok, _ in rows if a == "gd"])
    m = re.search(r"set label \d+ 'gd n\^\* = ([^ ]+) \[[^']*' at graph [0-9.]+, first ([^ ]+) ", gp)
    if check(m is not None and not math.isnan(gns), "pesme.gp: no label with gd's n*"):
        check(m.group(1) == f"{gns:.3g}" and close(float(m.group(2)), gns, 1e-12),
              f"pesme.gp: gd's label {m.group(1)} at {m.group(2)}, want {gns:.3g} at {gns}")
    # the l1 limit: a horizontal line at the Donoho-Tanner n50 of the panel (curve's n50_dt, tested elsewhere
    # against docs/model.md's table)
    m = re.search(r"\(([^)]+)\) with lines lc rgb '#555555'", gp)
    if check(m is not None, "pesme.gp: no Donoho-Tanner line"):
        check(close(float(m.group(1)), num(curve[0]["n50_dt"]), 1e-12), f"pesme.gp: n50 {m.group(1)}")

    # ---- wojtowytsch -------------------------------------------------------------------------
    spec = os.path.join(tmp, "w.cfg")
    etas = [0.002, 0.008, 0.02]
    open(spec, "w").write('name = "w"; seed = 0; design = "rademacher"; d = 24; kappa = 2; n = 14; seeds = 2; alpha = 0.1;\n'
                          'algorithms = { sgd = { eta = [0.002, 0.008, 0.02]; steps = 2000000; }; gd = {}; };\n')
    cat = os.path.join(tmp, "w.sqlite")
    rc, so, se = run("run", spec, "--catalog", cat, "--quiet")
    if not check(rc == 0, f"wojtowytsch run: {rc} {se}"):
        sys.exit(1)
    img = os.path.join(out, "w.png")
    rc, so, se = run("plot", "wojtowytsch", "--catalog", cat, "--where", "seed=1", "-o", img)
    check(rc == 0 and se == "", f"plot wojtowytsch: {rc} {se}")
    check(os.path.getsize(img) > 0, "w.png")
    con = sqlite3.connect(cat)
    q = con.execute("SELECT eta_used, loss_rate, alpha_inf, traj_file, traj_row, status, steps, batch FROM results "
                    "WHERE algorithm = 'sgd' AND seed = 1 ORDER BY eta").fetchall()
    check(len(q) == 3, f"catalog: {len(q)} sgd runs")
    B = blocks(os.path.join(out, "w.dat"))
    R = blocks(os.path.join(out, "w-rate.dat"))
    check(len(B) == 3 and len(R) == 1 and len(R[0]) == 3, f"wojtowytsch: {len(B)} blocks, rate rows {R}")
    n, d = 14, 24
    for i, (eta, rate, ainf, tf, row, status, steps, batch) in enumerate(q):
        with h5py.File(os.path.join(tmp, tf), "r") as f:
            cnt = int(f["trajectory/count"][row])
            st = f["trajectory/step"][row][:cnt]
            lo = f["trajectory/loss"][row][:cnt]
            off = f["final/w_offset"][()]
            w = f["final/w"][off[row]:off[row] + d]
        b = B[i] if i < len(B) else []
        check(len(b) == cnt, f"w.dat block {i}: {len(b)} rows, file {cnt}")
        for v, s, l in zip(b, st, lo):
            check(int(v[0]) == s and close(num(v[1]), s * eta, 1e-15) and close(num(v[2]), l, 0) and
                  close(num(v[3]), math.log(l) if l > 0 else math.nan, 1e-15), f"w.dat block {i}: {v} vs {s} {l}")
        # the instance and the exact final state from run-one --save of the same run
        h5 = os.path.join(tmp, f"one{i}.h5")
        rc, so, se = run("run-one", "--algo", "sgd", "--d", str(d), "--n", str(n), "--kappa", "2", "--alpha", "0.1",
                         "--eta", repr(eta), "--seed", "1", "--steps", "2000000", "--save", h5, "--json")
        check(rc == 0, f"run-one --save: {se}")
        with h5py.File(h5, "r") as f:
            Z = f["instance/Z"][()]
            u, v_ = f["final/u"][()], f["final/v"][()]
            check(np.array_equal(f["final/w"][()], w), f"run {i}: run-one's final w differs from the sweep's")
        r = R[0][i] if R and i < len(R[0]) else ["nan"] * 16
        check(close(num(r[0]), eta, 0) and r[2] == status and int(r[3]) == steps, f"w-rate.dat row {i}: {r[:4]}")
        check(close(num(r[4]), rate, 0) and close(num(r[5]), -rate, 0) and close(num(r[6]), ainf, 0),
              f"w-rate.dat row {i}: loss_rate/alpha_inf {r[4:7]} vs {rate} {ainf}")
        for Dj, tol, what in ((np.sqrt(w * w + 4 * ainf ** 4), 1e-9, "alpha_inf"), (u * u + v_ * v_, 1e-6, "exact u, v")):
            M = Z @ np.diag(Dj) @ Z.T
            ev = np.linalg.eigvalsh(M)
            Lam, CL = 16 / n * ev[0], 8 / n * ev[-1]
            sig = 16 * (n - batch) / (batch * (n - 1)) * np.max((Z * Z) @ Dj)
            check(close(num(r[7]), Lam, tol), f"row {i} ({what}): Lambda {r[7]} != {Lam}")
            check(close(num(r[8]), CL, tol), f"row {i} ({what}): C_L {r[8]} != {CL}")
            check(close(num(r[9]), sig, tol), f"row {i} ({what}): sigma {r[9]} != {sig}")
        Lam, CL, sig = num(r[7]), num(r[8]), num(r[9])
        rho = 1 - Lam * eta + CL * (1 + sig) * eta ** 2 / (2 * Lam)
        check(close(num(r[10]), Lam * eta, 1e-14), f"row {i}: first_order")
        check(close(num(r[11]), rho, 1e-14), f"row {i}: rho {r[11]} != {rho}")
        check(close(num(r[12]), -math.log(rho) if rho > 0 else math.nan, 1e-9), f"row {i}: lemma_decay")
        check(close(num(r[13]), Lam / (Lam + sig) * 2 / CL, 1e-14), f"row {i}: eta_max")
        check(int(num(r[14])) == int(st[-1]) and close(num(r[15]), math.log(lo[-1]), 1e-15), f"row {i}: last point")
        check(rate < 0 and abs(-rate - Lam * eta) < 0.2 * Lam * eta,
              f"row {i}: fitted decay {-rate} not within 20% of Lambda eta {Lam * eta}")

    # ---- bad input ------------------------------------------------------------------------------
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    o = os.path.join(empty, "x.png")
    bad(["wojtowytsch", "--catalog", cat, "-o", o], empty, "wojtowytsch: two instances")
    bad(["wojtowytsch", "--catalog", cat, "--where", "seed=1", "--where", "algorithm=gd", "-o", o], empty,
        "wojtowytsch: no sgd run")
    bad(["pesme", "--catalog", cat, "--where", "d=99", "-o", o], empty, "pesme: nothing matches")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("experiment plot tests:", "FAILED" if fails else "ok", f"({fails} failures)")
sys.exit(1 if fails else 0)
