#!/usr/bin/env python3
"""A catalog made before the tasks table gained its later columns (eta_scale, ..., eta_mode):
made here by hand from a fresh catalog by removing those columns and writing
back the views of that time (their text is spelled here), then:
  - query and curve read it (read-only, the file's bytes unchanged);
  - `merge` takes it as an input (unchanged) and as OUT (it gains the columns);
  - `run` of the same spec resumes it: nothing reruns, the columns are added
    (NULL for the old tasks), the views show them, and a task with eta_scale
    planned afterwards lands in the same file with its value.
Then one made just before tasks.eta_mode (eta 0 for a step the program chose):
  - eta, eta_mode and the budgets of every task are what its spec asked for
    (gd given eta, gd automatic with the default budget, sgd eta_scale, the
    flow without a step), in a new catalog
    and in the old one as query shows it, with curve's and query's outputs
    equal on both;
  - merge of the old with the new gives no conflict and the convention in
    OUT, and an old OUT migrates in the merge;
  - run resumes it with nothing to do, and its tasks then equal the new ones.
Environment: BIASWEEP (the binary)."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["BIASWEEP"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
ADDED = ["eta_scale", "checkpoints", "noise_seed", "eta_mode", "schedule"]
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
    # the old program stored eta = 0 for the automatic step (the spec gives gd and sgd none)
    con.execute("UPDATE tasks SET eta = 0 WHERE algorithm IN ('gd', 'sgd')")
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
    check(con.execute("SELECT count(*) FROM tasks WHERE eta IS NULL AND eta_mode = 'automatic'").fetchone()[0] == ntasks,
          "the old tasks (automatic step) have eta NULL and eta_mode automatic")
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

# ---- eta_mode: a catalog made just before it ------------------------------------------------
BASE = 'd = 12; n = [6, 10]; kappa = 2; alpha = 0.3; seeds = 2;\n'
# what each spec asks for: (algorithm, eta, eta_mode, eta_scale, max_steps, max_time); the budgets as
# docs/catalog.md keeps them: the spec's, gd's default (1000000 steps, jobs/smoke.cfg) where it sets
# none, 0 for the kind of cap a budget does not have
SPECS = {
    "given": (BASE + 'algorithms = { gd = { eta = 0.002; steps = 2000; }; };\n', ("gd", 0.002, "given", None, 2000, 0.0)),
    "auto": (BASE + 'algorithms = { gd = {}; };\n', ("gd", None, "automatic", None, 1000000, 0.0)),
    "scaled": (BASE + 'algorithms = { sgd = { eta_scale = 2.0; steps = 4000; }; };\n',
               ("sgd", None, "scaled", 2.0, 4000, 0.0)),
    "flow": (BASE + 'algorithms = { riemannian_flow = { time = 5.0; }; };\n',
             ("riemannian_flow", None, None, None, 0, 5.0)),
}
PARAMS = ("algorithm", "eta", "eta_mode", "eta_scale", "max_steps", "max_time")
PRE_ETA_MODE_RESULTS = """
CREATE VIEW results AS SELECT
  t.key, t.algorithm, t.design, t.wstar, t.d, t.n, t.kappa, t.alpha, t.eta, t.eta_scale, t.sigma,
  t.batch, t.max_steps, t.max_time, t.eps, t.tol, t.project, t.sweep_seed, t.seed, t.checkpoints,
  t.noise_seed, t.cost,
  o.status, o.train_loss, o.test_error, o.R, o.l1, o.support_recovered, o.success, o.steps, o.t,
  o.eta_used, o.loss_rate, o.alpha_inf, o.alpha_inf_pred, o.int_loss_dt, o.message, o.wall_s,
  o.rank, o.sweep_id, o.traj_file, o.traj_row, o.finished_at
  FROM tasks AS t JOIN outcomes AS o ON o.key = t.key;
