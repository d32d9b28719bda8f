#!/usr/bin/env python3
"""slurm/submit without a cluster: stub sbatch/srun on PATH record their argv.

Checks that the spec is validated first (bad spec: exit 2, nothing
submitted), that bad options are refused with exit 2 before any sbatch call,
that user strings reach sbatch and the job scripts as single, literal
arguments (a spec path with spaces, quotes, ';' and '$(...)' in it), that
the array and the merge job are submitted with the documented options
(--export=NONE, --requeue, %A_%a logs, --dependency=afterany:<array>), and
that --only/--throttle/--launcher/--dry-run/--parsable behave; that elements
and the merge have job names apart (bw-<sweep>-el, bw-<sweep>-merge); that
more elements than tasks is warned of; that --dry-run shows each shard's
tasks and cost, against the LPT split recomputed here from the tasks' costs;
and that an element stopped by SIGTERM names the slurm/submit --only command
that resubmits it (element.sbatch run here with a stub mpirun).
Environment: BIASWEEP (the binary), SOURCE_ROOT (the repository).
"""
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

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


SLOW = """name = "slow";
d = 40;
n = [10, 20];
kappa = 2;
seeds = 100;
algorithm = "gd";
steps = 1000000;
tol = 1e-300;  # not reached: every task runs its whole budget
"""


