#!/usr/bin/env python3
"""test_cli.py - biasweep status / query / curve / dt on the hand-made
catalog of fixture.h (built by the mkcatalog program given as argv[1]).

Checks the numbers against the hand computations in fixture.h, that CSV
parses with the csv module and JSON with the json module (and jq when
installed), and that every injection attempt through a user string exits 2
with one line on stderr, nothing on stdout, and leaves the catalog file
byte-identical (sha256) with nothing written to its WAL.
"""
import csv
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

BIASWEEP = os.environ["BIASWEEP"]
MKCATALOG = sys.argv[1]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(*args):
    p = subprocess.run([BIASWEEP, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def ok(*args):
    rc, out, err = run(*args)
    check(rc == 0, f"{args} exited {rc}: {err.strip()}")
    check(err == "", f"{args} wrote to stderr: {err.strip()}")
    return out


def rows_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def near(a, b, tol=1e-9):
    return abs(float(a) - b) <= tol * max(1.0, abs(b))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


tmp = tempfile.mkdtemp(prefix="bw-answers-")
try:
    cat = os.path.join(tmp, "catalog.sqlite")
    subprocess.run([MKCATALOG, cat], check=True)
    C = ["--catalog", cat]
    digest = sha256(cat)

    # ---- status ------------------------------------------------------------
    out = ok("status", *C)
    lines = out.splitlines()
    # the specs come first (the fixture's text is no real spec: its state is unknown), then the runs
    check(lines[0].startswith("spec fixture (") and "state unknown" in lines[0], f"status spec line: {lines[0]}")
    check(any(l.startswith("sweep 1  fixture  done  started ") for l in lines), "status header:\n" + out)
    check(any(l.split() == ["gd", "27", "25", "2", "0", "0", "25", "12.5"] for l in lines), "status gd row:\n" + out)
    check(any(l.split() == ["total", "55", "53", "2", "1", "1", "53", "44.5"] for l in lines), "status total:\n" + out)
    check(any(l.startswith("sweep 2  second  running") and l.endswith("shard 1/2") for l in lines), "sweep 2:\n" + out)
    st = rows_csv(ok("status", *C, "--format", "csv"))
    want = [("1", "gd", 27, 25, 2, 0, 0, 25, 12.5), ("1", "label_noise_sgd", 4, 4, 0, 1, 0, 4, 5),
            ("1", "riemannian_flow", 12, 12, 0, 0, 1, 12, 24), ("1", "sgd", 12, 12, 0, 0, 0, 12, 3),
            ("2", "gd", 2, 2, 0, 0, 0, 0, 1), ("2", "sgd", 1, 1, 0, 0, 1, 1, 3)]
    check(len(st) == 6, f"status csv rows {len(st)}")
    for r, w in zip(st, want):
        got = (r["sweep"], r["algorithm"], int(r["planned"]), int(r["done"]), int(r["pending"]), int(r["diverged"]),
               int(r["failed"]), int(r["ran"]), float(r["wall_s"]))
        check(got == w, f"status row {got} want {w}")
    check(st[0]["shard"] == "" and st[4]["shard"] == "1/2" and st[4]["ended_at"] == "", "status NULLs are empty")
    sj = json.loads(ok("status", *C, "--format", "json"))
    check(len(sj) == 6 and sj[5]["failed"] == 1 and sj[0]["shard"] is None, f"status json: {sj[:1]}")

    # ---- query -------------------------------------------------------------
    g = rows_csv(ok("query", *C, "--group-by", "algorithm,n", "--where", "algorithm=gd", "--where", "n=30",
                    "--format", "csv"))
    check(len(g) == 1, f"one group, got {len(g)}")
    if g:
        r = g[0]
        check(r["algorithm"] == "gd" and r["n"] == "30" and r["count"] == "5" and r["successes"] == "3",
              f"group counts {r}")
        for k, v in [("success_rate", 0.6), ("mean_test_error", 0.352), ("median_test_error", 0.03),
                     ("q10_test_error", 0.014), ("q90_test_error", 0.86)]:
            check(near(r[k], v), f"{k} = {r[k]}, want {v}")
    rows = json.loads(ok("query", *C, "--format", "json"))
    check(len(rows) == 54, f"all rows: {len(rows)}")
    check(set(rows[0]) == set("algorithm design wstar d n kappa alpha eta sigma batch eps seed status success "
                              "test_error steps wall_s".split()), f"default columns {list(rows[0])}")
    check(len(rows_csv(ok("query", *C, "--where", "d>=150", "--format", "csv"))) == 12, "d>=150: 12 rows")
    check(len(rows_csv(ok("query", *C, "--where", "eta=null", "--format", "csv"))) == 12, "eta=null: 12 rows")
    check(len(rows_csv(ok("query", *C, "--where", "algorithm!=gd", "--where", "test_error<0.1", "--format", "csv")))
          == 3 + 6, "algorithm!=gd, test_error<0.1: lnsgd 3 + sgd 6 rows")
    d = rows_csv(ok("query", *C, "--where", "status=diverged", "--columns", "algorithm,n,seed,message,test_error",
                    "--format", "csv"))
    check(len(d) == 1 and d[0]["message"] == 'loss blew up, "inf"\nat step 7' and d[0]["test_error"] == ""
          and d[0]["n"] == "40", f"diverged row through CSV quoting: {d}")
    dj = json.loads(ok("query", *C, "--where", "status=diverged", "--columns", "message", "--format", "json"))
    check(dj == [{"message": 'loss blew up, "inf"\nat step 7'}], f"JSON escaping: {dj}")
    t = ok("query", *C, "--where", "status=diverged", "--columns", "algorithm,message")
    check(len(t.splitlines()) == 2, f"table rows stay one line each:\n{t}")
    check(len(json.loads(ok("query", *C, "--limit", "5", "--format", "json"))) == 5, "--limit 5")
    # an SQL-looking text value is only a value: no rows, exit 0
    e = rows_csv(ok("query", *C, "--where", "message=' OR '1'='1", "--format", "csv"))
    check(e == [], f"text value matched rows: {e}")
    cols = ok("query", *C, "--list-columns").split()
    check("test_error" in cols and "kappa" in cols and len(cols) >= 30, f"--list-columns: {cols}")
    if shutil.which("jq"):
        p = subprocess.run(["jq", "length"], input=ok("query", *C, "--format", "json"), capture_output=True,
                           text=True)
        check(p.returncode == 0 and p.stdout.strip() == "54", f"jq length: {p.stdout} {p.stderr}")

    # ---- curve -------------------------------------------------------------
    cv = rows_csv(ok("curve", *C, "--format", "csv"))
    check(len(cv) == 7, f"7 cells, got {len(cv)}")
    by = {(r["algorithm"], r["d"], r["eta"], r["batch"]): r for r in cv}
    a = by.get(("gd", "100", "0.01", ""))
    if a:
        check(near(a["nstar"], 27.5), f"A: n* {a['nstar']}")
        check(near(a["median_threshold"], 30), f"A: median threshold {a['median_threshold']}")
        check(abs(float(a["n50_dt"]) - 20.4) <= 0.1, f"A: n50 {a['n50_dt']}")
        check(a["curve"] == "10:0/5 20:1/5 30:3/5 40:4/5 50:5/5", f"A: curve {a['curve']}")
        check(15 <= float(a["nstar_lo"]) < 27.5 < float(a["nstar_hi"]) <= 45, f"A: interval {a['nstar_lo']}"
              f" {a['nstar_hi']}")
        check(a["seeds"] == "5" and a["probes"] == "25" and a["note"] == "", f"A: {a}")
    else:
        fail(f"no cell A in {list(by)}")
    c = by.get(("label_noise_sgd", "200", "0.001", ""))
    check(c is not None and near(c["nstar"], 40) and c["note"].startswith("n* <= min n")
          and near(c["median_threshold"], 50) and abs(float(c["n50_dt"]) - 40.8) <= 0.1, f"C: {c}")
    b = by.get(("riemannian_flow", "100", "", ""))
    check(b is not None and b["nstar"] == "" and b["median_threshold"] == "" and b["note"].startswith("n* > max n"),
          f"B (never reaches 1/2): {b}")
    s1 = by.get(("sgd", "100", "0.01", "4"))
    check(s1 is not None and s1["nstar"] == "" and "no interval" in s1["note"], f"sgd one failed task: {s1}")
    for dd, ns in [("100", 55), ("200", 105), ("400", 205)]:
        f = by.get(("sgd", dd, "0.02", "1"))
        check(f is not None and near(f["nstar"], ns) and near(f["nstar_lo"], ns) and near(f["nstar_hi"], ns),
              f"F d={dd}: {f}")
    cj = json.loads(ok("curve", *C, "--format", "json"))
    check(len(cj) == 7 and cj[2]["nstar"] is None and cj[0]["nstar"] == 27.5, "curve json")
    pts = rows_csv(ok("curve", *C, "--points", "--format", "csv"))
    check(len(pts) == 5 + 2 + 3 + 1 + 2 + 2 + 2, f"--points rows {len(pts)}")
    check([(p["n"], p["rate"]) for p in pts[:5]] == [("10", "0"), ("20", "0.2"), ("30", "0.6"), ("40", "0.8"),
                                                      ("50", "1")], f"--points A: {pts[:5]}")
    sd = rows_csv(ok("curve", *C, "--seeds", "--where", "algorithm=gd", "--format", "csv"))
    check([(r["seed"], r["threshold"], r["monotone"]) for r in sd] ==
          [("0", "20", "1"), ("1", "30", "1"), ("2", "30", "1"), ("3", "40", "1"), ("4", "50", "1")],
          f"--seeds: {sd}")
    fit = json.loads(ok("curve", *C, "--fit", "--format", "json"))
    fd = [r for r in fit if r["algorithm"] == "sgd" and r["against"] == "d"]
    check(len(fd) == 1 and fd[0]["cells"] == 3 and near(fd[0]["slope"], 0.5) and near(fd[0]["intercept"], 5)
          and near(fd[0]["r2"], 1), f"fit of n* against d: {fd}")
    # against kappa ln d: ordinary least squares computed here
    xs = [5 * math.log(x) for x in (100, 200, 400)]
    ys = [55, 105, 205]
    mx, my = sum(xs) / 3, sum(ys) / 3
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    slope = sxy / sxx
    fk = [r for r in fit if r["algorithm"] == "sgd" and r["against"] == "kappa_ln_d"]
    check(len(fk) == 1 and near(fk[0]["slope"], slope) and near(fk[0]["intercept"], my - slope * mx)
          and near(fk[0]["r2"], sxy * sxy / (sxx * syy)), f"fit against kappa ln d: {fk}")
    fg = [r for r in fit if r["algorithm"] == "gd"]
    check(len(fg) == 2 and all(r["cells"] == 1 and r["slope"] is None for r in fg), f"gd: one cell, no fit: {fg}")
    fl = [r for r in fit if r["algorithm"] == "label_noise_sgd"]
    check(all(r["cells"] == 0 for r in fl), f"censored n* (<= min n) is not fitted: {fl}")

    # ---- dt ----------------------------------------------------------------
    dt = rows_csv(ok("dt", "--d", "100,200,1000", "--kappa", "5,10,20", "--format", "csv"))
    ref = {(100, 5): 20.4, (100, 10): 32.9, (200, 10): 40.8, (1000, 5): 35.4, (1000, 10): 61.2, (1000, 20): 104.2}
    got = {(int(r["d"]), int(r["kappa"])): float(r["n50"]) for r in dt}
    for key, v in ref.items():
        check(key in got and abs(got[key] - v) <= 0.1, f"dt n50{key} = {got.get(key)}, docs/model.md {v}")
    out = ok("dt", "--d", "100", "--kappa", "5")
    check("20.39" in out, f"dt table: {out}")

    # ---- refusals: exit 2, one line on stderr, nothing on stdout, catalog untouched ----
    bad = [
        ["query", "--where", "d;DROP TABLE outcomes"],
        ["query", "--where", "d=1 OR 1=1"],
        ["query", "--where", "d=1; DELETE FROM outcomes"],
        ["query", "--where", "d=' OR '1'='1"],
        ["query", "--where", "algorithm=' OR '1'='1"],
        ["query", "--where", "algorithm=gd' --"],
        ["query", "--where", "status=converged' OR 1=1 --"],
        ["query", "--where", "1=1"],
        ["query", "--where", "d) OR (1=1"],
        ["query", "--where", "key=x", "--where", "kappa=5 UNION SELECT * FROM tasks"],
        ["query", "--where", "d=1\nDELETE FROM outcomes"],
        ["query", "--where", "dd=1"],
        ["query", "--group-by", "d) UNION SELECT key FROM tasks --"],
        ["query", "--group-by", "d;DROP TABLE outcomes"],
        ["query", "--group-by", 'd,"n"'],
        ["query", "--group-by", "d,n; DELETE FROM outcomes"],
        ["query", "--group-by", "dd"],
        ["query", "--columns", "key,'x'"],
        ["query", "--columns", 'd"; DROP TABLE outcomes; --'],
        ["query", "--columns", "*"],
        ["query", "--columns", "d,(SELECT 1)"],
        ["query", "--format", "weird"],
        ["query", "--format", "csv; rm -rf /"],
        ["query", "--format", ""],
        ["query", "--limit", "1; DROP TABLE outcomes"],
        ["query", "--group-by", "d", "--columns", "n"],
        ["curve", "--where", "d;DROP TABLE outcomes"],
        ["curve", "--where", "kappa=5 OR 1=1"],
        ["curve", "--where", "algorithm=' OR ''='"],
        ["curve", "--format", "xml"],
        ["curve", "--fit", "--seeds"],
        ["status", "--format", "weird"],
    ]
    for args in bad:
        rc, out, err = run(args[0], *C, *args[1:])
        shown = repr(args)
        check(rc == 2, f"{shown} exited {rc}, want 2 ({err.strip()})")
        check(out == "", f"{shown} wrote to stdout: {out[:200]!r}")
        check(err.count("\n") == 1 and err.endswith("\n"), f"{shown}: stderr is not one line: {err!r}")
        check(err.startswith(f"biasweep {args[0]}: "), f"{shown}: stderr {err!r}")
    rc, out, err = run("query", *C, "--group-by", "zzz")
    check("--group-by: unknown column 'zzz' (columns: key, algorithm," in err, f"unknown column message: {err!r}")
    rc, out, err = run("query", *C, "--where", "d;DROP TABLE outcomes")
    check("--where: 'd;DROP TABLE outcomes' is not COLUMN=VALUE" in err, f"not COLUMN=VALUE message: {err!r}")
    for args in (["dt", "--d", "100; rm", "--kappa", "5"], ["dt", "--d", "10", "--kappa", "20"], ["dt", "--d", "10"]):
        rc, out, err = run(*args)
        check(rc == 2 and out == "" and err.count("\n") == 1, f"{args}: rc {rc} {err!r}")

    check(sha256(cat) == digest, "the catalog file changed")
    wal = cat + "-wal"
    check(not os.path.exists(wal) or os.path.getsize(wal) == 0, "something was written to the WAL")
    # a missing catalog is an error, not a new file
    rc, out, err = run("status", "--catalog", os.path.join(tmp, "nope.sqlite"))
    check(rc != 0 and not os.path.exists(os.path.join(tmp, "nope.sqlite")) and err.count("\n") == 1,
          f"missing catalog: rc {rc} {err!r}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print(f"test_cli.py: {'ok' if not fails else str(fails) + ' failures'}")
sys.exit(1 if fails else 0)
