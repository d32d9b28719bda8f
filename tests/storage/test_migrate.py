#!/usr/bin/env python3
"""A catalog made before the tasks table gained its later columns (eta_scale):
made here by hand from a fresh catalog by removing those columns and writing
back the views of that time (their text is spelled here), then:
  - query and curve read it (read-only, the file's bytes unchanged);
  - `merge` takes it as an input (unchanged) and as OUT (it gains the columns);
  - `run` of the same spec resumes it: nothing reruns, the columns are added
    (NULL for the old tasks), the views show them, and a task with eta_scale
    planned afterwards lands in the same file with its value.
Environment: BIASWEEP (the binary)."""
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["BIASWEEP"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
ADDED = ["eta_scale", "checkpoints", "noise_seed", "schedule"]
OLD_VIEWS = """
CREATE VIEW results AS SELECT
  t.key, t.algorithm, t.design, t.wstar, t.d, t.n, t.kappa, t.alpha, t.eta, t.sigma, t.batch,
  t.max_steps, t.max_time, t.eps, t.tol, t.project, t.sweep_seed, t.seed, t.cost,
  o.status, o.train_loss, o.test_error, o.R, o.l1, o.support_recovered, o.success, o.steps, o.t,
  o.eta_used, o.loss_rate, o.alpha_inf, o.alpha_inf_pred, o.int_loss_dt, o.message, o.wall_s,
  o.rank, o.sweep_id, o.traj_file, o.traj_row, o.finished_at
  FROM tasks AS t JOIN outcomes AS o ON o.key = t.key;
CREATE VIEW success_rates AS SELECT
  algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n,
  count(*) AS tasks, sum(success) AS successes, avg(success) AS rate,
  avg(test_error) AS mean_test_error
  FROM results GROUP BY algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n;
CREATE VIEW sample_complexity AS SELECT
  algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n,
  count(*) AS tasks, count(DISTINCT sweep_seed || ':' || seed) AS seeds,
  sum(success) AS successes, avg(success) AS rate, avg(success) >= 0.5 AS reached
  FROM results GROUP BY algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n;
"""
SPEC = """name = "mig"; d = 12; n = [6, 10]; kappa = 2; alpha = 0.3; seeds = 2;
algorithms = { gd = { steps = 2000; }; sgd = { steps = 4000; }; };
"""
SPEC2 = SPEC + "eta_scale = 2.0;\n"
failures = 0


def check(cond, msg):
    global failures
    failures += 0 if cond else 1
    print("ok:" if cond else "FAIL:", msg)


def sh(*args):
    p = subprocess.run([BIN, *args], env=ENV, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def columns(con, table):
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


with tempfile.TemporaryDirectory() as tmp:
    spec = os.path.join(tmp, "mig.cfg")
    open(spec, "w").write(SPEC)
    cat = os.path.join(tmp, "catalog.sqlite")
    rc, out, err = sh("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0, f"first run (rc {rc}): {err.strip()}")
    con = sqlite3.connect(cat)
    # every view goes (the derived ones read results); OLD_VIEWS puts back those of the old version
    for (v,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        con.execute(f"DROP VIEW {v}")
    for c in ADDED:
        con.execute(f"ALTER TABLE tasks DROP COLUMN {c}")
    con.executescript(OLD_VIEWS)
    con.commit()
    ntasks = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    con.close()
    check(ntasks == 8, f"the old catalog holds 8 outcomes ({ntasks})")
    before = digest(cat)

    rc, out, err = sh("query", "--catalog", cat, "--format", "json")
    check(rc == 0, f"query reads the old catalog (rc {rc}): {err.strip()}")
    rc, out2, err = sh("curve", "--catalog", cat)
    check(rc == 0 and "gd" in out2, f"curve reads the old catalog (rc {rc}): {err.strip()}")
    check(digest(cat) == before, "reading it leaves its bytes unchanged")

    import shutil
    merged = os.path.join(tmp, "merged.sqlite")
    rc, out, err = sh("merge", merged, cat)
    check(rc == 0 and digest(cat) == before, f"merge reads the old catalog as an input, unchanged (rc {rc}): {err}")
    con = sqlite3.connect(merged)
    check(con.execute("SELECT count(*) FROM results WHERE eta_scale IS NULL").fetchone()[0] == ntasks,
          "the merged catalog has the old tasks with eta_scale NULL")
    con.close()
    oldout = os.path.join(tmp, "oldout.sqlite")
    shutil.copy(cat, oldout)
    rc, out, err = sh("merge", oldout, merged)
    con = sqlite3.connect(oldout)
    check(rc == 0 and all(c in columns(con, "tasks") and c in columns(con, "results") for c in ADDED),
          f"an old OUT gains the columns in the merge (rc {rc}): {err}")
    con.close()

    rc, out, err = sh("run", spec, "--catalog", cat)
    check(rc == 0, f"run resumes the old catalog (rc {rc}): {err.strip()}")
    con = sqlite3.connect(cat)
    check(con.execute("SELECT count(*) FROM outcomes").fetchone()[0] == ntasks, "nothing reran or was added")
    for c in ADDED:
        check(c in columns(con, "tasks"), f"tasks gained {c}")
        check(c in columns(con, "results"), f"the view results shows {c}")
    check("eta_scale" in columns(con, "sample_complexity"), "the view sample_complexity shows eta_scale")
    check(con.execute("SELECT count(*) FROM tasks WHERE eta_scale IS NOT NULL").fetchone()[0] == 0,
          "the old tasks have eta_scale NULL")
    con.close()
    rc, out, err = sh("run", spec, "--catalog", cat)
    check(rc == 0, "a second resume (rc %d)" % rc)

    open(spec, "w").write(SPEC2)
    rc, out, err = sh("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0, f"a spec with eta_scale runs into the migrated catalog (rc {rc}): {err.strip()}")
    con = sqlite3.connect(cat)
    rows = con.execute("SELECT r.algorithm, r.eta_scale, r.eta_used, r.d, r.n, r.alpha, r.kappa FROM results r "
                       "WHERE r.eta_scale IS NOT NULL").fetchall()
    check(len(rows) == 8, f"8 new tasks with eta_scale 2 ({len(rows)})")
    for a, x, used, d, n, alpha, kappa in rows:
        auto = (0.25 / ((16 / n) * max(alpha * alpha, 1) * (n ** 0.5 + d ** 0.5) ** 2) if a == "gd"
                else 0.25 / (8 * max(d * alpha * alpha, kappa)))
        check(x == 2.0 and abs(used - 2 * auto) <= 1e-15 * auto, f"{a} n={n}: eta_used {used} = 2 x {auto}")
    con.close()
    rc, out, err = sh("curve", "--catalog", cat)
    lines = [l for l in out.splitlines() if l.startswith("gd") or l.startswith("sgd")]
    check(rc == 0 and len(lines) == 4, f"curve: one cell per (algorithm, eta_scale): {len(lines)} rows")

    # the step schedule: NULL for the constant step (as in the old rows), its name otherwise; one cell each
    open(spec, "w").write('name = "mig"; d = 12; n = [6, 10]; kappa = 2; alpha = 0.3; seeds = 2;\n'
                          'algorithms = { label_noise_sgd = { time = 2.0; schedule = ["constant", "sharpness"]; }; };\n')
    rc, out, err = sh("run", spec, "--catalog", cat, "--quiet")
    check(rc == 0, f"a spec with both schedules runs into the migrated catalog (rc {rc}): {err.strip()}")
    con = sqlite3.connect(cat)
    got = dict(con.execute("SELECT coalesce(schedule, 'NULL'), count(*) FROM results WHERE algorithm = "
                           "'label_noise_sgd' GROUP BY 1").fetchall())
    check(got == {"NULL": 4, "sharpness": 4}, f"tasks.schedule: NULL for constant, 'sharpness' ({got})")
    con.close()
    rc, out, err = sh("curve", "--catalog", cat)
    lines = [l for l in out.splitlines() if l.startswith("label_noise_sgd")]
    check(rc == 0 and len(lines) == 2 and sum("sharpness" in l for l in lines) == 1,
          f"curve: one cell per schedule: {lines}")

sys.exit(1 if failures else 0)
