#!/usr/bin/env python3
"""test_trajfiles.py - a trajectory file belongs to exactly one catalog, and
any --shard is a shard (issue 10, items 1 and 6).

Cases (all in one temporary directory, single-process runs of jobs/smoke.cfg
and of the same sweep name with 3 seeds, "smoke3"):
  twocats   two catalogs in one directory, same sweep name: each run has its
            own file, the first file's bytes survive the second run, every
            row of each catalog holds its own task, and `plot trajectory`
            of each draws that catalog's run
  backup    a copy of a catalog in the same directory, then runs into both:
            the original's files are untouched; a file already at the name
            a run would take is never truncated (the run takes another name)
  swapped   a file swapped in under a catalog (another catalog's of the same
            spec: same keys in the same rows; another spec's; the copy's own
            later run: same catalog_id and run id): `plot trajectory`
            refuses with exit 2, one line naming the file, nothing written
  old       a catalog and file as made before catalog_id existed (no
            catalog_id in meta, no identity attributes, <sweep>-<run>.h5):
            it plots, resumes, and its old rows still plot after the resume
  shard01   --shard 0/1: rollback journal (no -wal, no -shm), sweeps.shard
            '0/1', the file named ...-shard0.h5
The oracles are the catalog's own columns: each row's key (the file's
task_key), ||final w||_1 = outcomes.l1, and for every dynamics but
label_noise_sgd (scored after the projection) the last checkpoint = outcomes
(steps, t, test_error, R).  Needs h5py and numpy (the system python3).
"""
import os
import re
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, check, count, finish, refused, require_binary, run, sha256  # noqa: E402

require_binary()
try:
    import h5py
    import numpy as np
except ImportError:
    print("SKIP h5py/numpy not importable by", sys.executable)
    sys.exit(77)

SMOKE = os.path.join(ROOT, "jobs", "smoke.cfg")
INSTANCE = ["--where", "d=20", "--where", "n=10", "--where", "seed=0"]


def ro(cat):
    return sqlite3.connect(f"file:{cat}?mode=ro", uri=True)


def sweep(args, what):
    rc, out, err = run(["run", *args, "--quiet"])
    check(rc == 0, f"{what}: exit 0 ({err.strip()[-300:]})")
    return rc == 0


def rows_of(cat, where=""):
    con = ro(cat)
    rows = con.execute("SELECT o.key, t.algorithm, t.d, t.n, t.seed, o.traj_file, o.traj_row, o.steps, o.t,"
                       " o.test_error, o.R, o.l1 FROM outcomes o JOIN tasks t USING(key)"
                       " WHERE o.traj_row IS NOT NULL " + where).fetchall()
    con.close()
    return rows


def own_rows(cat, what):
    """Every trajectory row the catalog points at holds its task: key, parameters, final values."""
    bad, rows = [], rows_of(cat)
    base = os.path.dirname(cat)
    for key, algo, d, n, seed, tfile, row, steps, t, err, R, l1 in rows:
        with h5py.File(os.path.join(base, tfile), "r") as f:
            c = int(f["trajectory/count"][row])
            off = int(f["final/w_offset"][row])
            w = f["final/w"][off:off + d]
            ok = (f["task_key"][row].decode() == key and c >= 1 and int(f["params/d"][row]) == d and
                  int(f["params/n"][row]) == n and int(f["params/seed"][row]) == seed and
                  abs(np.abs(w).sum() - l1) <= 1e-12 * max(l1, 1e-300))
            if ok and algo != "label_noise_sgd":
                last = (int(f["trajectory/step"][row, c - 1]), f["trajectory/t"][row, c - 1],
                        f["trajectory/test_error"][row, c - 1], f["trajectory/R"][row, c - 1])
                ok = last == (steps, t, err, R)
        if not ok:
            bad.append((key, tfile, row))
    check(rows and not bad, f"{what}: all {len(rows)} trajectory rows hold the catalog's own tasks (bad: {bad[:3]})")


