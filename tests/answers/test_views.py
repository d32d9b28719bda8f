#!/usr/bin/env python3
"""The catalog's derived views against `biasweep curve` and against an
independent reimplementation of n* (nstar.h's definition, written here) on a
searched catalog: sample_complexity (n* per cell), seed_thresholds (curve
--seeds), success_rates (curve --points: outcomes that ran and seeds imputed
from their threshold), probe_rates (the raw probes).

Usage: test_views.py   (environment: BIASWEEP, the binary)
"""
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bwcheck import BIN, check, run, summary  # noqa: E402
import tempfile

SPEC = """name = "views";
d = [16, 24];
kappa = 2;
seeds = 4;
alpha = 0.5;
n = { search = [2, 24]; resolution = 1; };
max_n_over_d = 1.0;
algorithms = {
  gd = { steps = 20000; };
  riemannian_flow = { time = 5.0; };
};
"""
CELL = ["algorithm", "design", "wstar", "d", "kappa", "alpha", "eta", "sigma", "batch", "eps"]
def key(r):
    """a cell's identity from a dict of its columns (NULL and 0 batch alike, as the query layer reads them;
    eta NULL and 0 alike: the catalog's NULL where the program chose the step is curve's eta 0, and a spec
    cannot ask for eta = 0)"""
    return tuple(("" if r[c] is None else r[c]) if c in ("algorithm", "design", "wstar") else
                 (None if r[c] in (None, "") or (c == "eta" and float(r[c]) == 0) else float(r[c])) for c in CELL)


