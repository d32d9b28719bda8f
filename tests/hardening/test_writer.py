#!/usr/bin/env python3
"""test_writer.py - the catalog's writer against other processes: a reader
that holds a transaction on a shard catalog (rollback journal) longer than the
busy timeout, and runs that die without writing their end.

Usage: test_writer.py CASE   (CASE: reader | stale)
  reader  `biasweep run SPEC --shard 0/2` (mpirun -np 2) while a reader holds a
          read transaction on its shard catalog for HOLD seconds (BW_TEST_HOLD_S,
          default 4) with BIASWEEP_BUSY_TIMEOUT_MS=1000: the run waits the
          reader out (it is still running when the reader lets go), says so on
          stderr, exits 0, and its catalog equals an uninterrupted run's (every
          non-timing column).  The same with a reader that lets go only once
          every task has finished (the progress line says 120/120): all of them
          are committed at the end.  Then a one-process run gets SIGTERM while the
          reader holds on and does not let go: it gives up within seconds (exit
          3, the interrupted line), loses nothing committed, and the resume
          completes the catalog and marks that run 'interrupted'.
  stale   kill -9 of a 2-rank run mid-way: the resume marks the dead run's sweep
          'interrupted', ended at its last outcome, and completes; a second spec
          run to its end on the same catalog while a first one runs leaves the
          first one 'running' (it is alive) and both end 'done'.
The spec is jobs/smoke.cfg with 12 seeds (240 tasks; 120 in shard 0/2).
"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIASWEEP, ENV, ROOT, check, count, finish, require_binary, sweeptest  # noqa: E402
from test_faults import finish_run, no_stragglers, signal_job, start  # noqa: E402

require_binary()
HOLD = float(os.environ.get("BW_TEST_HOLD_S", "4"))
BUSY_ENV = dict(ENV, BIASWEEP_BUSY_TIMEOUT_MS="1000")


def spec_file(tmp, seeds, name):
    text = open(os.path.join(ROOT, "jobs", "smoke.cfg")).read()
    assert "seeds = 2;" in text and 'name = "smoke";' in text
    path = os.path.join(tmp, f"{name}.cfg")
    with open(path, "w") as f:
        f.write(text.replace("seeds = 2;", f"seeds = {seeds};").replace('name = "smoke";', f'name = "{name}";'))
    return path


def scalar(cat, sql):
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True, timeout=30)
    v = con.execute(sql).fetchone()[0]
    con.close()
    return v


def sweeps(cat):
    con = sqlite3.connect(f"file:{cat}?mode=ro", uri=True, timeout=30)
    rows = con.execute("SELECT id, state, started_at, ended_at FROM sweeps ORDER BY id").fetchall()
    con.close()
    return rows


def popen(cmd, env):
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


class Lines:
    """A process's stderr, read line by line on a thread (to act on a line while it runs)."""
    def __init__(self, stream):
        self.lines, self.lock = [], threading.Lock()
        self.t = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.t.start()

    def _read(self, stream):
        for line in stream:
            with self.lock:
                self.lines.append(line)

    def wait_for(self, text, limit):
        t0 = time.time()
        while time.time() - t0 < limit:
            with self.lock:
                if any(text in l for l in self.lines):
                    return True
            time.sleep(0.05)
        return False

    def text(self):
        self.t.join(timeout=30)
        with self.lock:
            return "".join(self.lines)


class Reader:
    """A reader of the catalog holding one read transaction (a SHARED lock on a rollback-journal file)."""
    def __init__(self, cat, p, limit=120.0):
        self.con, self.n = None, None
        t0 = time.time()
        while time.time() - t0 < limit and p.poll() is None:
            try:
                con = sqlite3.connect(cat, timeout=30, isolation_level=None)
                con.execute("BEGIN")
                n = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
                if n > 0:
                    self.con, self.n = con, n
                    return
                con.execute("COMMIT")
                con.close()
            except sqlite3.Error:
                pass
            time.sleep(0.02)

    def sees(self):
        return self.con.execute("SELECT count(*) FROM outcomes").fetchone()[0]

    def release(self):
        if self.con:
            self.con.execute("COMMIT")
            self.con.close()
            self.con = None


def shard_run(spec, cat, env):
    return popen(["mpirun", "-np", "2", BIASWEEP, "run", spec, "--catalog", cat, "--shard", "0/2", "--quiet"], env)


def committed_count(out):
    m = re.search(r"sweep run \d+: (\d+) tasks done", out)
    return int(m.group(1)) if m else None


