#!/usr/bin/env python3
"""noise_seeds (issue 12 item 2): realizations of the noise stream.
  - run-one --noise-seed K: different streams give different trajectories for
    the dynamics that read noise (label_noise_sgd, sgd), K = 0 is today's
    stream bit for bit, and gd and the flow are untouched;
  - a spec with noise_seeds = 3 multiplies only those dynamics' tasks;
  - curve --noise against a reimplementation here, from the catalog's rows:
    per (instance, noise seed) the threshold (the smallest grid n from which
    it succeeds at every larger grid n), then var_instance = sample variance
    over instances of their mean threshold, var_noise = mean over instances
    of the sample variance over their noise seeds.
Environment: BIASWEEP (the binary)."""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile

BIN = os.environ["BIASWEEP"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
BASE = ["--d", "24", "--n", "10", "--kappa", "1", "--alpha", "0.3"]
failures = 0


def check(cond, msg):
    global failures
    failures += 0 if cond else 1
    print("ok:" if cond else "FAIL:", msg)
    return cond


def sh(*args):
    p = subprocess.run([BIN, *args], env=ENV, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def one(algo, *extra):
    rc, out, err = sh("run-one", "--algo", algo, *BASE, *extra, "--json")
    if not check(rc == 0, f"run-one {algo} {' '.join(extra)}: exit 0 ({err.strip()})"):
        return None
    j = json.loads(out)
    for k in ("wall_s", "steps_per_s"):
        j.pop(k, None)
    return j


for algo, budget in (("label_noise_sgd", ["--steps", "3000"]), ("sgd", ["--steps", "3000"])):
    base, k0, k1, k2 = (one(algo, *budget, *x) for x in ([], ["--noise-seed", "0"], ["--noise-seed", "1"],
                                                         ["--noise-seed", "2"]))
    if base and k0 and k1 and k2:
        check(base == k0, f"{algo}: --noise-seed 0 is today's stream bit for bit")
        check(k1["trajectory"]["loss"] != base["trajectory"]["loss"] and
              k2["trajectory"]["loss"] != k1["trajectory"]["loss"], f"{algo}: noise seeds 1, 2 give other trajectories")
for algo, budget in (("gd", ["--steps", "3000"]), ("riemannian_flow", ["--time", "2"]), ("gaussian_noise_gd", ["--time", "0.01"])):
    base, k1 = one(algo, *budget), None
    if algo == "gaussian_noise_gd":
        k1 = one(algo, *budget, "--noise-seed", "1")
        if base and k1:
            check(k1["trajectory"]["loss"] != base["trajectory"]["loss"], f"{algo}: noise seed 1 gives another trajectory")
        continue
    # a dynamics that reads no noise refuses the option, as a spec's group refuses noise_seeds
    rc, out, err = sh("run-one", "--algo", algo, *BASE, *budget, "--noise-seed", "5")
    check(rc == 2 and "does not read 'noise_seeds'" in err and len(err.strip().splitlines()) == 1,
          f"{algo} reads no noise: --noise-seed is refused with one line, exit 2 ({rc}, {err.strip()})")

with tempfile.TemporaryDirectory() as tmp:
    spec = os.path.join(tmp, "nz.cfg")
    open(spec, "w").write('name = "nz"; d = 24; n = [4, 6, 8, 10, 12, 14, 16, 20]; kappa = 1; alpha = 0.1; seeds = 4;\n'
                          'noise_seeds = 3; algorithms = { sgd = { steps = 20000; }; gd = { steps = 20000; }; };\n')
    cat = os.path.join(tmp, "c.sqlite")
    rc, out, err = sh("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0, f"run (rc {rc}): {err.strip()}")
    con = sqlite3.connect(cat)
    per = dict(con.execute("SELECT algorithm, count(*) FROM results GROUP BY algorithm").fetchall())
    check(per == {"gd": 32, "sgd": 96}, f"noise_seeds multiplies sgd only: {per}")
    check(con.execute("SELECT count(*) FROM tasks WHERE algorithm = 'gd' AND noise_seed IS NOT NULL").fetchone()[0]
          == 0, "gd's tasks have noise_seed NULL")
    rows = con.execute("SELECT seed, noise_seed, n, success FROM results WHERE algorithm = 'sgd'").fetchall()
    con.close()
    runs = {}
    for seed, noise, n, ok in rows:
        runs.setdefault((seed, noise), {})[n] = ok
    thr = {}
    for key, by_n in runs.items():
        ns = sorted(by_n)
        t = None
        for i, n in enumerate(ns):
            if all(by_n[m] for m in ns[i:]):
                t = n
                break
        thr[key] = t
    inst = {}
    for (seed, noise), t in thr.items():
        if t is not None:
            inst.setdefault(seed, []).append(t)
    means = [statistics.mean(v) for v in inst.values()]
    want_between = statistics.variance(means) if len(means) >= 2 else None
    within = [statistics.variance(v) for v in inst.values() if len(v) >= 2]
    want_within = statistics.mean(within) if within else None
    rc, out, err = sh("curve", "--catalog", cat, "--noise", "--format", "json", "--where", "algorithm = sgd")
    if check(rc == 0, f"curve --noise (rc {rc}): {err.strip()}"):
        j = json.loads(out)
        r = j[0] if isinstance(j, list) else j["rows"][0]
        close = (lambda a, b: (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-12))
        check(r["instances"] == len(inst) >= 2 and r["realizations"] == sum(len(v) for v in inst.values()),
              f"curve --noise: {r['instances']} instances, {r['realizations']} thresholds")
        check(close(r["var_instance"], want_between) and close(r["var_noise"], want_within),
              f"curve --noise: var_instance {r['var_instance']} ({want_between}), var_noise {r['var_noise']} "
              f"({want_within})")
    rc, out, err = sh("curve", "--catalog", cat, "--format", "json", "--where", "algorithm = sgd")
    j = json.loads(out) if rc == 0 else None
    r = (j[0] if isinstance(j, list) else j["rows"][0]) if j else {}
    check(r.get("seeds") == len(runs), f"curve: a seed is one (instance, noise seed): {r.get('seeds')} of {len(runs)}")

sys.exit(1 if failures else 0)
