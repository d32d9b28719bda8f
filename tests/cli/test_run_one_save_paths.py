"""test_run_one_save_paths.py - `run-one --save PATH` on awkward paths
(h5run.h: "BW_EINVAL with a clear message when PATH cannot be created.
Leaves nothing."; run-one: bad input exits 2 before any work).

 1. a stale PATH.tmp (left by a run killed while writing) must not block a
    later --save to PATH: the write goes through PATH.tmp with H5F_ACC_TRUNC,
    so PATH can be created;
 2. PATH an existing directory cannot be created: exit 2 with one line on
    stderr before running, nothing on stdout, nothing left behind;
 3. PATH in a read-only directory (skipped as root, who may write anyway)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run_one  # noqa: E402

require_binary()
GOOD = ["--algo", "gd", "--d", 12, "--n", 5, "--kappa", 2, "--alpha", 0.5, "--steps", 50]

with tempfile.TemporaryDirectory() as tmp:
    # 1. stale temporary file
    path = os.path.join(tmp, "run.h5")
    with open(path + ".tmp", "w") as f:
        f.write("left over by a killed run\n")
    rc, out, err = run_one(*(GOOD + ["--save", path]))
    check(rc == 0, "a stale %s.tmp does not block --save (exit %d, %r)" % ("run.h5", rc, err.strip()))
    check(os.path.isfile(path) and not os.path.exists(path + ".tmp"),
          "stale .tmp: the file is written and no .tmp is left (%s)" % sorted(os.listdir(tmp)))

    # 2. an existing directory
    sub = os.path.join(tmp, "adir")
    os.mkdir(sub)
    before = sorted(os.listdir(tmp))
    rc, out, err = run_one(*(GOOD + ["--save", sub]))
    check(rc == 2, "--save to a directory: exit 2 (got %d, %r)" % (rc, err.strip()))
    check(out == "", "--save to a directory: nothing on stdout (the run must not start)")
    check(len(err.splitlines()) == 1, "--save to a directory: one line on stderr (%r)" % err)
    check(sorted(os.listdir(tmp)) == before and os.listdir(sub) == [],
          "--save to a directory: nothing written (%s)" % sorted(os.listdir(tmp)))

    # 3. a read-only directory
    if os.geteuid() != 0:
        ro = os.path.join(tmp, "ro")
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        rc, out, err = run_one(*(GOOD + ["--save", os.path.join(ro, "x.h5")]))
        check(rc == 2 and out == "" and len(err.splitlines()) == 1, "read-only directory: exit 2, one line")
        os.chmod(ro, 0o755)
    else:
        print("NOTE running as root: the read-only directory case is skipped")

finish("test_run_one_save_paths")
