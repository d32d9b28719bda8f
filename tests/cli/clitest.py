"""clitest.py - helpers shared by the run-one CLI tests (python3, stdlib only).

Each test script collects failures with check() and ends with finish(),
which prints a summary and exits 0 (all passed), 1 (some failed) or 77
(skipped, meson's convention) - like tests/testutil.h for the C tests."""
import os
import subprocess
import sys

BIASWEEP = os.environ.get("BIASWEEP", "")
FAILED = []
PASSED = [0]
SKIP_EXIT = 77


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILED.append(what)
        print("FAIL " + what, flush=True)
    return cond


def skip(why):
    print("SKIP " + why, flush=True)
    sys.exit(SKIP_EXIT)


def finish(name):
    print("%s: %d checks passed, %d failed" % (name, PASSED[0], len(FAILED)), flush=True)
    sys.exit(1 if FAILED else 0)


def require_binary():
    if not BIASWEEP or not os.access(BIASWEEP, os.X_OK):
        print("FAIL BIASWEEP=%r is not an executable (run through meson test)" % BIASWEEP)
        sys.exit(1)


def run(args, timeout=120):
    """Runs `biasweep ARGS`; returns (exit status, stdout, stderr)."""
    p = subprocess.run([BIASWEEP] + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def run_one(*args, timeout=120):
    return run(["run-one"] + [str(a) for a in args], timeout=timeout)