def plots_own(cat, out, what):
    """`plot trajectory` exits 0 and draws the catalog's own riemannian_flow run of the instance."""
    rc, so, se = run(["plot", "trajectory", "--catalog", cat, *INSTANCE, "-o", out])
    if not check(rc == 0, f"{what}: plot trajectory exits 0 ({se.strip()[-300:]})"):
        return
    (steps, t, err, R), = [r[7:11] for r in rows_of(cat, "AND t.algorithm = 'riemannian_flow' AND t.d = 20"
                                                          " AND t.n = 10 AND t.seed = 0")]
    blocks, cur = {}, None
    for line in open(out[:-4] + ".dat"):
        if line.startswith("# block"):
            cur = line.split(":")[1].split()[0]
            blocks[cur] = []
        elif cur and line.strip() and not line.startswith("#"):
            blocks[cur].append(line.split())
    last = blocks.get("riemannian_flow", [[]])[-1]
    check(len(last) == 5 and int(last[0]) == steps and float(last[3]) == err and float(last[4]) == R,
          f"{what}: the flow's last point is the catalog's final step {steps}, test error {err!r}, R {R!r} ({last})")


def files_of(cat):
    con = ro(cat)
    files = sorted(r[0] for r in con.execute("SELECT DISTINCT traj_file FROM outcomes WHERE traj_file IS NOT NULL"))
    con.close()
    return files


def strip_identity(path):
    """A trajectory file as made before the identity attributes existed."""
    with h5py.File(path, "r+") as f:
        for k in ("catalog_id", "sweep_id", "started_at"):
            if k in f.attrs:
                del f.attrs[k]


def refuses_plot(what, cat, outdir, bad_file):
    count("swapped")
    args = ["plot", "trajectory", "--catalog", cat, *INSTANCE, "-o", os.path.join(outdir, "x.png")]
    refused(f"plot trajectory, {what}", args, dirs=[outdir], files=[cat], sidecars=True,
            want=[os.path.basename(bad_file)])


