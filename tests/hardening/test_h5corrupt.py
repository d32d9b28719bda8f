#!/usr/bin/env python3
"""test_h5corrupt.py - truncated and corrupt HDF5 trajectory files are bad
input: the reader (bw_trajfile_read_row, behind `biasweep plot trajectory`)
refuses them with one line and BW_EINVAL (exit status 2), never reads past
its caller's buffers, and `plot trajectory` writes nothing; `run-one --save`
over an existing corrupt file replaces it with a whole new one.

Usage: test_h5corrupt.py H5ROW   (H5ROW: tests/hardening/h5row.c, built by meson)
Needs h5py and numpy (system python3) to craft the damaged files.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ENV, ROOT, check, count, finish, refused, require_binary, run  # noqa: E402

require_binary()
H5ROW = sys.argv[1]
try:
    import h5py
    import numpy as np
except ImportError:
    print("SKIP h5py/numpy not importable by", sys.executable)
    sys.exit(77)

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def h5row(path, row, d):
    p = subprocess.run([H5ROW, path, str(row), str(d)], capture_output=True, text=True, errors="replace",
                       timeout=120, env=ENV)
    return p.returncode, p.stdout, p.stderr


def damaged(what, path, row, d, want=None):
    count("hdf5")
    rc, out, err = h5row(path, row, d)
    check(rc == 2, f"{what}: the reader refuses with exit 2 (got {rc}: {err.strip()[-300:]!r})")
    check(out == "", f"{what}: no rows printed ({out[:200]!r})")
    check(len(err.splitlines()) == 1 and err.startswith("h5row: "), f"{what}: one line ({err[-300:]!r})")
    if want:
        check(want in err, f"{what}: the message says {want!r} ({err.strip()!r})")


def variant(src, tmp, name, fn):
    dst = os.path.join(tmp, name + ".h5")
    shutil.copy(src, dst)
    fn(dst)
    return dst


def main():
    tmp = tempfile.mkdtemp(prefix="bw-h5-")
    try:
        spec = os.path.join(tmp, "traj.cfg")
        with open(spec, "w") as f:
            f.write('name = "traj";\nd = 20;\nn = 10;\nkappa = 2;\nseeds = 2;\n'
                    'algorithms = { label_noise_sgd = { time = 0.2; }; riemannian_flow = { time = 1.0; }; };\n')
        cat = os.path.join(tmp, "catalog.sqlite")
        rc, out, err = run(["run", spec, "--catalog", cat, "--quiet"])
        if not check(rc == 0, f"a run to make a trajectory file: exit 0 ({err.strip()})"):
            finish("test_h5corrupt")
        con = sqlite3.connect(cat)
        rows = con.execute("SELECT o.traj_file, o.traj_row, t.d FROM outcomes o JOIN tasks t USING(key) "
                           "WHERE o.traj_row IS NOT NULL ORDER BY o.traj_row").fetchall()
        con.close()
        tfile, row, d = rows[0]
        good = os.path.join(tmp, tfile)
        rc, out, err = h5row(good, row, d)
        check(rc == 0 and out.startswith("count "), f"the intact file reads ({rc}: {err.strip()})")
        with open(good, "rb") as f:
            data = f.read()
        size = len(data)

        def write(path, b):
            with open(path, "wb") as f:
                f.write(b)

        # ---- damaged bytes ----
        damaged("empty file", variant(good, tmp, "empty", lambda p: write(p, b"")), row, d, "not a biasweep trajectory file")
        damaged("truncated to the superblock", variant(good, tmp, "t96", lambda p: write(p, data[:96])), row, d,
                "truncated or corrupt")
        damaged("truncated to 4 KiB", variant(good, tmp, "t4k", lambda p: write(p, data[:4096])), row, d)
        damaged("truncated to half", variant(good, tmp, "thalf", lambda p: write(p, data[:size // 2])), row, d)
        damaged("truncated by one byte", variant(good, tmp, "t1", lambda p: write(p, data[:-1])), row, d)
        damaged("a text file", variant(good, tmp, "text", lambda p: write(p, b"not hdf5\n" * 100)), row, d,
                "not a biasweep trajectory file")
        damaged("random bytes", variant(good, tmp, "random", lambda p: write(p, os.urandom(size))), row, d)
        damaged("superblock overwritten", variant(good, tmp, "super", lambda p: write(p, data[:8] + os.urandom(56) +
                                                                                   data[64:])), row, d)
        # bytes flipped in the middle may land in raw data (then the row reads, with other numbers) or in
        # metadata (a refusal); either way no crash and no overrun: ASan watches in build-asan
        for k in range(8):
            rng = np.random.default_rng(k)
            b = bytearray(data)
            for pos in rng.integers(512, size, 64):
                b[pos] ^= 0xFF
            p = variant(good, tmp, f"flip{k}", lambda p: write(p, bytes(b)))
            count("hdf5")
            rc, out, err = h5row(p, row, d)
            check(rc in (0, 2), f"64 flipped bytes #{k}: exit 0 or 2, no crash (got {rc}: {err.strip()[-200:]!r})")
            if rc == 0:
                c = int(out.split()[1])
                check(-1 <= c <= 200 and len(out.splitlines()) == c + 2, f"flipped #{k}: count {c} within the buffer")

        # ---- a valid HDF5 file with the wrong contents ----
        def h5(fn):
            def edit(p):
                with h5py.File(p, "r+") as f:
                    fn(f)
            return edit
        damaged("an HDF5 file of something else", variant(good, tmp, "other", lambda p: h5py.File(p, "w").close()),
                row, d, "not a biasweep trajectory file")
        damaged("a count beyond the checkpoint slots (overrun)",
                variant(good, tmp, "count1000", h5(lambda f: f["trajectory/count"].__setitem__(row, 1000))), row, d,
                "is corrupt")
        damaged("a negative count", variant(good, tmp, "countneg", h5(lambda f: f["trajectory/count"].__setitem__(row, -7))),
                row, d, "is corrupt")
        damaged("w_offset beyond final/w",
                variant(good, tmp, "woff", h5(lambda f: f["final/w_offset"].__setitem__(row, 10 ** 12))), row, d)
        damaged("w_offset negative",
                variant(good, tmp, "woffneg", h5(lambda f: f["final/w_offset"].__setitem__(row, -5))), row, d, "is corrupt")

        def short_steps(f):
            del f["trajectory/step"]
            f.create_dataset("trajectory/step", data=np.zeros(3, dtype="i8"))
        damaged("trajectory/step of the wrong shape", variant(good, tmp, "shape", h5(short_steps)), row, d)

        def no_w(f):
            del f["final/w"]
        damaged("final/w missing", variant(good, tmp, "now", h5(no_w)), row, d)
        damaged("a row beyond the file", good, 10 ** 6, d, "no such row")

        # ---- biasweep plot trajectory on a catalog whose trajectory file is damaged ----
        rc, out, err = run(["plot", "--help"])
        if rc == 0 and shutil.which("gnuplot"):
            outdir = os.path.join(tmp, "figs")
            os.makedirs(outdir)
            args = ["plot", "trajectory", "--catalog", cat, "--where", "seed=0", "-o", os.path.join(outdir, "t.png")]
            rc, out, err = run(args)
            check(rc == 0, f"plot trajectory of the intact file: exit 0 ({err.strip()})")
            for f in os.listdir(outdir):
                os.unlink(os.path.join(outdir, f))
            shutil.copy(good, good + ".orig")
            for what, fn in [("truncated", lambda: write(good, data[:size // 2])),
                             ("count overrun", lambda: (write(good, data), h5(lambda f: f["trajectory/count"][...].fill(0) or
                                                                               f["trajectory/count"].__setitem__(slice(None), 1000))(good)))]:
                fn()
                count("hdf5")
                refused(f"plot trajectory, {what} trajectory file", args, dirs=[outdir, tmp], want=os.path.basename(good))
            shutil.copy(good + ".orig", good)
        else:
            print("NOTE: biasweep plot (or gnuplot) not available; the plot cases are skipped")

        # ---- run-one --save over an existing corrupt file: replaced whole ----
        target = os.path.join(tmp, "save.h5")
        write(target, data[:size // 3])
        count("hdf5")
        rc, out, err = run(["run-one", "--algo", "gd", "--d", "12", "--n", "6", "--kappa", "2", "--alpha", "0.5",
                            "--steps", "100", "--save", target])
        check(rc == 0, f"run-one --save over a truncated file: exit 0 ({err.strip()})")
        with open(target, "rb") as f:
            head = f.read(8)
        check(head == HDF5_SIGNATURE, "the file was replaced by a whole HDF5 file")
        with h5py.File(target, "r") as f:
            check(f["final/w"].shape == (12,) and f.attrs["d"] == 12, "the new file reads back")
        check(not os.path.exists(target + ".tmp"), "no .tmp left behind")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_h5corrupt")


if __name__ == "__main__":
    main()
