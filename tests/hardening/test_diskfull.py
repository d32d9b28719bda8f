#!/usr/bin/env python3
"""test_diskfull.py - a disk that fills while a sweep writes: a clean error
(one line naming what could not be written; no crash), the catalog intact
(integrity_check ok, every committed outcome equal to the uninterrupted
run's and its trajectory readable), and a later resume, with room again,
that completes with a catalog equal to an uninterrupted run.

Two ways to fill the disk:
  - a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored: writes past it fail
    with EFBIG) on a one-process run (an MPI singleton; with mpirun the ranks'
    shared-memory files would hit the limit first, and PMIx's shared-memory
    store is switched off with PMIX_MCA_gds=hash for the same reason), at
    two sizes: the catalog's first transaction fails, or the trajectory file
    does not fit;
    A limit found by bisection (on the catalog's own contents) lets the sweep
    in but not its end: the trajectory file does not fit and then the end of
    the sweep does not either; the message must name the first, the trajectory
    file;
  - a small tmpfs for the results directory (needs root and mount; skipped
    otherwise), at sizes from "the trajectory file does not fit" to "the
    catalog fills mid-run", with a 2-rank mpirun; the resume remounts it
    larger.
Whenever the run got to work, the summary's "N tasks done" is what the catalog
holds, and the progress lines keep their denominator (the 240 tasks) however
the run ends.  After each resume no sweep is left 'running' (a run whose end
could not be written is marked 'interrupted' by the next one).
The spec is jobs/smoke.cfg with 12 seeds (240 tasks).
"""
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIASWEEP, ENV, ROOT, check, count, finish, require_binary, sweeptest  # noqa: E402

require_binary()


def spec_file(tmp):
    text = open(os.path.join(ROOT, "jobs", "smoke.cfg")).read()
    assert "seeds = 2;" in text
    path = os.path.join(tmp, "disk.cfg")
    with open(path, "w") as f:
        f.write(text.replace("seeds = 2;", "seeds = 12;"))
    return path


def limited(nbytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600, **kw)
    return p.returncode, p.stdout, p.stderr


def counts_honest(what, out, err, n, total, worked):
    """The summary counts the committed outcomes; the progress lines' denominator stays the planned total."""
    m = re.search(r"sweep run \d+: (\d+) tasks done", out)
    if worked:
        check(m is not None, f"{what}: the run prints its summary ({out.strip()!r})")
    if m:
        check(int(m.group(1)) == n, f"{what}: the summary's 'tasks done' is what the catalog holds ({m.group(1)} vs {n})")
    dens = sorted({int(d) for d in re.findall(r"^progress: \d+/(\d+) tasks", err, re.M)})
    if worked:
        check(dens == [total], f"{what}: every progress line counts of the {total} tasks ({dens})")


def after_failure(what, rc, err, cat, base_rows):
    """The contract of a full disk: a clean error, the catalog intact, what is committed is right."""
    lines = [l for l in err.splitlines() if l.startswith("biasweep run: ")]
    check(rc not in (0, 2) and rc > 0, f"{what}: a failure exit status, not a crash ({rc})")
    check(len(lines) == 1, f"{what}: one error line from biasweep ({err.strip()[-400:]!r})")
    check("Signal" not in err and "Segmentation" not in err, f"{what}: no crash report ({err.strip()[-400:]!r})")
    if not os.path.exists(cat):
        return 0
    check(sweeptest.integrity(cat) == "ok", f"{what}: catalog integrity_check ok")
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    con.close()
    if "outcomes" not in tables:  # the schema's own transaction did not fit: rolled back, an empty file
        check(tables == [], f"{what}: no half-made schema ({tables})")
        return 0
    cols, rows = sweeptest.outcomes(cat)
    i = cols.index("key")
    wrong = [r for r in rows if base_rows.get(r[i]) != r]
    check(not wrong, f"{what}: every committed outcome equals the uninterrupted run's ({len(wrong)} differ)")
    n, bad = sweeptest.trajectories_read_back(cat)
    check(n == len(rows) and bad == 0, f"{what}: every committed outcome's trajectory reads back ({n}, {bad} bad)")
    return len(rows)


def resume(what, cmd, cat, base):
    rc, out, err = run(cmd, env=ENV)
    check(rc == 0, f"{what}: the resume with room again exits 0 ({err.strip()[-300:]})")
    _, rows = sweeptest.outcomes(cat)
    check(rows == base, f"{what}: after the resume the outcomes equal an uninterrupted run ({len(rows)} vs {len(base)})")
    check(sweeptest.integrity(cat) == "ok", f"{what}: integrity_check ok after the resume")
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
    st = con.execute("SELECT state, ended_at FROM sweeps ORDER BY id").fetchall()
    con.close()
    check(st and all(s != "running" and e for s, e in st) and st[-1][0] == "done",
          f"{what}: after the resume no sweep is left running, each has an end ({st})")


def sweep_rows(cat):
    """How many sweeps the catalog holds (0 when it, or its schema, is not there)."""
    try:
        con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True)
        n = con.execute("SELECT count(*) FROM sweeps").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


