#!/usr/bin/env python3
"""test_umask.py - every file biasweep writes follows the umask: under umask
077 nothing it makes has a group or other permission bit, and under umask
022 the same files are group/other-readable (the modes come from the umask,
not from a hard-coded 0600 or 0644).

Files: the catalog and its -wal/-shm (mpirun -np 2 run), the trajectory
file, a shard's catalog and trajectory file (run --shard 0/2), run-one
--save's HDF5 file, a merged catalog (biasweep merge), and the
figure, script and data files of biasweep plot (when the build has it and
gnuplot is installed).
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIASWEEP, ENV, check, count, finish, require_binary  # noqa: E402

require_binary()
SPEC = 'name = "um";\nd = 20;\nn = 10;\nkappa = 2;\nseeds = 2;\n' \
       'algorithms = { gd = { steps = 2000; }; label_noise_sgd = { time = 0.2; }; riemannian_flow = { time = 1.0; }; };\n'


def with_umask(mask):
    def pre():
        os.umask(mask)
    return pre


def run(args, mask, **kw):
    p = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=300, preexec_fn=with_umask(mask), **kw)
    return p.returncode, p.stdout, p.stderr


def files_under(d):
    out = []
    for dp, dn, fn in os.walk(d):
        out += [os.path.join(dp, f) for f in fn]
    return sorted(out)


def exercise(d, mask):
    """Everything that writes a file, under umask MASK, into D; returns the files."""
    spec = os.path.join(d, "um.cfg")
    with open(spec, "w") as f:
        f.write(SPEC)
    os.chmod(spec, 0o600)
    res = os.path.join(d, "results")
    os.makedirs(res)
    cat = os.path.join(res, "catalog.sqlite")
    # a run that is interrupted would leave -wal/-shm; a whole run checkpoints and removes them,
    # so the files are listed while a second process holds the catalog open (a reader during the run)
    rc, out, err = run(["mpirun", "-np", "2", BIASWEEP, "run", spec, "--catalog", cat, "--quiet"], mask)
    check(rc == 0, f"umask {mask:03o}: run exits 0 ({err.strip()[-300:]})")
    shard = os.path.join(res, "shard.sqlite")
    rc, out, err = run([BIASWEEP, "run", spec, "--catalog", shard, "--shard", "0/2", "--quiet"], mask)
    check(rc == 0, f"umask {mask:03o}: a shard run (rollback journal) exits 0 ({err.strip()[-300:]})")
    merged = os.path.join(res, "merged.sqlite")
    rc, out, err = run([BIASWEEP, "merge", merged, cat], mask)
    check(rc == 0, f"umask {mask:03o}: merge exits 0 ({err.strip()[-300:]})")
    rc, out, err = run([BIASWEEP, "run-one", "--algo", "gd", "--d", "12", "--n", "6", "--kappa", "2", "--alpha", "0.5",
                        "--steps", "100", "--save", os.path.join(d, "one.h5")], mask)
    check(rc == 0, f"umask {mask:03o}: run-one --save exits 0 ({err.strip()[-300:]})")
    rc, _, _ = run([BIASWEEP, "plot", "--help"], mask)
    if rc == 0 and shutil.which("gnuplot"):
        figs = os.path.join(d, "figs")
        os.makedirs(figs)
        os.chmod(figs, 0o755)
        rc, out, err = run([BIASWEEP, "plot", "trajectory", "--catalog", cat, "--where", "seed=0", "-o",
                            os.path.join(figs, "traj.png")], mask)
        check(rc == 0, f"umask {mask:03o}: plot trajectory exits 0 ({err.strip()[-300:]})")
    else:
        print("NOTE: biasweep plot or gnuplot not available: no figures checked")
    # the WAL and its index exist while the catalog is open: hold it open in a child under the umask
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys, time\n"
                               "c = sqlite3.connect(sys.argv[1]); c.execute('BEGIN'); c.execute('SELECT count(*) FROM outcomes').fetchall()\n"
                               "print('open', flush=True); time.sleep(30)", cat], stdout=subprocess.PIPE, text=True,
                              preexec_fn=with_umask(mask))
    holder.stdout.readline()
    got = files_under(d)
    holder.kill()
    holder.wait()
    return [f for f in got if f != spec]


def main():
    tmp = tempfile.mkdtemp(prefix="bw-umask-")
    try:
        for mask in (0o077, 0o022):
            d = os.path.join(tmp, f"u{mask:03o}")
            os.makedirs(d)
            files = exercise(d, mask)
            kinds = {os.path.basename(f).split(".")[-1].split("-")[-1] for f in files}
            print(f"umask {mask:03o}: {len(files)} files ({', '.join(sorted(kinds))})")
            for want in ("sqlite", "h5", "wal", "shm"):
                check(want in kinds, f"umask {mask:03o}: a .{want} file was made ({sorted(kinds)})")
            for f in files:
                mode = stat.S_IMODE(os.stat(f).st_mode)
                count(f"umask {mask:03o}")
                if mask == 0o077:
                    check(mode & 0o077 == 0, f"umask 077: {os.path.relpath(f, d)} has mode {mode:04o} (group/other bits)")
                else:
                    check(mode & 0o044 == 0o044 and mode & 0o022 == 0,
                          f"umask 022: {os.path.relpath(f, d)} has mode {mode:04o} (want group/other read, no write)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_umask")


if __name__ == "__main__":
    main()
