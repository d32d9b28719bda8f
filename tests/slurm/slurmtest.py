#!/usr/bin/env python3
"""slurm/submit against a real, single-node Slurm started by this test.

Usage: slurmtest.py        (meson suite 'slurm'; BIASWEEP, SOURCE_ROOT from test_env)

Installs nothing.  In a fresh temporary directory it writes a slurm.conf
(single node = this machine, all its CPUs, accounting off, free ports) and
starts munged (as the munge user, unless one already answers), slurmctld and
slurmd in the foreground, then:
  1. submits jobs/smoke.cfg as a 3-element array, 2 ranks per element
     (srun --mpi=pmix), waits for the dependent merge job, and checks that
     results/catalog.sqlite equals a local `mpirun -np 2 biasweep run` of the
     same spec (outcomes without the timing columns) and that every outcome's
     trajectory reads back through its rewritten traj_file;
  2. submits a slower spec, requeues element 0 mid-run (scontrol requeue, as
     preemption does: it restarts and resumes from its shard catalog),
     cancels element 1 mid-run (scancel), checks that
     the merge job reports it unfinished (exit 3), resubmits it with
     --only 1 --launcher mpirun, and checks that the second merge completes
     with nothing lost or duplicated (equal to the local run; the shard holds
     the cancelled and the resumed run).
The daemons it started are stopped by process id, also on failure.
Exit 77 (skipped) only when the Slurm/munge binaries are not installed.
Set BW_SLURM_KEEP=1 to keep the temporary directory (logs) for inspection.
"""
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

BIN = os.path.abspath(os.environ["BIASWEEP"])
ROOT = os.path.abspath(os.environ["SOURCE_ROOT"])
SUBMIT = os.path.join(ROOT, "slurm", "submit")
SPEC = os.path.join(ROOT, "jobs", "smoke.cfg")
TIMING = {"wall_s", "rank", "sweep_id", "traj_file", "traj_row", "finished_at"}
SBIN = os.pathsep.join(["/usr/sbin", "/sbin"])
PATH = os.environ.get("PATH", "/usr/bin:/bin") + os.pathsep + SBIN
MPIENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
          "OMPI_MCA_rmaps_base_oversubscribe": "1"}

failures = 0
T0 = time.time()


def log(msg):
    print(f"[{time.time() - T0:6.1f}s] {msg}", flush=True)


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    return cond


def which(name):
    return shutil.which(name, path=PATH)


# ---- the cluster ---------------------------------------------------------------

