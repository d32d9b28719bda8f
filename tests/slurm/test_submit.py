#!/usr/bin/env python3
"""slurm/submit without a cluster: stub sbatch/srun on PATH record their argv.

Checks that the spec is validated first (bad spec: exit 2, nothing
submitted), that bad options are refused with exit 2 before any sbatch call,
that user strings reach sbatch and the job scripts as single, literal
arguments (a spec path with spaces, quotes, ';' and '$(...)' in it), that
the array and the merge job are submitted with the documented options
(--export=NONE, --requeue, %A_%a logs, --dependency=afterany:<array>), and
that --only/--throttle/--launcher/--dry-run/--parsable behave.
Environment: BIASWEEP (the binary), SOURCE_ROOT (the repository).
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

BIN = os.path.abspath(os.environ["BIASWEEP"])
ROOT = os.path.abspath(os.environ["SOURCE_ROOT"])
SUBMIT = os.path.join(ROOT, "slurm", "submit")

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)


STUB = r"""#!/bin/bash
# records its argv, NUL-separated, one call per file; prints a job id
dir=$(dirname "$0")/../calls
mkdir -p "$dir"
n=$(ls "$dir" | wc -l)
printf '%s\0' "$(basename "$0")" "$@" > "$dir/$n"
[ "$(basename "$0")" = sbatch ] && echo "$((100 + n))"
exit 0
"""


def setup(tmp):
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    for name in ("sbatch", "srun"):
        p = os.path.join(bindir, name)
        with open(p, "w") as f:
            f.write(STUB)
        os.chmod(p, os.stat(p).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"))


def calls(tmp):
    d = os.path.join(tmp, "calls")
    if not os.path.isdir(d):
        return []
    out = []
    for n in sorted(os.listdir(d), key=int):
        with open(os.path.join(d, n), "rb") as f:
            out.append([a.decode() for a in f.read().split(b"\0")[:-1]])
    shutil.rmtree(d)
    return out


def submit(env, cwd, *args):
    return subprocess.run([SUBMIT, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        env = setup(tmp)
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        # a spec whose path is hostile to any shell that would paste it
        odd = os.path.join(work, "my spec; $(touch PWNED) 'q' \"d\" `x`.cfg")
        shutil.copy(os.path.join(ROOT, "jobs", "smoke.cfg"), odd)

        r = submit(env, work, odd, "--array", "3", "--ranks", "2", "--time", "10", "--partition", "p1",
                   "--account", "acc", "--throttle", "2", "--biasweep", BIN, "--env", "A_B=x y;$(z)",
                   "--sbatch=--qos=normal")
        check(r.returncode == 0, f"submit exits 0 ({r.returncode}: {r.stderr.strip()})")
        c = calls(tmp)
        check(len(c) == 2 and all(x[0] == "sbatch" for x in c), f"two sbatch calls ({len(c)})")
        check(not os.path.exists(os.path.join(work, "PWNED")), "nothing in the spec path was executed")
        if len(c) == 2:
            arr, mrg = c
            script = arr.index(os.path.join(ROOT, "slurm", "element.sbatch"))
            opts, args = arr[1:script], arr[script + 1:]
            for o in ("--array=0-2%2", "--ntasks=2", "--time=10", "--partition=p1", "--account=acc",
                      "--export=NONE", "--requeue", "--open-mode=append", "--qos=normal",
                      "--output=results/logs/%x-%A_%a.out", "--job-name=biasweep-smoke", "--parsable"):
                check(o in opts, f"array job option {o}")
            check(args[-7:] == ["--", BIN, odd, "results/shards/smoke", "3", "srun", "pmix"],
                  f"element script arguments, the spec path as one literal argument: {args[-7:]}")
            check("A_B=x y;$(z)" in args and any(a.startswith("PATH=") for a in args),
                  "environment passed as NAME=VALUE arguments (PATH and --env)")
            script = mrg.index(os.path.join(ROOT, "slurm", "merge.sbatch"))
            mopts, margs = mrg[1:script], mrg[script + 1:]
            check("--dependency=afterany:100" in mopts, f"merge job after the array: {mopts}")
            check("--export=NONE" in mopts and "--ntasks=1" in mopts and "--output=results/logs/%x-%j.out" in mopts,
                  "merge job options")
            check(margs[-5:] == ["--", BIN, "results/catalog.sqlite", "results/shards/smoke", "3"],
                  f"merge script arguments: {margs[-5:]}")
        check("array job 100" in r.stdout and "merge job 101" in r.stdout and "squeue -j 100,101" in r.stdout
              and "scancel 100 101" in r.stdout, "prints the job ids and how to watch and cancel them")
        check(os.path.isdir(os.path.join(work, "results", "shards", "smoke")) and
              os.path.isdir(os.path.join(work, "results", "logs")), "creates results/shards/smoke and results/logs")

        r = submit(env, work, odd, "--array", "4", "--only", "1,3", "--launcher", "mpirun", "--parsable",
                   "--no-merge", "--biasweep", BIN)
        c = calls(tmp)
        check(r.returncode == 0 and r.stdout.strip() == "100 -", f"--parsable --no-merge: '{r.stdout.strip()}'")
        check(len(c) == 1 and "--array=1,3" in c[0] and c[0][-2:] == ["mpirun", "pmix"],
              "--only 1,3 --launcher mpirun: one array job of elements 1 and 3")

        # --set: validated by plan, then passed to every element's run as it came
        r = submit(env, work, odd, "--array", "2", "--set", "seeds=1", "--set", "d=[16, 32]", "--no-merge",
                   "--biasweep", BIN)
        c = calls(tmp)
        check(r.returncode == 0 and len(c) == 1 and c[0][-4:] == ["--set", "seeds=1", "--set", "d=[16, 32]"],
              f"--set reaches the element script as --set KEY=VALUE pairs: {c[0][-4:] if c else c}")

        r = submit(env, work, odd, "--array", "2", "--dry-run", "--biasweep", BIN)
        check(r.returncode == 0 and not calls(tmp) and "sbatch" in r.stdout and "afterany:ARRAY_JOB_ID" in r.stdout,
              "--dry-run prints the commands and submits nothing")
        check("\\$\\(touch" in r.stdout or "'$(touch" in r.stdout, "--dry-run quotes the arguments for a shell")

        bad = os.path.join(work, "bad.cfg")
        with open(bad, "w") as f:
            f.write('d = 10;\nn = 5;\nkappa = 1;\nalgorithm = "gd";\neta = -1.0;\n')
        refusals = [
            ((bad, "--array", "3"), "bad.cfg:5"),
            ((odd, "--array", "0"), "--array"),
            ((odd,), "--array N is required"),
            ((odd, "--array", "3", "--ranks", "two"), "--ranks"),
            ((odd, "--array", "3", "--time", "1h; rm -rf /"), "--time"),
            ((odd, "--array", "3", "--partition", "a b"), "--partition"),
            ((odd, "--array", "3", "--account", "$(x)"), "--account"),
            ((odd, "--array", "3", "--only", "3"), "--only"),
            ((odd, "--array", "3", "--only", "2-1"), "--only"),
            ((odd, "--array", "3", "--launcher", "ssh"), "--launcher"),
            ((odd, "--array", "3", "--env", "1X=y"), "--env"),
            ((odd, "--array", "3", "--env", "X"), "--env"),
            ((odd, "--array", "3", "--sbatch", "extra.sh"), "--sbatch"),
            ((odd, "--array", "3", "--sbatch=--dependency=after:1"), "--sbatch"),
            ((odd, "--array", "3", "--results", "res%j"), "--results"),
            ((odd, "--array", "3", "--frob"), "unknown option"),
            ((odd, "--array", "3", "--set", "d=[0]"), "--set d=[0]: 'd' must be >= 1"),
            ((os.path.join(work, "missing.cfg"), "--array", "3"), "not a file"),
        ]
        for args, phrase in refusals:
            r = submit(env, work, *args, "--biasweep", BIN)
            check(r.returncode == 2 and phrase in r.stderr and not calls(tmp),
                  f"refused with exit 2, nothing submitted: {' '.join(args[1:]) or '(no options)'} "
                  f"({r.returncode}: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''})")
        noname = os.path.join(work, "bad name.cfg")
        with open(noname, "w") as f:
            f.write('name = "a/b";\nd = 10;\nn = 5;\nkappa = 1;\nalgorithm = "gd";\n')
        r = submit(env, work, noname, "--array", "2", "--biasweep", BIN)
        check(r.returncode == 2 and "cannot name a directory" in r.stderr and not calls(tmp),
              f"a sweep name that is not a safe directory name is refused ({r.stderr.strip()})")
        r = submit(env, work, "--help")
        check(r.returncode == 0 and "--throttle" in r.stdout, "--help")
    print(f"submit: {'FAILED' if failures else 'passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