def same_as(cat, base, what):
    _, rows = sweeptest.outcomes(cat)
    check(rows == base, f"{what}: the outcomes equal an uninterrupted run's ({len(rows)} vs {len(base)})")
    check(sweeptest.integrity(cat) == "ok", f"{what}: integrity_check ok")
    n, bad = sweeptest.trajectories_read_back(cat)
    check(n == len(rows) and bad == 0, f"{what}: every trajectory reads back ({n}, {bad} bad)")


def case_reader(tmp):
    spec = spec_file(tmp, 12, "smoke")
    ref = os.path.join(tmp, "ref", "shard.sqlite")
    os.makedirs(os.path.dirname(ref))
    rc, out, err = finish_run(shard_run(spec, ref, ENV))
    check(rc == 0, f"uninterrupted shard run: exit 0 ({err.strip()[-300:]})")
    cols, base = sweeptest.outcomes(ref)
    key = cols.index("key")
    base_rows = {r[key]: r for r in base}

    # ---- a reader holds a transaction for HOLD s, then lets go ----
    cat = os.path.join(tmp, "held", "shard.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = shard_run(spec, cat, BUSY_ENV)
    rd = Reader(cat, p)
    count("reader")
    check(rd.con is not None, "the reader got its transaction mid-run")
    t0 = time.time()
    while time.time() - t0 < HOLD:
        time.sleep(0.1)
    alive = p.poll() is None
    seen = rd.sees() if rd.con else None
    rd.release()
    rc, out, err = finish_run(p)
    print(f"reader held {HOLD:.1f} s from {rd.n} outcomes: exit {rc}\n  stdout: {out.strip()}\n  stderr: {err.strip()}")
    check(alive, f"the run waits for the reader: still running after {HOLD:.1f} s of the reader's transaction")
    check(seen == rd.n, f"the reader's snapshot held meanwhile ({rd.n} -> {seen})")
    check(rc == 0, f"the run ends well once the reader is gone: exit 0 ({rc})")
    check(re.search(r"biasweep run: catalog '[^']*shard\.sqlite' is locked by another connection .* for \d+\.\d s; "
                    r"retrying \(committing", err) is not None, f"a retry line on stderr ({err.strip()[-400:]!r})")
    check("went through after waiting" in err, "and a line when the commit went through")
    check("database is locked" not in err, "no 'database is locked' failure")
    same_as(cat, base, "after the reader")
    check(committed_count(out) == len(base), f"the summary counts what is committed ({committed_count(out)})")
    st = sweeps(cat)
    check(len(st) == 1 and st[0][1] == "done" and st[0][3], f"the sweep is done, with an end ({st})")

    # ---- a reader that holds on until every task has finished ----
    cat = os.path.join(tmp, "held-to-end", "shard.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = popen(["mpirun", "-np", "2", BIASWEEP, "run", spec, "--catalog", cat, "--shard", "0/2"], BUSY_ENV)
    lines = Lines(p.stderr)
    rd = Reader(cat, p)
    count("reader")
    all_done = rd.con is not None and lines.wait_for(f"progress: {len(base)}/{len(base)} tasks", 120)
    alive = p.poll() is None
    seen = rd.sees() if rd.con else None
    rd.release()
    rc, out, err = p.wait(timeout=600), p.stdout.read(), lines.text()
    print(f"reader held from {rd.n} outcomes until every task finished: exit {rc}\n  stdout: {out.strip()}\n"
          f"  stderr: {err.strip()}")
    check(all_done and alive and seen == rd.n,
          f"every task finished while the reader held the catalog ({all_done}, {alive}, {rd.n} -> {seen})")
    check(rc == 0 and "is locked by another connection" in err, f"the run waits, says so, exits 0 ({rc})")
    same_as(cat, base, "after a reader held on to the end")
    check(committed_count(out) == len(base), f"the summary counts what is committed ({committed_count(out)})")

    # ---- SIGTERM while the reader holds on: the run gives up waiting, nothing committed is lost ----
    cat = os.path.join(tmp, "term", "shard.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = popen([BIASWEEP, "run", spec, "--catalog", cat, "--shard", "0/2", "--quiet"], BUSY_ENV)
    lines = Lines(p.stderr)
    rd = Reader(cat, p)
    count("reader")
    waiting = rd.con is not None and lines.wait_for("is locked by another connection", 60)
    check(waiting, "the one-process run waits for the reader and says so")
    p.send_signal(signal.SIGTERM)
    t0 = time.time()
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    took = time.time() - t0
    held = rd.con is not None
    rd.release()
    out, err = p.stdout.read(), lines.text()
    rc = p.returncode
    print(f"SIGTERM while the reader holds: exit {rc} after {took:.1f} s\n  stdout: {out.strip()}\n"
          f"  stderr: {err.strip()}")
    check(held and took < 15, f"SIGTERM ends the wait although the reader holds on ({took:.1f} s)")
    check(rc == 3, f"exit status 3, interrupted ({rc})")
    check("interrupted:" in err and "resume by running the same command again" in err, "the interrupted line")
    check("gave up (a signal) after waiting" in err, "and a line that it gave up waiting")
    check(sweeptest.integrity(cat) == "ok", "after SIGTERM: integrity_check ok")
    cols, rows = sweeptest.outcomes(cat)
    wrong = [r for r in rows if base_rows.get(r[key]) != r]
    check(rows and not wrong, f"after SIGTERM: what is committed equals the uninterrupted run ({len(rows)}, {len(wrong)} differ)")
    check(committed_count(out) == len(rows), f"the summary counts what is committed ({committed_count(out)} vs {len(rows)})")
    m = re.search(r"interrupted: (\d+) of (\d+) tasks committed", err)
    check(m is not None and int(m.group(1)) == len(rows) and int(m.group(2)) == len(base),
          f"the interrupted line: committed of all the shard's tasks ({m.group(0) if m else None})")
    rc, out, err = finish_run(shard_run(spec, cat, ENV))
    check(rc == 0, f"the resume exits 0 ({err.strip()[-300:]})")
    same_as(cat, base, "after SIGTERM and the resume")
    st = sweeps(cat)
    check(len(st) == 2 and st[0][1] == "interrupted" and st[0][3] and st[1][1] == "done",
          f"the given-up run is marked interrupted, with an end, by the resume ({st})")


def case_stale(tmp):
    spec = spec_file(tmp, 12, "smoke")
    ref = os.path.join(tmp, "ref", "catalog.sqlite")
    os.makedirs(os.path.dirname(ref))
    rc, out, err = finish_run(start(2, ref, spec))
    check(rc == 0, f"uninterrupted run: exit 0 ({err.strip()[-300:]})")
    _, base = sweeptest.outcomes(ref)

    # ---- kill -9 mid-run, then resume ----
    cat = os.path.join(tmp, "killed", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    p = start(2, cat, spec)
    got = sweeptest.wait_for_outcomes(cat, p)
    mid = got > 0 and p.poll() is None
    signal_job(p, signal.SIGKILL)
    finish_run(p, 120)
    no_stragglers(p, "kill -9")
    count("kill -9, resume")
    check(mid, f"kill -9 landed mid-run ({got} outcomes committed before)")
    st = sweeps(cat)
    last = scalar(cat, "SELECT max(finished_at) FROM outcomes")
    check(len(st) == 1 and st[0][1] == "running" and st[0][3] is None, f"the killed run left its sweep running ({st})")
    rc, out, err = finish_run(start(2, cat, spec))
    check(rc == 0, f"the resume exits 0 ({err.strip()[-300:]})")
    same_as(cat, base, "after kill -9 and the resume")
    st = sweeps(cat)
    print(f"kill -9 after {got} outcomes, then a resume: sweeps {st}")
    check(len(st) == 2 and st[0][1] == "interrupted" and st[1][1] == "done",
          f"the resume marks the killed run interrupted ({st})")
    check(st[0][3] == last and st[0][2] <= st[0][3] <= st[1][2],
          f"ended at its last outcome, {last}, between its start and the resume's ({st[0]})")

    # ---- two specs on one catalog at once: the live one is not marked ----
    cat = os.path.join(tmp, "shared", "catalog.sqlite")
    os.makedirs(os.path.dirname(cat))
    long_spec, short_spec = spec_file(tmp, 64, "alpha"), spec_file(tmp, 2, "beta")  # alpha long enough to outlive beta on a loaded machine
    a = start(2, cat, long_spec)
    got = sweeptest.wait_for_outcomes(cat, a)
    count("two specs at once")
    rc, out, err = finish_run(popen([BIASWEEP, "run", short_spec, "--catalog", cat, "--quiet"], ENV))
    a_alive = a.poll() is None
    st = sweeps(cat)
    print(f"beta ran to its end while alpha ran ({got} outcomes when beta started): sweeps {st}")
    check(rc == 0, f"the second spec's run exits 0 ({err.strip()[-300:]})")
    check(got > 0 and a_alive, "the first run was still running when the second ended")
    check(len(st) == 2 and st[0][1] == "running" and st[0][3] is None and st[1][1] == "done",
          f"the running first spec is left running ({st})")
    rc, out, err = finish_run(a)
    check(rc == 0, f"the first spec's run exits 0 ({err.strip()[-300:]})")
    st = sweeps(cat)
    check([s[1] for s in st] == ["done", "done"], f"both sweeps done ({st})")


def main():
    case = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix=f"bw-writer-{case}-") as tmp:
        {"reader": case_reader, "stale": case_stale}[case](tmp)
    finish(f"test_writer {case}")


if __name__ == "__main__":
    main()