def main():
    tmp = tempfile.mkdtemp(prefix="bw-disk-")
    mounts = []
    try:
        spec = spec_file(tmp)
        ref = os.path.join(tmp, "ref", "catalog.sqlite")
        os.makedirs(os.path.dirname(ref))
        rc, out, err = run(["mpirun", "-np", "2", BIASWEEP, "run", spec, "--catalog", ref, "--quiet"], env=ENV)
        check(rc == 0, f"uninterrupted reference run: exit 0 ({err.strip()[-300:]})")
        cols, base = sweeptest.outcomes(ref)
        i = cols.index("key")
        base_rows = {r[i]: r for r in base}
        h5size = sum(os.path.getsize(os.path.join(os.path.dirname(ref), f))
                     for f in os.listdir(os.path.dirname(ref)) if f.endswith(".h5"))

        # ---- a file-size limit on a one-process run ----
        env1 = dict(ENV, PMIX_MCA_gds="hash")
        for limit, where in [(40 * 1024, "the catalog's schema"), (72 * 1024, "the sweep's tasks in the catalog"),
                             (512 * 1024, "the trajectory file")]:
            what = f"file-size limit {limit // 1024} KiB ({where} does not fit)"
            d = os.path.join(tmp, f"fsize{limit}")
            os.makedirs(d)
            cat = os.path.join(d, "catalog.sqlite")
            cmd = [BIASWEEP, "run", spec, "--catalog", cat, "--quiet"]
            rc, out, err = run(cmd, env=env1, preexec_fn=limited(limit), restore_signals=False)
            count("disk full")
            print(f"{what}: exit {rc}: {err.strip()[-300:]}")
            n = after_failure(what, rc, err, cat, base_rows)
            check(("trajectory file" if "trajectory" in where else "catalog '") in err,
                  f"{what}: the message names the file ({err.strip()[-200:]!r})")
            print(f"  {n} outcomes committed")
            resume(what, ["mpirun", "-np", "2"] + cmd, cat, base)

        # ---- a limit that lets the sweep in, but neither the trajectory file nor the sweep's end ----
        # the smallest limit (to 1 KiB) at which the catalog holds the sweep: its end, one more WAL
        # frame (4 KiB), does not fit either, after the trajectory file's reservation failed
        lo, hi = 72, 512  # KiB: the sweep does not fit / it does (the cases above)
        tries = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            d = os.path.join(tmp, f"bisect{mid}")
            os.makedirs(d)
            cat = os.path.join(d, "catalog.sqlite")
            run([BIASWEEP, "run", spec, "--catalog", cat, "--quiet"], env=env1, preexec_fn=limited(mid * 1024),
                restore_signals=False)
            tries += 1
            if sweep_rows(cat):
                hi = mid
            else:
                lo = mid
            shutil.rmtree(d)
        what = f"file-size limit {hi} KiB (the sweep fits, the trajectory file and the sweep's end do not)"
        d = os.path.join(tmp, f"fsize-end{hi}")
        os.makedirs(d)
        cat = os.path.join(d, "catalog.sqlite")
        cmd = [BIASWEEP, "run", spec, "--catalog", cat, "--quiet"]
        rc, out, err = run(cmd, env=env1, preexec_fn=limited(hi * 1024), restore_signals=False)
        count("disk full")
        print(f"{what} ({tries} tries): exit {rc}: {err.strip()[-300:]}")
        n = after_failure(what, rc, err, cat, base_rows)
        line = ([l for l in err.splitlines() if l.startswith("biasweep run: ")] or [""])[0]
        check("trajectory file" in line and "smoke-1.h5" in line and "ending the sweep" not in line,
              f"{what}: the message names the trajectory file, the first that did not fit ({line!r})")
        resume(what, ["mpirun", "-np", "2"] + cmd, cat, base)

        # ---- a small file system for the results directory ----
        probe = os.path.join(tmp, "probe")
        os.makedirs(probe)
        can_mount = os.getuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                                                          capture_output=True).returncode == 0
        if can_mount:
            subprocess.run(["umount", probe])
        else:
            print("NOTE: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): the small-disk cases are skipped")
        kinds = set()
        # room for: not the trajectory file; it but little of the catalog; more of the catalog
        for extra_kb in ([0, 96, 160, 224] if can_mount else []):
            size_kb = h5size // 1024 + 64 + extra_kb
            what = f"a {size_kb} KiB tmpfs"
            d = os.path.join(tmp, f"tmpfs{extra_kb}")
            os.makedirs(d)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", d], check=True)
            mounts.append(d)
            cat = os.path.join(d, "catalog.sqlite")
            cmd = ["mpirun", "-np", "2", BIASWEEP, "run", spec, "--catalog", cat]  # progress lines on stderr
            rc, out, err = run(cmd, env=ENV)
            count("disk full")
            if rc == 0:
                print(f"{what}: had room for everything")
                kinds.add("room")
                counts_honest(what, out, err, len(base), len(base), True)
            else:
                print(f"{what}: exit {rc}: {[l for l in err.splitlines() if l.startswith('biasweep')]}")
                n = after_failure(what, rc, err, cat, base_rows)
                kind = ("trajectory file" if "trajectory file" in err else "catalog mid-run" if n > 0 else "catalog")
                kinds.add(kind)
                counts_honest(what, out, err, n, len(base), kind == "catalog mid-run")
                print(f"  {n} outcomes committed; stdout {out.strip()!r}")
            subprocess.run(["mount", "-o", "remount,size=16m", d], check=True)
            resume(what, cmd, cat, base)
        if can_mount:
            print("small-disk failures seen:", sorted(kinds))
            check("trajectory file" in kinds and "catalog mid-run" in kinds,
                  f"the disk filled both at the trajectory file and mid-run in the catalog ({sorted(kinds)})")
    finally:
        for d in mounts:
            subprocess.run(["umount", d], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_diskfull")


if __name__ == "__main__":
    main()
