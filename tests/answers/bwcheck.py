"""The checks and the binary's runs shared by test_views.py and test_status.py."""
import os
import subprocess
import sys

BIN = os.environ["BIASWEEP"]
failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
    print(("ok: " if cond else "FAIL: ") + msg)
    return cond


def run(*args):
    """(returncode, stdout, stderr) of the binary with args"""
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def summary(name):
    print(f"{name}:", "FAILED" if failures else "passed", f"({failures} failures)")
    sys.exit(1 if failures else 0)
