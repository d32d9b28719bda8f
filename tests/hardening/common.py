"""common.py - helpers shared by the hardening tests (python3, stdlib only).

BIASWEEP (the binary) and SOURCE_ROOT come from meson's test_env.  Each
test script counts its checks with check() and ends with finish() (exit 0,
1, or 77 = skipped); refused() runs one bad input and checks the contract of
main.c: exit status 2, nothing on stdout, exactly one line on stderr
("biasweep CMD: ..."), and nothing written (the listed directories keep their
listings, the listed files their bytes).  The MPI helpers come from
tests/mpi/sweeptest.py (imported, not copied)."""
import hashlib
import os
import subprocess
import sys

BIASWEEP = os.environ.get("BIASWEEP", "")
ROOT = os.environ.get("SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "mpi"))
import sweeptest  # noqa: E402  (outcomes, integrity, trajectories_read_back, longer_spec, ENV, TIMING)

ENV = sweeptest.ENV
PASSED = [0]
FAILED = []
CASES = {}  # group -> number of distinct inputs tried (for the README's table)


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILED.append(what)
        print("FAIL " + what, flush=True)
    return cond


def finish(name):
    for group, n in CASES.items():
        print(f"{name}: {group}: {n} cases", flush=True)
    print(f"{name}: {PASSED[0]} checks passed, {len(FAILED)} failed", flush=True)
    sys.exit(1 if FAILED else 0)


def require_binary():
    if not BIASWEEP or not os.access(BIASWEEP, os.X_OK):
        print(f"FAIL BIASWEEP={BIASWEEP!r} is not an executable (run through meson test)")
        sys.exit(1)


def count(group, n=1):
    CASES[group] = CASES.get(group, 0) + n


def run(args, cwd=None, env=None, timeout=300, preexec_fn=None, stdin=subprocess.DEVNULL):
    p = subprocess.run([BIASWEEP] + [str(a) for a in args], cwd=cwd, env=env or ENV, capture_output=True, text=True,
                       errors="replace", timeout=timeout, preexec_fn=preexec_fn, stdin=stdin)
    return p.returncode, p.stdout, p.stderr


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(dirs=(), files=()):
    """What 'nothing written' compares: every listed directory's listing, every listed file's bytes."""
    snap = {}
    for d in dirs:
        snap["dir:" + d] = sorted(os.listdir(d)) if os.path.isdir(d) else None
    for f in files:
        snap["file:" + f] = sha256(f) if os.path.isfile(f) else None
    return snap


def drop_sidecars(files):
    """SQLite's read-only connections to a WAL-mode file create an empty FILE-wal and a FILE-shm
    (the WAL index) and cannot remove them on close; they hold no data.  Returns the ones found
    (and removes them) so that 'nothing written' can allow exactly these, empty."""
    found = []
    for f in files:
        for suffix in ("-wal", "-shm"):
            side = f + suffix
            if os.path.exists(side):
                found.append((os.path.basename(side), os.path.getsize(side)))
                os.unlink(side)
    return found


def refused(what, args, dirs=(), files=(), want=None, code=2, sidecars=False, **kw):
    """Runs biasweep ARGS and checks a clean refusal that writes nothing (sidecars=True: a
    read-only command, which may leave SQLite's empty FILE-wal and FILE-shm beside a WAL file)."""
    before = snapshot(dirs, files)
    rc, out, err = run(args, **kw)
    cmd = str(args[0])
    check(rc == code, f"{what}: exit status {code} (got {rc}; stderr {err.strip()[-300:]!r})")
    check(out == "", f"{what}: nothing on stdout ({out[:200]!r})")
    lines = err.splitlines()
    check(len(lines) == 1 and err.endswith("\n") and lines[0].startswith(f"biasweep {cmd}: "),
          f"{what}: exactly one line on stderr, 'biasweep {cmd}: ...' ({err[-400:]!r})")
    if want is not None:
        wants = [want] if isinstance(want, str) else want
        for w in wants:
            check(w in err, f"{what}: the message says {w!r} ({err.strip()!r})")
    if sidecars:
        side = drop_sidecars(files)
        check(all(size == 0 for name, size in side if name.endswith("-wal")),
              f"{what}: only SQLite's empty read-only sidecars appeared ({side})")
    after = snapshot(dirs, files)
    changed = [k for k in before if before[k] != after[k]]
    check(not changed, f"{what}: nothing written ({', '.join(f'{k}: {before[k]} -> {after[k]}' for k in changed)})")
    return err


def as_nobody():
    """preexec_fn: drop root to nobody, so that permission bits bind (root ignores them)."""
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