class Cluster:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []  # (name, Popen) of the daemons this test started
        self.host = socket.gethostname().split(".")[0]
        self.conf = os.path.join(tmp, "slurm.conf")
        self.env = dict(os.environ, PATH=PATH, SLURM_CONF=self.conf)
        for k in ("SLURM_JOB_ID", "SLURM_JOBID", "SLURM_ARRAY_JOB_ID"):  # not inside someone's allocation
            self.env.pop(k, None)

    def start_daemon(self, name, argv, **kw):
        out = open(os.path.join(self.tmp, name + ".out"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                             start_new_session=True, **kw)
        out.close()
        self.procs.append((name, p))
        log(f"started {name} (pid {p.pid})")
        return p

    def munge_ok(self):
        try:
            m = subprocess.run([which("munge"), "-n"], capture_output=True, timeout=5)
            if m.returncode:
                return False
            u = subprocess.run([which("unmunge")], input=m.stdout, capture_output=True, timeout=5)
            return u.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def start_munge(self):
        if self.munge_ok():
            log("munged already running: using it")
            return
        import grp
        import pwd
        uid, gid = pwd.getpwnam("munge").pw_uid, grp.getgrnam("munge").gr_gid
        os.makedirs("/run/munge", exist_ok=True)
        os.chown("/run/munge", uid, gid)
        os.chmod("/run/munge", 0o755)
        key = "/etc/munge/munge.key"
        if not os.path.exists(key):
            os.makedirs("/etc/munge", exist_ok=True)
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            os.write(fd, os.urandom(1024))
            os.close(fd)
            os.chown(key, uid, gid)
            log("created a munge key")
        self.start_daemon("munged", [which("munged"), "--foreground", "--force"], user=uid, group=gid,
                          extra_groups=[])
        wait_for(self.munge_ok, 15, "munged answers")

    def write_conf(self):
        ports = []
        socks = []
        for _ in range(2):  # two free TCP ports for slurmctld and slurmd
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
        for s in socks:
            s.close()
        for d in ("state", "spool"):
            os.makedirs(os.path.join(self.tmp, d))
        t = self.tmp
        conf = f"""# written by tests/slurm/slurmtest.py
ClusterName=bwtest
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={ports[0]}
SlurmdPort={ports[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation={t}/state
SlurmdSpoolDir={t}/spool
SlurmctldPidFile={t}/slurmctld.pid
SlurmdPidFile={t}/slurmd.pid
SlurmctldLogFile={t}/slurmctld.log
SlurmdLogFile={t}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
EnforcePartLimits=ALL
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
MessageTimeout=20
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={len(os.sched_getaffinity(0))} State=UNKNOWN
PartitionName=test Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        self.write_conf()
        self.start_munge()
        self.start_daemon("slurmctld", [which("slurmctld"), "-D", "-f", self.conf])
        wait_for(lambda: self.cmd("scontrol", "ping").returncode == 0, 30, "slurmctld answers")
        self.start_daemon("slurmd", [which("slurmd"), "-D", "-f", self.conf, "-N", self.host])
        wait_for(self.node_idle, 30, f"node {self.host} idle")

    def node_idle(self):
        r = self.cmd("sinfo", "-h", "-N", "-n", self.host, "-o", "%T")
        return r.returncode == 0 and r.stdout.strip().startswith("idle")

    def cmd(self, *argv, cwd=None, timeout=60):
        return subprocess.run([which(argv[0]) or argv[0], *argv[1:]], capture_output=True, text=True,
                              env=self.env, cwd=cwd, timeout=timeout)

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            log(f"stopped {name} (pid {p.pid})")
        self.procs = []

    def jobs(self, jobid):
        """{'123' or '123_4': (state, exitcode)} of a job (every element of an array)."""
        r = self.cmd("scontrol", "show", "job", "-o", str(jobid))
        out = {}
        for line in r.stdout.splitlines():
            f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            if "JobId" not in f:
                continue
            jid = f["JobId"]
            if f.get("ArrayTaskId") and f.get("ArrayJobId"):
                jid = f"{f['ArrayJobId']}_{f['ArrayTaskId']}"
            out[jid] = (f.get("JobState", "?"), f.get("ExitCode", "?"))
        return out

    def wait_jobs(self, ids, bound):
        final = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
                 "DEADLINE", "PREEMPTED"}
        state = {}

        def done():
            state.clear()
            for j in ids:
                state.update(self.jobs(j))
            return state and all(s in final for s, _ in state.values())
        wait_for(done, bound, f"jobs {ids} end")
        return dict(state)


def wait_for(cond, bound, what):
    t = time.time()
    while time.time() - t < bound:
        if cond():
            log(f"{what} ({time.time() - t:.1f} s)")
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {bound} s waiting until {what}")


# ---- catalogs ----------------------------------------------------------------------

def connect(path):
    return sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=rw", uri=True, timeout=30)


def outcomes(catalog):
    con = connect(catalog)
    cols = [r[1] for r in con.execute("PRAGMA table_info(outcomes)") if r[1] not in TIMING]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM outcomes ORDER BY key").fetchall()
    con.close()
    return rows


def show_diff(a_cat, b_cat, limit=8):
    """Print the first differing (key, column, a, b) of two catalogs' outcomes."""
    con = connect(a_cat)
    cols = [r[1] for r in con.execute("PRAGMA table_info(outcomes)") if r[1] not in TIMING]
    con.close()
    a, b = outcomes(a_cat), outcomes(b_cat)
    shown = 0
    for x, y in zip(a, b):
        for c, u, v in zip(cols, x, y):
            if u != v and shown < limit:
                print(f"  differs: key {x[0]} {c}: {u!r} vs {v!r}")
                shown += 1


def scalar(catalog, sql):
    con = connect(catalog)
    r = con.execute(sql).fetchone()
    con.close()
    return r[0] if r else None


def trajectories_read_back(catalog):
    import h5py
    con = connect(catalog)
    rows = con.execute("SELECT o.key, o.traj_file, o.traj_row, t.d FROM outcomes o JOIN tasks t USING(key)"
                       " WHERE o.traj_row IS NOT NULL").fetchall()
    con.close()
    bad, files = 0, {}
    base = os.path.dirname(catalog)
    for key, tfile, row, d in rows:
        path = os.path.join(base, tfile)
        if not os.path.exists(path):
            bad += 1
            continue
        if path not in files:
            files[path] = h5py.File(path, "r")
        f = files[path]
        k = f["task_key"][row]
        k = k.decode() if isinstance(k, bytes) else str(k)
        cnt = int(f["trajectory/count"][row])
        off = int(f["final/w_offset"][row])
        if k != key or cnt < 1 or len(f["final/w"][off:off + d]) != d:
            bad += 1
    for f in files.values():
        f.close()
    return len(rows), bad


def local_reference(tmp, spec, name):
    cat = os.path.join(tmp, "ref-" + name, "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    env = dict(os.environ, **MPIENV)
    r = subprocess.run(["mpirun", "-np", "2", BIN, "run", spec, "--catalog", cat, "--quiet"], env=env,
                       capture_output=True, text=True, timeout=300)
    if r.returncode:
        raise RuntimeError(f"local reference run of {spec} failed ({r.returncode}): {r.stderr[-500:]}")
    log(f"local reference: {r.stdout.strip()}")
    return cat


def submit(cl, work, spec, *extra):
    argv = [SUBMIT, spec, "--array", "3", "--ranks", "2", "--time", "5", "--biasweep", BIN]
    for k, v in MPIENV.items():
        argv += ["--env", f"{k}={v}"]
    r = subprocess.run(argv + list(extra), capture_output=True, text=True, env=cl.env, cwd=work, timeout=60)
    print(r.stdout + r.stderr, flush=True)
    if r.returncode:
        raise RuntimeError(f"slurm/submit failed ({r.returncode})")
    a = re.search(r"array job (\d+)", r.stdout)
    m = re.search(r"merge job (\d+)", r.stdout)
    if not a or not m:
        raise RuntimeError("slurm/submit did not print the job ids")
    return a.group(1), m.group(1), r.stdout


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return f"({e})"


# ---- the cases -------------------------------------------------------------------

def case_array(cl, tmp, ref):
    work = os.path.join(tmp, "work1")
    os.makedirs(work)
    aid, mid, text = submit(cl, work, SPEC)
    check("watch:  squeue -j" in text and f"scancel {aid} {mid}" in text, "submit says how to watch and cancel")
    st = cl.wait_jobs([aid, mid], 120)
    res = os.path.join(work, "results")
    for i in range(3):
        s = st.get(f"{aid}_{i}")
        ok = check(s == ("COMPLETED", "0:0"), f"element {i} completed ({s})")
        if not ok:
            print(read(os.path.join(res, "logs", f"biasweep-smoke-{aid}_{i}.out")))
    mlog = read(os.path.join(res, "logs", f"biasweep-smoke-merge-{mid}.out"))
    check(st.get(mid) == ("COMPLETED", "0:0"), f"merge job completed ({st.get(mid)})")
    check("merged 3 of 3 shards" in mlog and "warning" not in mlog, "merge log: 3 of 3 shards, no warning")
    if st.get(mid) != ("COMPLETED", "0:0"):
        print(mlog)
    out = os.path.join(res, "catalog.sqlite")
    if not check(os.path.exists(out), "results/catalog.sqlite exists"):
        return
    base = outcomes(ref)
    rows = outcomes(out)
    if not check(rows == base, f"merged catalog equals the local mpirun -np 2 run ({len(rows)} vs {len(base)} outcomes)"):
        show_diff(ref, out)
    n, bad = trajectories_read_back(out)
    check(n == len(base) and bad == 0, f"every trajectory reads back through the rewritten traj_file ({n}, {bad} bad)")
    check(scalar(out, "SELECT count(*) FROM outcomes WHERE traj_file NOT LIKE 'shards/smoke/shard-_-smoke-%-shard_.h5'") == 0,
          "traj_file points under shards/smoke/")
    for i in range(3):
        shard = os.path.join(res, "shards", "smoke", f"shard-{i}.sqlite")
        check(scalar(shard, "PRAGMA journal_mode") == "delete", f"shard {i} uses a rollback journal")
        check(scalar(shard, "SELECT ranks || ' ' || shard || ' ' || state FROM sweeps") == f"2 {i}/3 done",
              f"shard {i}: one run on 2 ranks, shard {i}/3, done")
        check(f"element {i} of 3" in read(os.path.join(res, "logs", f"biasweep-smoke-{aid}_{i}.out")),
              f"element {i} logs to results/logs/biasweep-smoke-{aid}_{i}.out")


SLOW = """name = "slow";
seed = 3;
design = "rademacher";
d = [20, 40];
n = [10, 20];
kappa = 2;
seeds = 24;
alpha = 1.0;
algorithms = {
  gd = { steps = 20000; };
  label_noise_sgd = { time = 1.0; };
  sgd = { batch = [1, 4]; steps = 50000; };
  riemannian_flow = { time = 5.0; };
};
"""


def case_cancel(cl, tmp, spec, ref):
    work = os.path.join(tmp, "work2")
    os.makedirs(work)
    res = os.path.join(work, "results")
    aid, mid, _ = submit(cl, work, spec)
    shard0 = os.path.join(res, "shards", "slow", "shard-0.sqlite")
    shard1 = os.path.join(res, "shards", "slow", "shard-1.sqlite")

    def running_with_outcomes(i, shard):
        def cond():
            s = cl.jobs(f"{aid}_{i}").get(f"{aid}_{i}", ("?", "?"))[0]
            if s in ("COMPLETED", "FAILED", "CANCELLED"):
                raise RuntimeError(f"element {i} ended ({s}) before it could be stopped mid-run")
            if s != "RUNNING" or not os.path.exists(shard):
                return False
            try:
                return (scalar(shard, "SELECT count(*) FROM outcomes") or 0) >= 1
            except sqlite3.Error:
                return False
        return cond

    # requeue element 0 mid-run (as preemption does): it starts again and resumes
    wait_for(running_with_outcomes(0, shard0), 120, "element 0 runs and has committed outcomes")
    r = cl.cmd("scontrol", "requeue", f"{aid}_0")
    check(r.returncode == 0, f"scontrol requeue {aid}_0 ({r.stderr.strip()})")
    # a requeued job waits 2 minutes before it is eligible again: not here
    wait_for(lambda: cl.jobs(f"{aid}_0").get(f"{aid}_0", ("?",))[0] == "PENDING", 60, "element 0 pending again")
    r = cl.cmd("scontrol", "update", f"JobId={aid}_0", "StartTime=now")
    check(r.returncode == 0, f"element 0 eligible at once ({r.stderr.strip()})")

    # cancel element 1 mid-run
    wait_for(running_with_outcomes(1, shard1), 120, "element 1 runs and has committed outcomes")
    r = cl.cmd("scancel", f"{aid}_1")
    check(r.returncode == 0, f"scancel {aid}_1 ({r.stderr.strip()})")
    st = cl.wait_jobs([aid, mid], 150)
    check(st.get(f"{aid}_1", ("?",))[0] == "CANCELLED", f"element 1 cancelled ({st.get(f'{aid}_1')})")
    check(all(st.get(f"{aid}_{i}") == ("COMPLETED", "0:0") for i in (0, 2)), "elements 0 and 2 completed")
    elog0 = read(os.path.join(res, "logs", f"biasweep-slow-{aid}_0.out"))
    check("element 0 of 3" in elog0 and "restart 1," in elog0, "element 0's log (appended) shows its restart")
    runs0 = scalar(shard0, "SELECT group_concat(state, ',') FROM (SELECT state FROM sweeps ORDER BY id)")
    done0 = scalar(shard0, "SELECT count(*) FROM outcomes")
    check(runs0 in ("interrupted,done", "running,done"), f"shard 0: the requeued run and the resumed one ({runs0})")
    check(re.search(r"sweep run 2: \d+ tasks done .*, [1-9]\d* already in the catalog", elog0) is not None,
          "the restarted element resumed (skipped what the first run finished)")
    check(done0 == scalar(shard0, "SELECT count(DISTINCT key) FROM sweep_tasks"), "shard 0 is complete")
    total = scalar(ref, "SELECT count(*) FROM outcomes")
    got1 = scalar(shard1, "SELECT count(*) FROM outcomes")
    pend1 = scalar(shard1, "SELECT count(*) FROM sweep_tasks st WHERE NOT EXISTS"
                           " (SELECT 1 FROM outcomes o WHERE o.key = st.key)")
    check(got1 >= 1 and pend1 >= 1, f"the cancelled shard is partial ({got1} done, {pend1} pending)")
    elog1 = read(os.path.join(res, "logs", f"biasweep-slow-{aid}_1.out"))
    hint = [ln for ln in elog1.splitlines() if "interrupted:" in ln]
    check(len(hint) == 1 and "resubmit this one" in hint[0] and "slurm/submit" in hint[0] and
          hint[0].endswith(" --only 1") and "mpirun -np" not in hint[0],
          f"the cancelled element's log names the slurm/submit --only 1 command that resubmits it: {hint!r}")
    mlog = read(os.path.join(res, "logs", f"biasweep-slow-merge-{mid}.out"))
    check(st.get(mid, ("?", "?"))[1] == "3:0", f"first merge job exits 3: incomplete ({st.get(mid)})")
    check(f"shard {os.path.join('results', 'shards', 'slow', 'shard-1.sqlite')} is unfinished" in mlog,
          "its log names the unfinished shard")
    out = os.path.join(res, "catalog.sqlite")
    first = scalar(out, "SELECT count(*) FROM outcomes")
    check(first == total - pend1, f"the first merge holds everything finished ({first} = {total} - {pend1})")

    # resubmit element 1 alone (launched by mpirun this time): it resumes from its shard
    aid2, mid2, _ = submit(cl, work, spec, "--only", "1", "--launcher", "mpirun")
    st = cl.wait_jobs([aid2, mid2], 150)
    check(st.get(f"{aid2}_1") == ("COMPLETED", "0:0"), f"resubmitted element 1 completed ({st.get(f'{aid2}_1')})")
    elog = read(os.path.join(res, "logs", f"biasweep-slow-{aid2}_1.out"))
    check(f"{got1} already in the catalog" in elog, f"it resumed: skipped the {got1} finished tasks")
    mlog2 = read(os.path.join(res, "logs", f"biasweep-slow-merge-{mid2}.out"))
    check(st.get(mid2) == ("COMPLETED", "0:0") and "warning" not in mlog2, f"second merge completes ({st.get(mid2)})")
    if st.get(mid2) != ("COMPLETED", "0:0"):
        print(mlog2)
    rows, base = outcomes(out), outcomes(ref)
    if not check(rows == base, f"nothing lost or duplicated: merged equals the local run ({len(rows)} vs {len(base)})"):
        show_diff(ref, out)
    check(scalar(out, "SELECT count(DISTINCT key) FROM outcomes") == total, "every key once")
    check(scalar(out, "SELECT count(*) FROM outcomes WHERE sweep_id IS NULL OR sweep_id NOT IN (SELECT id FROM sweeps)")
          == 0, "every outcome names a merged sweep")
    n, bad = trajectories_read_back(out)
    check(n == total and bad == 0, f"every trajectory reads back ({n}, {bad} bad)")
    check(scalar(shard1, "SELECT group_concat(state, ',') FROM (SELECT state FROM sweeps ORDER BY id)")
          in ("interrupted,done", "running,done"), "shard 1 holds the cancelled run and the resumed one")
    check(scalar(out, "SELECT group_concat(n, ',') FROM (SELECT count(*) AS n FROM sweeps GROUP BY shard"
                      " ORDER BY shard)") == "2,2,1", "OUT: 5 sweep runs, 2 each of shards 0/3 and 1/3")
    check(scalar(out, "SELECT count(DISTINCT key) FROM sweep_tasks") == total, "sweep_tasks: every task planned")


def main():
    needed = ["slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo", "srun", "munged", "munge",
              "unmunge"]
    missing = [b for b in needed if not which(b)]
    if missing:
        print(f"skipped: Slurm/munge not installed (no {', '.join(missing)}); "
              "apt-get install slurmctld slurmd slurm-client munge")
        sys.exit(77)
    if os.geteuid() != 0:
        print("FAIL: this test starts munged and slurmd, which needs root (CI runs as root)")
        sys.exit(1)
    def on_term(sig, frame):  # meson's timeout: still stop the daemons (finally below)
        raise KeyboardInterrupt(f"signal {sig}")
    signal.signal(signal.SIGTERM, on_term)
    keep = os.environ.get("BW_SLURM_KEEP") == "1"
    tmp = tempfile.mkdtemp(prefix="bw-slurm-")
    os.chmod(tmp, 0o755)
    cl = Cluster(tmp)
    try:
        ref1 = local_reference(tmp, SPEC, "smoke")
        slow = os.path.join(tmp, "slow.cfg")
        with open(slow, "w") as f:
            f.write(SLOW)
        ref2 = local_reference(tmp, slow, "slow")
        cl.start()
        log("case 1: a 3-element array of jobs/smoke.cfg and its merge")
        case_array(cl, tmp, ref1)
        log("case 2: requeue an element, cancel another, resubmit it, merge again")
        case_cancel(cl, tmp, slow, ref2)
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - report, then stop the daemons
        check(False, f"{type(e).__name__}: {e}")
        for name in ("slurmctld.log", "slurmd.log", "munged.out", "slurmctld.out", "slurmd.out"):
            p = os.path.join(tmp, name)
            if os.path.exists(p):
                print(f"---- {name} (tail)\n" + read(p)[-3000:])
    finally:
        if any(name == "slurmctld" and p.poll() is None for name, p in cl.procs):
            try:  # no job outlives the cluster: cancel what is left and let slurmd clean up
                cl.cmd("scancel", "--quiet", "-p", "test", timeout=20)
                wait_for(lambda: not cl.cmd("squeue", "-h", "-o", "%i", timeout=20).stdout.strip(), 30, "no job left")
            except (subprocess.SubprocessError, TimeoutError) as e:
                print(f"while cancelling the jobs left: {e}")
        cl.stop()
        if keep or failures:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"slurm: {'FAILED' if failures else 'passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