"""


def auto_step(a, d, n, alpha, kappa):  # run-one --help's automatic steps of gd and sgd
    return (0.25 / ((16 / n) * max(alpha * alpha, 1) * (n ** 0.5 + d ** 0.5) ** 2) if a == "gd"
            else 0.25 / (8 * max(d * alpha * alpha, kappa)))


def tasks_of(path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    rows = {r["key"]: dict(r) for r in con.execute("SELECT * FROM tasks")}
    con.close()
    return rows


def check_convention(rows, what):
    """Every task as its spec asked: eta, eta_mode, eta_scale, budgets (rows: key -> dict with PARAMS)."""
    bad = []
    for name, (_, want) in SPECS.items():
        for k in keys[name]:
            r = rows.get(k)
            got = None if r is None else tuple(r[c] for c in PARAMS)
            if got != want:
                bad.append(f"{name} {k}: {got} != {want}")
    check(not bad, f"{what}: eta, eta_mode, eta_scale, max_steps, max_time as the specs ask, "
          f"{sum(map(len, keys.values()))} tasks {bad[:3]}")


with tempfile.TemporaryDirectory() as tmp:
    new = os.path.join(tmp, "new.sqlite")
    keys = {}
    for name, (text, _) in SPECS.items():
        spec = os.path.join(tmp, f"{name}.cfg")
        open(spec, "w").write(f'name = "{name}";\n' + text)
        rc, out, err = sh("plan", spec, "--list")
        keys[name] = [l.split()[0] for l in out.splitlines() if l.split() and len(l.split()[0]) == 16
                      and "bw-task/1" in l]
        check(rc == 0 and len(keys[name]) == 4, f"plan {name}: 4 tasks ({len(keys[name])}): {err.strip()}")
        rc, out, err = sh("run", spec, "--catalog", new, "--quiet")
        check(rc == 0, f"run {name} (rc {rc}): {err.strip()}")
    fresh = tasks_of(new)
    check_convention(fresh, "a new catalog")
    con = sqlite3.connect(new)
    used = con.execute("SELECT key, algorithm, eta_used, d, n, alpha, kappa FROM results").fetchall()
    con.close()
    bad = []
    for k, a, u, d, n, alpha, kappa in used:
        want = (0.002 if k in keys["given"] else auto_step(a, d, n, alpha, kappa) if k in keys["auto"]
                else 2 * auto_step(a, d, n, alpha, kappa) if k in keys["scaled"] else None)
        if want is not None and not abs(u - want) <= 1e-15 * want:
            bad.append((k, a, u, want))
    check(len(used) == 16 and not bad, f"eta_used: the given step, the automatic one, 2 x it ({len(used)} rows) {bad[:2]}")

    # the file as the program before eta_mode made it: eta 0 where the spec gave no step
    old = os.path.join(tmp, "old.sqlite")
    shutil.copy(new, old)
    con = sqlite3.connect(old)
    for (v,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        con.execute(f"DROP VIEW {v}")
    auto_keys = keys["auto"] + keys["scaled"]
    con.execute(f"UPDATE tasks SET eta = 0 WHERE key IN ({','.join('?' * len(auto_keys))})", auto_keys)
    con.execute("ALTER TABLE tasks DROP COLUMN eta_mode")
    con.executescript(PRE_ETA_MODE_RESULTS)
    con.commit()
    outcomes_before = con.execute("SELECT * FROM outcomes ORDER BY key").fetchall()
    con.close()
    before = digest(old)

    cols = "key,algorithm,eta,eta_mode,eta_scale,max_steps,max_time,eta_used,n,success"
    outs = {}
    for path in (old, new):
        rc1, q, e1 = sh("query", "--catalog", path, "--columns", cols, "--format", "csv")
        rc2, c, e2 = sh("curve", "--catalog", path, "--format", "csv")
        check(rc1 == 0 and rc2 == 0, f"query and curve read {os.path.basename(path)}: {e1.strip()} {e2.strip()}")
        outs[path] = (q, c)
    import csv
    import io
    shown = {r["key"]: {"algorithm": r["algorithm"], "eta": float(r["eta"]) if r["eta"] else None,
                        "eta_mode": r["eta_mode"] or None,
                        "eta_scale": float(r["eta_scale"]) if r["eta_scale"] else None,
                        "max_steps": int(r["max_steps"]), "max_time": float(r["max_time"])}
             for r in csv.DictReader(io.StringIO(outs[old][0]))}
    check_convention(shown, "query on the old catalog")
    check(outs[old][0] == outs[new][0], "query prints the same for the old catalog and the new one")
    check(outs[old][1] == outs[new][1] and outs[new][1].count("\n") == 5, "curve prints the same for both (4 cells)")
    for path in (old, new):
        for name, cond in (("given", "eta_mode=given"), ("auto", "eta_mode=automatic"), ("scaled", "eta_mode=scaled"),
                           ("flow", "eta_mode=null"), ("given", "eta=0.002"), ("given", "eta>0.001")):
            rc, q, err = sh("query", "--catalog", path, "--where", cond, "--columns", "key", "--format", "csv")
            check(rc == 0 and sorted(q.split()[1:]) == sorted(keys[name]),
                  f"{os.path.basename(path)}: --where {cond} picks the tasks of spec {name}: {err.strip()}")
    rc, q, err = sh("query", "--catalog", new, "--where", "eta_mode=automatc")
    check(rc == 2 and q == "" and len(err.strip().splitlines()) == 1 and "unknown eta_mode 'automatc'" in err,
          f"--where eta_mode=automatc: one line, exit 2 (rc {rc}): {err.strip()}")
    check(digest(old) == before, "reading the old catalog leaves its bytes unchanged")

    merged = os.path.join(tmp, "merged.sqlite")
    rc, out, err = sh("merge", merged, old, new)
    check(rc == 0 and digest(old) == before, f"merge of the old and the new catalog: no conflict (rc {rc}): {err.strip()}")
    check_convention(tasks_of(merged), "the merged catalog")
    oldout = os.path.join(tmp, "oldout.sqlite")
    shutil.copy(old, oldout)
    rc, out, err = sh("merge", oldout, new)
    check(rc == 0, f"merge into the old catalog as OUT (rc {rc}): {err.strip()}")
    check_convention(tasks_of(oldout), "the old OUT after the merge")

    for name in SPECS:
        rc, out, err = sh("run", os.path.join(tmp, f"{name}.cfg"), "--catalog", old)
        check(rc == 0 and "no-op" in out, f"run {name} resumes the old catalog with nothing to do (rc {rc}): "
              f"{out.strip()} {err.strip()}")
    con = sqlite3.connect(old)
    check(con.execute("SELECT * FROM outcomes ORDER BY key").fetchall() == outcomes_before,
          "its outcomes are unchanged (16, nothing reran)")
    check("eta_mode" in columns(con, "tasks") and "eta_mode" in columns(con, "results"),
          "tasks and results gained eta_mode")
    con.close()
    migrated = tasks_of(old)
    check_convention(migrated, "the migrated catalog")
    check(migrated == fresh, "its tasks equal the new catalog's, every column")

sys.exit(1 if failures else 0)