def oracle(rows):
    """n*, per-seed thresholds and rates per cell, from (cell, seed, n, success) rows, by nstar.h's words."""
    cells = {}
    for r in rows:
        cells.setdefault(key(r), []).append(((r["sweep_seed"], r["seed"]), r["n"], r["success"]))
    out = {}
    for k, obs in cells.items():
        grid = sorted({n for _, n, _ in obs})
        seeds = sorted({s for s, _, _ in obs})
        thr = {}
        for s in seeds:
            own = {}
            for s2, n, ok in obs:
                if s2 == s:
                    own.setdefault(n, []).append(ok)
            t = None
            for n in sorted(own, reverse=True):  # the trailing run of all-success n
                if all(own[n]):
                    t = n
                else:
                    break
            thr[s] = (t, own)
        rates = []
        for n in grid:
            ran = imp = succ = 0
            for s in seeds:
                t, own = thr[s]
                if n in own:
                    ran += len(own[n])
                    succ += sum(own[n])
                else:
                    imp += 1
                    succ += 1 if t is not None and n >= t else 0
            rates.append((n, ran, imp, succ, succ / (ran + imp)))
        nstar, censor = None, "above_max"
        for j, (n, _, _, _, r) in enumerate(rates):
            if r >= 0.5:
                if j == 0:
                    nstar, censor = float(n), "at_min"
                else:
                    n0, r0 = rates[j - 1][0], rates[j - 1][4]
                    nstar, censor = n0 + (0.5 - r0) / (r - r0) * (n - n0), "inside"
                break
        out[k] = dict(nstar=nstar, censor=censor, rates=rates, thr={s: thr[s][0] for s in seeds})
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="bw-test-views-")
    spec = os.path.join(tmp, "views.cfg")
    cat = os.path.join(tmp, "views.sqlite")
    with open(spec, "w") as f:
        f.write(SPEC)
    rc, _, err = run("run", spec, "--catalog", cat)
    if not check(rc == 0, "the searched sweep runs" + ("" if rc == 0 else ": " + err)):
        return
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM results")]
    orc = oracle(rows)
    ragged = sum(1 for v in orc.values() for n in v["rates"] if n[2] > 0)
    check(ragged > 0, f"the catalog is ragged (searched): {ragged} (cell, n) points have imputed seeds")

    # sample_complexity: one row per cell, n* as curve's and the oracle's
    sc = {key(r): dict(r) for r in con.execute("SELECT * FROM sample_complexity")}
    check(con.execute("SELECT count(*) FROM sample_complexity").fetchone()[0] == len(orc),
          f"sample_complexity: one row per cell ({len(orc)})")
    cj = json.loads(run("curve", "--catalog", cat, "--format", "json")[1])
    check(len(cj) == len(sc), f"curve has the view's {len(sc)} cells")
    note = {"inside": "", "at_min": "n* <= min n", "above_max": "n* > max n"}
    for c in cj:
        v = sc.get(key(c))
        if not check(v is not None, f"cell {key(c)} in sample_complexity"):
            continue
        check(v["nstar"] == c["nstar"], f"{key(c)[0]} d={c['d']}: view n* {v['nstar']} == curve's {c['nstar']}")
        check(v["nstar"] == orc[key(c)]["nstar"], f"{key(c)[0]} d={c['d']}: view n* == the oracle's")
        check(v["censor"] == orc[key(c)]["censor"] and c["note"].startswith(note[v["censor"]]),
              f"censor {v['censor']} (curve note '{c['note']}')")
        check(v["seeds"] == c["seeds"] and v["probes"] == c["probes"], "seeds and probes as curve's")

    # seed_thresholds against curve --seeds and the oracle
    st = {key(r) + (r["sweep_seed"], r["seed"]): dict(r) for r in con.execute("SELECT * FROM seed_thresholds")}
    cs = json.loads(run("curve", "--catalog", cat, "--seeds", "--format", "json")[1])
    check(len(cs) == len(st), f"seed_thresholds: one row per seed ({len(st)})")
    for c in cs:
        v = st.get(key(c) + (c["sweep_seed"], c["seed"]))
        if not check(v is not None, f"seed {c['seed']} of {key(c)[:5]} in seed_thresholds"):
            continue
        want = orc[key(c)]["thr"][(c["sweep_seed"], c["seed"])]
        check(v["threshold"] == c["threshold"] == want and v["resolved"] == (want is not None)
              and v["monotone"] == c["monotone"],
              f"{key(c)[0]} d={c['d']} seed {c['seed']}: threshold {v['threshold']} (curve {c['threshold']})")

    # success_rates against curve --points and the oracle; probe_rates counts the rows
    sr = {key(r) + (r["n"],): dict(r) for r in con.execute("SELECT * FROM success_rates")}
    cp = json.loads(run("curve", "--catalog", cat, "--points", "--format", "json")[1])
    check(len(cp) == len(sr), f"success_rates: one row per (cell, n) ({len(sr)})")
    bad = 0
    for c in cp:
        v = sr.get(key(c) + (c["n"],))
        o = {n: (ran, imp, s, r) for n, ran, imp, s, r in orc[key(c)]["rates"]}[c["n"]]
        if v is None or (v["ran"], v["imputed"], v["successes"], v["rate"]) != (c["ran"], c["imputed"],
                                                                              c["successes"], c["rate"]) \
                or (v["ran"], v["imputed"], v["successes"], v["rate"]) != o:
            bad += 1
            print("  mismatch", key(c), c, v, o)
    check(bad == 0, f"success_rates == curve --points == the oracle at {len(cp)} points")
    pr = {key(r) + (r["n"],): r["probes"] for r in con.execute("SELECT * FROM probe_rates")}
    cnt = {}
    for r in rows:
        cnt[key(r) + (r["n"],)] = cnt.get(key(r) + (r["n"],), 0) + 1
    check(pr == cnt, "probe_rates counts the outcomes that ran")
    # curve --format json: points and seeds are arrays of objects (the same as success_rates, seed_thresholds)
    okj = all(isinstance(c.get("points"), list) and isinstance(c.get("thresholds"), list) and "curve" not in c
              for c in cj)
    check(okj and len(cj) > 0, "curve json: points and thresholds are arrays")
    for c in cj:
        pts = [(p["n"], p["ran"], p["imputed"], p["successes"], p["rate"]) for p in c["points"]]
        check(pts == orc[key(c)]["rates"], f"curve json points of {key(c)[0]} d={c['d']} as the oracle's")
        thr = {(x["sweep_seed"], x["seed"]): x["threshold"] for x in c["thresholds"]}
        check(thr == orc[key(c)]["thr"], f"curve json seeds of {key(c)[0]} d={c['d']}")
    # --pivot d: one column per d holding the cell's n*
    pv = json.loads(run("curve", "--catalog", cat, "--pivot", "d", "--format", "json")[1])
    ds = sorted({c["d"] for c in cj})
    got = {}
    for r in pv:
        for dd in ds:
            v = r.get(f"d={dd}")
            if v is not None:
                got[key(dict(r, d=dd))] = v
    want_p = {k: v["nstar"] for k, v in sc.items() if v["nstar"] is not None}
    check(got == want_p and all(r["d"] is None for r in pv), f"--pivot d: n* of every cell ({len(want_p)})")
    # the table hides constant cell columns unless --all-columns
    head = run("curve", "--catalog", cat)[1].splitlines()
    check(head[0].startswith("constant") and "design=rademacher" in head[0] and "design" not in head[1].split(),
          f"constant columns named above the table: {head[:2]}")
    head = run("curve", "--catalog", cat, "--all-columns")[1].splitlines()
    check(head[0].split()[:3] == ["algorithm", "design", "wstar"], "--all-columns keeps them")

    # query --list-columns: every column of every table and view (PRAGMA table_info), each with a meaning
    lc = json.loads(run("query", "--catalog", cat, "--list-columns", "--format", "json")[1])
    listed = {(r["object"], r["column"]): r for r in lc}
    want = set()
    for o in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"):
        for c in con.execute(f"PRAGMA table_info(\"{o['name']}\")"):
            want.add((o["name"], c["name"]))
    check(set(listed) == want, f"--list-columns lists the {len(want)} columns of PRAGMA table_info"
          f" (missing {sorted(want - set(listed))[:5]}, extra {sorted(set(listed) - want)[:5]})")
    undoc = [k for k, r in listed.items() if not r["meaning"]]
    check(not undoc, f"every column has a meaning ({undoc[:5]})")
    # docs/catalog.md names every column of every table in that table's section
    md = open(os.path.join(os.environ["SOURCE_ROOT"], "docs", "catalog.md")).read()
    for t in ("meta", "sweeps", "tasks", "sweep_tasks", "outcomes", "probe_rates", "seed_thresholds",
              "success_rates", "sample_complexity"):
        sec = md.split(f"### `{t}`", 1)
        sec = sec[1].split("\n### ", 1)[0] if len(sec) == 2 else ""
        cols = [c for (o, c) in want if o == t]
        cell = ["algorithm", "design", "wstar", "d", "kappa", "alpha", "eta", "eta_scale", "schedule", "sigma", "batch",
                "eps", "n"]
        miss = [c for c in cols if f"`{c}`" not in sec and not (c in cell and "cell columns" in sec)]
        check(sec and not miss, f"docs/catalog.md documents every column of {t} (missing {miss})")

    # the trajectory file's root attribute spec_hash is the catalog's
    import h5py
    sweeps = list(con.execute("SELECT id, spec_hash FROM sweeps"))
    files = sorted({r["traj_file"] for r in rows})
    check(len(files) == 1 and len(sweeps) == 1, f"one run, one trajectory file {files}")
    with h5py.File(os.path.join(tmp, files[0]), "r") as f:
        h = f.attrs["spec_hash"]
        h = h.decode() if isinstance(h, bytes) else str(h)
    check(len(h) == 16 and h == sweeps[0]["spec_hash"], f"HDF5 spec_hash '{h}' == sweeps.spec_hash")
    con.close()
    subprocess.run(["rm", "-rf", tmp])


main()
summary("test_views")
