#!/usr/bin/env python3
"""test_plot.py - `biasweep plot` on two small catalogs.

  * the hand-made catalog of mkplotcat.c (argv[1]): interpolated n* in every
    flow / label-noise cell, so the fits are real numbers, a cell with n*
    above its largest n and one whose interval is open above;
  * a real one: `biasweep run jobs/smoke.cfg` with one rank into a temporary
    directory (with its trajectory file), for the trajectory plot.

Every kind is drawn as PNG and as SVG: the image must be non-empty, a PNG
(signature) or an SVG (parses as XML, root <svg>), the script FILE.gp and
the data files must exist, and gnuplot must print nothing.  The numbers in
the data files of nstar-d / nstar-klnd must equal `biasweep curve --format
csv` (n*, interval, n50), the fits `curve --fit`, the pooled flow +
label-noise fit a least-squares fit of curve's numbers done here, and the
phase data `curve --points`.  `gnuplot FILE.gp` run from another directory
must redraw the image.  Bad input (unknown kind, -o not .png/.svg, a
directory that does not exist, nothing matching, no -o, a trajectory
selection that is not one instance, runs without trajectories) must exit 2
with one line on stderr and write nothing; without gnuplot on PATH the
command fails (exit 1).  gnuplot itself is required: without it the test
fails (CI installs gnuplot-nox).
"""
import csv
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIASWEEP = os.environ["BIASWEEP"]
SOURCE_ROOT = os.environ["SOURCE_ROOT"]
MKPLOTCAT = sys.argv[1]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def run(*args, env=None, cwd=None):
    p = subprocess.run([BIASWEEP, *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def num(s):
    """A data-file or CSV field as a float (NaN for none)."""
    s = s.strip()
    return math.nan if s in ("", "NaN", "nan") else float(s)


def same(a, b, rel=0.0):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(b))


def data_rows(path):
    """Non-comment, non-blank lines of a data file, split on whitespace, and the block of each."""
    rows, block, blank = [], 0, 0
    with open(path) as f:
        for line in f:
            if not line.strip():
                blank += 1
                continue
            if line.startswith("#"):
                continue
            if blank >= 2 and rows:
                block += 1
            blank = 0
            rows.append((block, line.split()))
    return rows


def check_image(path):
    if not check(os.path.isfile(path) and os.path.getsize(path) > 0, f"{path}: no image"):
        return
    with open(path, "rb") as f:
        head = f.read()
    if path.endswith(".png"):
        check(head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG")
    else:
        try:
            root = ET.fromstring(head)
            check(root.tag.endswith("svg"), f"{path}: root element {root.tag}")
        except ET.ParseError as e:
            fail(f"{path}: not XML: {e}")


def plot_ok(kind, cat, out, *extra):
    rc, so, se = run("plot", kind, "--catalog", cat, *extra, "-o", out)
    check(rc == 0, f"plot {kind} {extra} -o {out}: exit {rc}: {se.strip()}")
    check(se == "", f"plot {kind} -o {out}: stderr (gnuplot warnings?): {se.strip()}")
    check_image(out)
    base = out[:-4]
    check(os.path.isfile(base + ".gp"), f"{base}.gp missing")
    check(os.path.isfile(base + ".dat"), f"{base}.dat missing")
    want = {"nstar-d": ["-fit.dat", "-dt.dat"], "nstar-klnd": ["-fit.dat"], "phase": ["-dt.dat"]}.get(kind, [])
    for suf in want:
        check(os.path.isfile(base + suf), f"{base}{suf} missing")
    return base


CELL = ("algorithm", "design", "wstar", "d", "kappa", "alpha", "eta", "sigma", "batch", "eps")


def cell_key(vals):
    return (vals[0], vals[1], vals[2], int(vals[3]), int(vals[4])) + tuple(num(v) for v in vals[5:10])


def key_str(k):
    return tuple("nan" if isinstance(x, float) and math.isnan(x) else x for x in k)


def check_nstar_data(base, cat, where=()):
    W = [a for w in where for a in ("--where", w)]
    rc, out, err = run("curve", "--catalog", cat, *W, "--format", "csv")
    check(rc == 0, f"curve: {err}")
    curve = {key_str(cell_key([r[c] for c in CELL])): r for r in csv.DictReader(io.StringIO(out))}
    rows = data_rows(base + ".dat")
    seen = set()
    for _, v in rows:
        if not check(len(v) == 19, f"{base}.dat: {len(v)} columns in {v}"):
            continue
        k = key_str(cell_key(v[:10]))
        seen.add(k)
        c = curve.get(k)
        if not check(c is not None, f"{base}.dat: cell {k} not in curve's output"):
            continue
        for col, name in ((11, "nstar"), (12, "nstar_lo"), (13, "nstar_hi"), (16, "n50_dt"), (14, "n_min"),
                          (15, "n_max"), (17, "seeds")):
            check(same(num(v[col]), num(c[name])), f"{base}.dat {k}: {name} {v[col]} != curve {c[name]}")
        check(same(num(v[10]), int(v[4]) * math.log(int(v[3])), 1e-12), f"{base}.dat {k}: kappa_ln_d {v[10]}")
        note = c["note"]
        censor = 1 if "n* <= min n" in note else 2 if "n* > max n" in note else 0
        check(int(v[18]) == censor, f"{base}.dat {k}: censor {v[18]}, curve's note '{note}'")
    check(seen == set(curve), f"{base}.dat: cells {len(seen)} != curve's {len(curve)}")
    return curve


def check_fits(base, cat, curve):
    rc, out, err = run("curve", "--catalog", cat, "--fit", "--format", "csv")
    check(rc == 0, f"curve --fit: {err}")
    want = {(r["algorithm"], r["against"]): r for r in csv.DictReader(io.StringIO(out))}
    got = {}
    for _, v in data_rows(base + "-fit.dat"):
        got[(v[0], v[1])] = v
    for k, r in want.items():
        v = got.get(k)
        if not check(v is not None, f"{base}-fit.dat: no fit {k}"):
            continue
        check(int(v[2]) == int(r["cells"]), f"{base}-fit.dat {k}: cells {v[2]} != {r['cells']}")
        for col, name in ((3, "slope"), (4, "intercept"), (5, "r2"), (6, "slope_se")):
            check(same(num(v[col]), num(r[name])), f"{base}-fit.dat {k}: {name} {v[col]} != curve {r[name]}")
    # the pooled flow + label-noise fit, redone here from curve's n*
    xs, ys = [], []
    for c in curve.values():
        if c["algorithm"] in ("label_noise_sgd", "riemannian_flow") and c["nstar"] and "n*" not in c["note"]:
            xs.append(int(c["kappa"]) * math.log(int(c["d"])))
            ys.append(float(c["nstar"]))
    v = got.get(("label_noise_sgd+riemannian_flow", "kappa_ln_d"))
    if len(xs) >= 2 and check(v is not None, f"{base}-fit.dat: no pooled fit"):
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        icpt = my - slope * mx
        sst = sum((y - my) ** 2 for y in ys)
        sse = sum((y - icpt - slope * x) ** 2 for x, y in zip(xs, ys))
        check(int(v[2]) == n, f"pooled fit: {v[2]} cells, want {n}")
        check(same(num(v[3]), slope, 1e-9), f"pooled slope {v[3]} != {slope}")
        check(same(num(v[4]), icpt, 1e-9), f"pooled intercept {v[4]} != {icpt}")
        check(same(num(v[5]), 1 - sse / sst, 1e-9), f"pooled r2 {v[5]} != {1 - sse / sst}")
        return num(v[3]), num(v[4])
    return None


def check_klnd_fits(base, cat):
    # the per-algorithm fit line is drawn only where curve --fit's R^2 (against kappa ln d) is >= 0.6
    rc, out, err = run("curve", "--catalog", cat, "--fit", "--format", "csv")
    r2 = {r["algorithm"]: num(r["r2"]) for r in csv.DictReader(io.StringIO(out)) if r["against"] == "kappa_ln_d"}
    gp = open(base + ".gp").read()
    panels = gp.split("# ---- panel: ")[1:]
    check(len(panels) > 0 and any(v < 0.6 for v in r2.values()) and any(v >= 0.6 for v in r2.values()),
          f"{base}: the hand catalog should have fits on both sides of R^2 = 0.6 ({r2})")
    for i, panel in enumerate(panels):
        algo = panel.split("\n", 1)[0].strip()
        drawn = f"slope{i}*x + intercept{i} with lines" in panel
        if algo in r2 and math.isfinite(r2[algo]):
            check(drawn == (r2[algo] >= 0.6), f"{base}.gp: {algo} fit (R^2 = {r2[algo]:.3f}) drawn: {drawn}")


def check_phase_data(base, cat):
    rc, out, err = run("curve", "--catalog", cat, "--points", "--format", "csv")
    check(rc == 0, f"curve --points: {err}")
    want = {}
    for r in csv.DictReader(io.StringIO(out)):
        want[key_str(cell_key([r[c] for c in CELL])) + (num(r["n"]),)] = r
    got = set()
    for _, v in data_rows(base + ".dat"):
        if not check(len(v) == 16, f"{base}.dat: {len(v)} columns"):
            continue
        k = key_str(cell_key(v[:10])) + (num(v[10]),)
        got.add(k)
        r = want.get(k)
        if not check(r is not None, f"{base}.dat: point {k} not in curve --points"):
            continue
        check(int(v[13]) == int(r["ran"]) + int(r["imputed"]) and int(v[14]) == int(r["successes"]), f"{base}.dat {k}: counts")
        check(same(num(v[15]), num(r["rate"])), f"{base}.dat {k}: rate {v[15]} != {r['rate']}")
        check(same(num(v[11]), num(v[10]) / int(v[3]), 1e-12), f"{base}.dat {k}: n/d")
        check(same(num(v[12]), int(v[4]) / num(v[10]), 1e-12), f"{base}.dat {k}: kappa/n")
    check(got == set(want), f"{base}.dat: {len(got)} points, curve --points has {len(want)}")


def listing(d):
    return sorted(os.listdir(d))


def bad(args, outdir, what, env=None, code=2):
    before = listing(outdir)
    rc, so, se = run("plot", *args, env=env)
    check(rc == code, f"{what}: exit {rc}, want {code} ({se.strip()})")
    if code == 2:
        check(so == "", f"{what}: stdout {so!r}")
        check(len(se.strip().splitlines()) == 1, f"{what}: stderr is not one line: {se!r}")
        check(listing(outdir) == before, f"{what}: wrote {set(listing(outdir)) - set(before)}")
    return se


if not shutil.which("gnuplot"):
    print("FAIL: gnuplot is not installed (apt-get install gnuplot-nox); biasweep plot needs it")
    sys.exit(1)

tmp = tempfile.mkdtemp(prefix="bw-plot-")
try:
    # ---- the catalogs ---------------------------------------------------------------
    hand = os.path.join(tmp, "hand", "catalog.sqlite")
    os.makedirs(os.path.dirname(hand))
    subprocess.run([MKPLOTCAT, hand], check=True)
    smoke_dir = os.path.join(tmp, "smoke")
    os.makedirs(smoke_dir)
    smoke = os.path.join(smoke_dir, "catalog.sqlite")
    rc, so, se = run("run", os.path.join(SOURCE_ROOT, "jobs", "smoke.cfg"), "--catalog", smoke, "--quiet")
    if not check(rc == 0, f"smoke run: exit {rc}: {se}"):
        sys.exit(1)
    check(any(f.endswith(".h5") for f in os.listdir(smoke_dir)), "smoke run wrote no trajectory file")

    # ---- every kind, PNG and SVG ---------------------------------------------------------
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    for ext in ("png", "svg"):
        for kind in ("nstar-d", "nstar-klnd", "phase"):
            base = plot_ok(kind, hand, os.path.join(out, f"hand-{kind}-{ext}.{ext}"))
            if kind == "phase":
                check_phase_data(base, hand)
                pg = open(base + ".gp").read()
                check(pg.count("unset colorbox") == pg.count("# ---- panel:") - 1 and "($13 >= 1 ? NaN : $13)" in pg,
                      f"{base}.gp: one colour bar, n = kappa probes not drawn")
            else:
                curve = check_nstar_data(base, hand)
                ab = check_fits(base, hand, curve)
                check(ab is not None, f"{base}: no pooled fit on the hand catalog")
                if kind == "nstar-d" and ab:
                    gp = open(base + ".gp").read()
                    lines = dict(l.split(" = ", 1) for l in gp.splitlines() if l[:4] in ("a = ", "b = "))
                    check(same(num(lines.get("a", "nan")), ab[0]) and same(num(lines.get("b", "nan")), ab[1]),
                          f"{base}.gp: a, b = {lines} != the fit {ab}")
                    # the hand catalog has a cell above its largest n and one open above: drawn
                    check("n^* above the largest n tried" in gp and "with vectors" in gp, f"{base}.gp: censoring")
                    # an open interval is a dashed line, not an arrowhead that reads as a point; n = d is drawn
                    # first (under the series), and the series stand side by side
                    check("vectors nohead dt (6,4)" in gp and "head filled" not in gp,
                          f"{base}.gp: an open interval is drawn with an arrowhead")
                    check(all("x with lines lc rgb '#d9c8ea' lw 9 notitle" in p.split("plot ", 1)[1].split(",")[0]
                              for p in gp.split("# ---- panel:")[1:]), f"{base}.gp: n = d is not drawn first")
                    check("using ($4*" in gp, f"{base}.gp: the series are not side by side")
                if kind == "nstar-klnd":
                    check_klnd_fits(base, hand)
            base = plot_ok(kind, smoke, os.path.join(out, f"smoke-{kind}-{ext}.{ext}"))
            if kind == "phase":
                check_phase_data(base, smoke)
            else:
                check_nstar_data(base, smoke)
        # --where reaches the data
        base = plot_ok("nstar-d", hand, os.path.join(out, f"where-{ext}.{ext}"), "--where", "algorithm=riemannian_flow",
                       "--where", "kappa=4")
        check_nstar_data(base, hand, ("algorithm=riemannian_flow", "kappa=4"))
        check(all(v[0] == "riemannian_flow" and v[4] == "4" for _, v in data_rows(base + ".dat")), "--where ignored")

        base = plot_ok("trajectory", smoke, os.path.join(out, f"traj-{ext}.{ext}"), "--where", "d=20", "--where", "n=10",
                       "--where", "seed=0")
        rows = data_rows(base + ".dat")
        blocks = {b for b, _ in rows}
        check(len(blocks) == 2, f"trajectory: {len(blocks)} runs, want label_noise_sgd and riemannian_flow")
        text = open(base + ".dat").read()
        check("label_noise_sgd" in text and "riemannian_flow" in text, "trajectory: runs")
        for b in blocks:
            steps = [int(v[0]) for bb, v in rows if bb == b]
            ts = [num(v[1]) for bb, v in rows if bb == b]
            check(len(steps) >= 2 and steps == sorted(steps) and ts == sorted(ts), f"trajectory block {b}: {steps}")
            check(all(math.isfinite(num(x)) for bb, v in rows if bb == b for x in v[1:]), f"trajectory block {b}")

    # ---- the script redraws the figure from anywhere ------------------------------------------------
    img = os.path.join(out, "hand-nstar-d-png.png")
    os.unlink(img)
    p = subprocess.run(["gnuplot", os.path.join(out, "hand-nstar-d-png.gp")], cwd="/", capture_output=True, text=True)
    check(p.returncode == 0 and p.stderr == "", f"gnuplot FILE.gp from /: {p.returncode} {p.stderr}")
    check_image(img)

    # ---- bad input: exit 2, one line, nothing written -----------------------------------------------
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    o = os.path.join(empty, "x.png")
    bad(["nstar-x", "--catalog", hand, "-o", o], empty, "unknown kind")
    bad(["nstar-d", "--catalog", hand, "-o", os.path.join(empty, "x.jpg")], empty, "-o x.jpg")
    bad(["nstar-d", "--catalog", hand, "-o", os.path.join(empty, "x")], empty, "-o without extension")
    bad(["nstar-d", "--catalog", hand, "-o", os.path.join(empty, "missing", "x.png")], empty, "missing directory")
    bad(["nstar-d", "--catalog", hand, "-o", os.path.join(empty, "x\n.png")], empty, "control character in -o")
    bad(["nstar-d", "--catalog", hand], empty, "no -o")
    for kind in ("nstar-d", "nstar-klnd", "phase"):
        bad([kind, "--catalog", hand, "--where", "d=99", "-o", o], empty, f"{kind}: no matching rows")
    bad(["phase", "--catalog", hand, "--where", "dd=3", "-o", o], empty, "unknown column")
    se = bad(["trajectory", "--catalog", smoke, "--where", "d=20", "-o", o], empty, "trajectory of many instances")
    # the suggestion names an instance that exists: plotting it works and draws R(w*) = 8 kappa (a +-1
    # design, w* of signs: R = (8/n) sum_j c_j |w*_j| with c_j = n)
    sug = se.split("e.g.", 1)[1].split("(")[0].split() if "e.g." in se else []
    conds = ["d=20"] + [sug[i + 1] for i in range(0, len(sug) - 1, 2) if sug[i] == "--where"]
    check(len(conds) >= 3 and any(c.startswith("n=") for c in conds), f"trajectory: suggestion {se.strip()}")
    args = [a for c in conds for a in ("--where", c)]
    tb = plot_ok("trajectory", smoke, os.path.join(out, "suggested.png"), *args)
    tgp = open(tb + ".gp").read()
    rstar = [l.split(" = ", 1)[1] for l in tgp.splitlines() if l.startswith("Rstar = ")]
    kappa = {r["kappa"] for r in csv.DictReader(io.StringIO(run("query", "--catalog", smoke, *[
        a for c in conds for a in ("--where", c)], "--format", "csv")[1]))}
    check(len(rstar) == 1 and len(kappa) == 1 and same(num(rstar[0]), 8 * int(kappa.pop()), 1e-12),
          f"trajectory: Rstar {rstar}, want 8 kappa")
    bad(["trajectory", "--catalog", smoke, "--where", "d=21", "-o", o], empty, "trajectory: nothing matches")
    bad(["trajectory", "--catalog", hand, "--where", "d=32", "--where", "kappa=2", "--where", "n=10",
         "--where", "seed=0", "-o", o], empty, "trajectory without trajectory files")

    # ---- names from a crafted catalog cannot inject gnuplot commands ----------------------------------
    # (a quote to end a string, a newline to end a command); the catalog API never writes such names
    import sqlite3
    quote = "x'; system('touch PWNED') #"
    newline = "y\nsystem('touch PWNED2')"
    for i, updates in enumerate((
            [("UPDATE tasks SET design = ?", (quote,))],
            [("UPDATE tasks SET design = ? WHERE algorithm = 'riemannian_flow' AND d = 32", (quote,)),
             ("UPDATE tasks SET design = ? WHERE algorithm = 'riemannian_flow' AND d = 64", (newline,)),
             ("UPDATE tasks SET wstar = ? WHERE algorithm = 'gd' AND d = 32", (newline,))])):
        evil_dir = os.path.join(tmp, f"evil{i}")
        os.makedirs(evil_dir)
        evil = os.path.join(evil_dir, "catalog.sqlite")
        src = sqlite3.connect(hand)
        dst = sqlite3.connect(evil)
        src.backup(dst)
        src.close()
        for sql, args in updates:
            dst.execute(sql, args)
        dst.commit()
        dst.close()
        for kind in ("nstar-d", "nstar-klnd", "phase"):
            img = os.path.join(evil_dir, f"{kind}.png")
            p = subprocess.run([BIASWEEP, "plot", kind, "--catalog", evil, "-o", img], capture_output=True, text=True,
                               cwd=evil_dir, timeout=300)
            check(p.returncode == 0, f"crafted catalog {i}, {kind}: exit {p.returncode}: {p.stderr.strip()}")
            check_image(img)
            gp = open(os.path.join(evil_dir, f"{kind}.gp")).read()
            check(not any(l.lstrip().startswith("system") for l in gp.splitlines()), f"{kind}.gp: a system line")
        check(not any(f.startswith("PWNED") for f in os.listdir(evil_dir)), f"crafted catalog {i}: injected")

    # ---- gnuplot missing: an error (exit 1), not a silent success -------------------------------------
    env = dict(os.environ, PATH=empty)
    se = bad(["nstar-d", "--catalog", hand, "-o", o], empty, "no gnuplot", env=env, code=1)
    check("gnuplot" in se, f"no gnuplot: message {se!r}")
    check(not os.path.exists(o), "no gnuplot: an image appeared")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("plot tests:", "FAILED" if fails else "ok", f"({fails} failures)")
sys.exit(1 if fails else 0)