def guarded(name, fn, *args):
    """Runs one case; an exception (a file that is not there, say) is that case's failure, not the end."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001
        check(False, f"{name}: {type(e).__name__}: {e}")
        return None


def setup(tmp):
    """figs/ for the plots, smoke3.cfg: jobs/smoke.cfg with 3 seeds, the same sweep name."""
    os.makedirs(os.path.join(tmp, "figs"))
    with open(SMOKE) as f:
        text = f.read()
    assert "seeds = 2;" in text and 'name = "smoke";' in text
    with open(os.path.join(tmp, "smoke3.cfg"), "w") as f:
        f.write(text.replace("seeds = 2;", "seeds = 3;"))


def case_catalogs(tmp):
    t = os.path.join(tmp, "t")
    os.makedirs(t)
    figs, smoke3 = os.path.join(tmp, "figs"), os.path.join(tmp, "smoke3.cfg")

    # ---- twocats ----
    count("twocats")
    a, b, c = (os.path.join(t, x + ".sqlite") for x in ("a", "b", "c"))
    if not sweep([SMOKE, "--catalog", a], "smoke into t/a.sqlite"):
        return
    (fa,) = files_of(a)
    sha_a = sha256(os.path.join(t, fa))
    sweep([smoke3, "--catalog", b], "the same sweep name (3 seeds) into t/b.sqlite")
    (fb,) = files_of(b)
    check(fa != fb, f"each catalog has its own trajectory file ({fa}, {fb})")
    check(fa == "a-smoke-1.h5" and fb == "b-smoke-1.h5", "named <catalog stem>-<sweep>-<run>.h5")
    check(sha256(os.path.join(t, fa)) == sha_a, "a's trajectory file is byte-identical after b's run")
    own_rows(a, "t/a.sqlite")
    own_rows(b, "t/b.sqlite")
    plots_own(a, os.path.join(figs, "a.png"), "t/a.sqlite")
    plots_own(b, os.path.join(figs, "b.png"), "t/b.sqlite")
    sweep([SMOKE, "--catalog", c], "the same spec into t/c.sqlite")  # same keys in the same rows as a's

    # ---- backup ----
    count("backup")
    bak = os.path.join(t, "a-backup.sqlite")
    shutil.copy(a, bak)
    sweep([smoke3, "--catalog", bak], "smoke3 into the backup copy t/a-backup.sqlite")
    check(sha256(os.path.join(t, fa)) == sha_a, "a's trajectory file is byte-identical after the backup's run")
    new_bak = [f for f in files_of(bak) if f != fa]
    check(new_bak == ["a-backup-smoke-2.h5"], f"the backup's run has a file of its own ({new_bak})")
    own_rows(a, "t/a.sqlite after the backup's run")
    own_rows(bak, "the backup")
    plots_own(a, os.path.join(figs, "a2.png"), "t/a.sqlite after the backup's run")
    # a file already at the name a's next run would take (a restored catalog's, another's): kept whole
    count("backup")
    squat = os.path.join(t, "a-smoke-2.h5")
    shutil.copy(os.path.join(t, new_bak[0]), squat)
    sha_squat = sha256(squat)
    sweep([smoke3, "--catalog", a], "smoke3 into t/a.sqlite with a-smoke-2.h5 already there")
    check(sha256(squat) == sha_squat, "the existing a-smoke-2.h5 is not truncated or written")
    new_a = [f for f in files_of(a) if f != fa]
    check(new_a == ["a-smoke-2.2.h5"], f"the run took the next free name ({new_a})")
    check(sha256(os.path.join(t, fa)) == sha_a, "a's first file is still byte-identical")
    own_rows(a, "t/a.sqlite after its second run")
    own_rows(bak, "the backup after a's second run")

    # ---- swapped ----
    target = os.path.join(t, fa)
    keep = target + ".keep"
    shutil.copy(target, keep)
    shutil.copy(os.path.join(t, files_of(c)[0]), target)
    refuses_plot("another catalog's file of the same spec swapped in", a, figs, target)
    shutil.copy(os.path.join(t, fb), target)
    refuses_plot("another spec's file swapped in", a, figs, target)
    shutil.copy(keep, target)
    plots_own(a, os.path.join(figs, "a3.png"), "t/a.sqlite with its own file back")
    # the copy's own later run: same catalog_id and run id 2, same keys in the same rows, another run
    count("swapped")
    con = ro(a)
    q = "SELECT traj_file, traj_row FROM outcomes o JOIN tasks t USING(key) WHERE t.algorithm = " \
        "'riemannian_flow' AND t.d = 20 AND t.n = 10 AND t.seed = 2"
    row_a = con.execute(q).fetchone()
    con.close()
    con = ro(bak)
    row_b = con.execute(q).fetchone()
    con.close()
    check(row_a == ("a-smoke-2.2.h5", row_b[1]) and row_b[0] == "a-backup-smoke-2.h5",
          f"the copy's run 2 holds the same task in the same row ({row_a}, {row_b})")
    inst2 = ["--where", "d=20", "--where", "n=10", "--where", "seed=2"]
    second = os.path.join(t, "a-smoke-2.2.h5")
    shutil.copy(second, keep)
    shutil.copy(os.path.join(t, "a-backup-smoke-2.h5"), second)
    refused("plot trajectory, the backup copy's run 2 swapped in",
            ["plot", "trajectory", "--catalog", a, *inst2, "-o", os.path.join(figs, "x.png")],
            dirs=[figs], files=[a], sidecars=True, want=["a-smoke-2.2.h5", "another run"])
    shutil.copy(keep, second)
    rc, so, se = run(["plot", "trajectory", "--catalog", a, *inst2, "-o", os.path.join(figs, "a4.png")])
    check(rc == 0, f"its own run 2 file back: plot exits 0 ({se.strip()})")


def case_old(tmp):
    count("old")
    figs, smoke3 = os.path.join(tmp, "figs"), os.path.join(tmp, "smoke3.cfg")
    old_dir = os.path.join(tmp, "old")
    os.makedirs(old_dir)
    old = os.path.join(old_dir, "catalog.sqlite")
    sweep([SMOKE, "--catalog", old], "smoke into old/catalog.sqlite")
    (of,) = files_of(old)
    os.rename(os.path.join(old_dir, of), os.path.join(old_dir, "smoke-1.h5"))
    strip_identity(os.path.join(old_dir, "smoke-1.h5"))
    con = sqlite3.connect(old)
    con.execute("DELETE FROM meta WHERE key = 'catalog_id'")
    con.execute("UPDATE outcomes SET traj_file = 'smoke-1.h5'")
    con.commit()
    con.close()
    sha_old = sha256(os.path.join(old_dir, "smoke-1.h5"))
    plots_own(old, os.path.join(figs, "old.png"), "an old catalog")
    sweep([smoke3, "--catalog", old], "the old catalog resumes (smoke3)")
    con = ro(old)
    cid = con.execute("SELECT value FROM meta WHERE key = 'catalog_id'").fetchone()
    con.close()
    check(cid is not None and re.fullmatch("[0-9a-f]{16}", cid[0]), f"it got a catalog_id ({cid})")
    check(files_of(old) == ["catalog-smoke-2.h5", "smoke-1.h5"], f"the resume's file ({files_of(old)})")
    with h5py.File(os.path.join(old_dir, "catalog-smoke-2.h5"), "r") as f:
        check(f.attrs["catalog_id"].decode() == cid[0] and int(f.attrs["sweep_id"]) == 2,
              "the new file carries the catalog's identity")
    check(sha256(os.path.join(old_dir, "smoke-1.h5")) == sha_old, "the old file is untouched")
    own_rows(old, "the old catalog after its resume")
    plots_own(old, os.path.join(figs, "old2.png"), "the old catalog's old rows after its resume")
    # its old file replaced by another old-format file (another spec's): the rows' keys decide
    count("old")
    other = os.path.join(old_dir, "other.sqlite")
    sweep([smoke3, "--catalog", other], "smoke3 into old/other.sqlite")
    shutil.copy(os.path.join(old_dir, files_of(other)[0]), os.path.join(old_dir, "smoke-1.h5"))
    strip_identity(os.path.join(old_dir, "smoke-1.h5"))
    refused("plot trajectory, an old catalog's file replaced", ["plot", "trajectory", "--catalog", old, *INSTANCE,
                                                                  "-o", os.path.join(figs, "x.png")],
            dirs=[figs], files=[old], sidecars=True, want=["smoke-1.h5", "holds task"])
    # a malformed catalog_id is bad input: refused before anything is written
    count("old")
    con = sqlite3.connect(old)
    con.execute("UPDATE meta SET value = 'not-an-id' WHERE key = 'catalog_id'")
    con.commit()
    con.close()
    refused("run into a catalog with a malformed catalog_id", ["run", SMOKE, "--catalog", old, "--quiet"],
            dirs=[old_dir], files=[old], want=["catalog_id"])


def case_shard01(tmp):
    count("shard01")
    sh = os.path.join(tmp, "shards")
    os.makedirs(sh)
    s0 = os.path.join(sh, "shard-0.sqlite")
    sweep([SMOKE, "--catalog", s0, "--shard", "0/1"], "--shard 0/1")
    con = ro(s0)
    mode = con.execute("PRAGMA journal_mode").fetchone()[0]
    label = con.execute("SELECT group_concat(shard) FROM sweeps").fetchone()[0]
    con.close()
    check(mode == "delete", f"--shard 0/1: journal_mode delete (got {mode})")
    check(label == "0/1", f"--shard 0/1: sweeps.shard '0/1' (got {label!r})")
    check(files_of(s0) == ["shard-0-smoke-1-shard0.h5"], f"--shard 0/1: the file is -shard0 ({files_of(s0)})")
    left = sorted(os.listdir(sh))
    check(left == ["shard-0-smoke-1-shard0.h5", "shard-0.sqlite"], f"--shard 0/1: no -wal or -shm ({left})")
    own_rows(s0, "--shard 0/1")


def main():
    tmp = tempfile.mkdtemp(prefix="bw-trajfiles-")
    try:
        setup(tmp)
        guarded("twocats, backup, swapped", case_catalogs, tmp)
        guarded("old", case_old, tmp)
        guarded("shard01", case_shard01, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_trajfiles")


if __name__ == "__main__":
    main()