def element_resume_hint(tmp, env, work):
    """An element stopped for good (SIGTERM, as scancel and the time limit send) says in its log the
    slurm/submit --only command that resubmits it, not `mpirun -np`: element.sbatch run here as
    element 1 of 3, its launcher a stub mpirun that runs the command itself."""
    stub = os.path.join(tmp, "bin", "mpirun")
    with open(stub, "w") as f:
        f.write('#!/bin/bash\nexec "$@"\n')
    os.chmod(stub, 0o755)
    spec = os.path.join(work, "slow.cfg")
    with open(spec, "w") as f:
        f.write(SLOW)
    element = os.path.join(ROOT, "slurm", "element.sbatch")
    eenv = dict(env, SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_JOB_ID="77")
    for k, given in enumerate(("slurm/submit slow.cfg --array 3 --time 10", None)):
        shards = os.path.join(work, "hint%d" % k)
        pre = ["BIASWEEP_RESUBMIT=" + given] if given else []
        p = subprocess.Popen([element, *pre, "--", BIN, spec, shards, "3", "mpirun", "pmix"], cwd=work, env=eenv,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cat = os.path.join(shards, "shard-1.sqlite")
        deadline = time.time() + 90
        while time.time() < deadline and p.poll() is None:
            try:
                with sqlite3.connect("file:%s?mode=ro" % cat, uri=True, timeout=1) as db:
                    if db.execute("SELECT count(*) FROM outcomes").fetchone()[0] >= 1:
                        break
            except sqlite3.Error:
                pass
            time.sleep(0.2)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        line = [x for x in err.splitlines() if "interrupted:" in x]
        want = (given or "slurm/submit " + shlex.quote(spec) + " --array 3") + " --only 1"
        check(p.returncode == 3 and len(line) == 1, f"element 1 stopped by SIGTERM: exit 3, the interrupted line "
              f"({p.returncode}, {err[-300:]!r})")
        check(line and want in line[0] and "mpirun -np" not in line[0] and "resubmit" in line[0],
              f"its log names the command that resubmits it ({want!r}): {line!r}")


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
                      "--output=results/logs/biasweep-smoke-%A_%a.out", "--job-name=bw-smoke-el", "--parsable"):
                check(o in opts, f"array job option {o}")
            check(args[-7:] == ["--", BIN, odd, "results/shards/smoke", "3", "srun", "pmix"],
                  f"element script arguments, the spec path as one literal argument: {args[-7:]}")
            check("A_B=x y;$(z)" in args and any(a.startswith("PATH=") for a in args),
                  "environment passed as NAME=VALUE arguments (PATH and --env)")
            script = mrg.index(os.path.join(ROOT, "slurm", "merge.sbatch"))
            mopts, margs = mrg[1:script], mrg[script + 1:]
            check("--dependency=afterany:100" in mopts, f"merge job after the array: {mopts}")
            check("--export=NONE" in mopts and "--ntasks=1" in mopts and
                  "--output=results/logs/biasweep-smoke-merge-%j.out" in mopts and "--job-name=bw-smoke-merge" in mopts,
                  "merge job options: a job name apart from the elements' (%r)" % mopts)
            # the command that resubmits an element: this one's arguments, quoted, without --only
            want = ["slurm/submit", odd, "--array", "3", "--ranks", "2", "--time", "10", "--partition", "p1",
                    "--account", "acc", "--throttle", "2", "--biasweep", BIN, "--env", "A_B=x y;$(z)",
                    "--sbatch=--qos=normal"]
            got = [a[len("BIASWEEP_RESUBMIT="):] for a in args if a.startswith("BIASWEEP_RESUBMIT=")]
            check(len(got) == 1 and shlex.split(got[0]) == want,
                  "the element gets the resubmit command, each argument one shell word: %r" % got)
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

        # more elements than the spec has work (smoke: 40 tasks, no searches): a warning, then submitted anyway
        r = submit(env, work, odd, "--array", "45", "--no-merge", "--biasweep", BIN)
        c = calls(tmp)
        check(r.returncode == 0 and len(c) == 1 and "warning: --array 45 is more elements than the spec's work "
              "(40 tasks and 0 searches): 5 element(s) will have nothing to do" in r.stderr,
              f"--array 45 over 40 tasks: warned, submitted ({r.returncode}, {r.stderr.strip()!r})")
        r = submit(env, work, odd, "--array", "40", "--dry-run", "--biasweep", BIN)
        check(r.returncode == 0 and "warning" not in r.stderr, f"--array 40 over 40 tasks: no warning ({r.stderr!r})")

        # --dry-run shows what each element runs: the LPT split of shard.h recomputed here from the
        # tasks' costs (plan --list, in run order): each task to the least loaded shard, lowest index on ties
        lst = json.loads(subprocess.run([BIN, "plan", "--json", "--list", odd], capture_output=True, text=True).stdout)
        for n in (3, 7):
            load, count = [0.0] * n, [0] * n
            for t in lst["task_list"]:
                k = min(range(n), key=lambda i: (load[i], i))
                load[k] += t["cost"] if t["cost"] > 0 else 1.0
                count[k] += 1
            r = submit(env, work, odd, "--array", str(n), "--dry-run", "--biasweep", BIN)
            rows = re.findall(r"^  shard (\d+) +(\d+) tasks +(\d+) searches +cost (\S+) +~", r.stdout, re.M)
            check(r.returncode == 0 and not calls(tmp) and len(rows) == n,
                  f"--dry-run --array {n}: one line per shard ({len(rows)})")
            if len(rows) == n:
                check([int(x[1]) for x in rows] == count and all(x[2] == "0" for x in rows),
                      f"--array {n}: each shard's tasks {[int(x[1]) for x in rows]}, the LPT split {count}")
                check(all(abs(float(x[3]) - load[i]) <= 5e-3 * load[i] for i, x in enumerate(rows)),
                      f"--array {n}: each shard's cost {[x[3] for x in rows]}, the LPT loads {load}")

        element_resume_hint(tmp, env, work)

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
            ((odd, "--array", "3", "--frob"), "unknown option '--frob' (see --help)"),
            ((odd, "--array", "3", "--thrtotle", "2"), "unknown option '--thrtotle' (did you mean --throttle?)"),
            ((odd, "--array", "3", "--Ranks", "2"), "unknown option '--Ranks' (did you mean --ranks?)"),
            ((odd, "--array", "3", "--dry"), "unknown option '--dry' (did you mean --dry-run?)"),
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
