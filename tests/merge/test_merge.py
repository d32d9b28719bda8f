#!/usr/bin/env python3
"""`biasweep merge OUT SHARD...`: shard catalogs of jobs/smoke.cfg (made with
`biasweep run --shard I/3`, one rank) merged and compared with an unsharded run.

Usage: test_merge.py CASE
  basic     union equals the unsharded run; trajectories resolve through the
            rewritten traj_file; sweeps/sweep_tasks/sweep_sources; idempotence
            (a second merge changes no row, in any order); dedupe of overlaps
  conflict  different outcomes for one key (a copy edited with sqlite3): exit 2,
            one line naming key and column, OUT byte-identical / not created
  schema    differing schema_version: exit 2, nothing written
  badinput  not a catalog, empty database, OUT among the shards, no shard
            exists, bad flags: exit 2, nothing written
  missing   a missing shard file: warning naming it, the rest merged, exit 0
            (--strict: 3); rerun after it appears completes the merge;
            a shard not given at all is named (no input holds smoke 1/3)
  partial   an unfinished shard (running/interrupted, tasks pending): merged
            as far as it got and reported; rerun once finished brings the
            sweep's state up to date and adds the rest
  paths     OUT in another directory (traj_file gets ../), names with
            ' ?#%' in them, a WAL-mode (unsharded) catalog as input
  tasks     a task row edited in a copy (d, then alpha in its last bit):
            exit 2 naming key, column and both files, OUT byte-identical /
            not created; a differing cost (an estimate) is no conflict
  orphan    an input whose outcome (or sweep_task) has no task row: exit 2
            "not a consistent catalog", OUT byte-identical / not created,
            also when OUT holds that task already
  outdir    OUT in a directory that cannot be written (new and existing
            OUT), OUT itself read-only: exit 2, one line, nothing written
  failure   the disk fills while OUT is written (a file-size limit): exit 1,
            a new OUT is not left behind (nor any temporary file), an
            existing OUT keeps its bytes; with room, the merge completes
  kill9     kill -9 of merge at random moments (a large synthetic shard),
            into a new and into an existing OUT: OUT is absent, as before,
            or complete, never half-merged; a rerun completes; no litter
Environment: BIASWEEP (the binary), SOURCE_ROOT (the repository).
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse

BIN = os.environ["BIASWEEP"]
ROOT = os.environ["SOURCE_ROOT"]
SPEC = os.path.join(ROOT, "jobs", "smoke.cfg")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
TIMING = {"wall_s", "rank", "sweep_id", "traj_file", "traj_row", "finished_at"}

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", msg)
    else:
        print("ok:", msg)


def sh(*args):
    p = subprocess.run([BIN, *args], env=ENV, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def run_spec(catalog, shard=None):
    os.makedirs(os.path.dirname(catalog), exist_ok=True)
    extra = ["--shard", shard] if shard else []
    rc, out, err = sh("run", SPEC, "--catalog", catalog, "--quiet", *extra)
    if rc != 0:
        print(out, err)
        sys.exit(f"biasweep run {shard or ''} failed ({rc})")


def make_shards(d, n=3):
    paths = [os.path.join(d, f"shard-{i}.sqlite") for i in range(n)]
    for i, p in enumerate(paths):
        run_spec(p, f"{i}/{n}")
    return paths


def reference(tmp):
    cat = os.path.join(tmp, "ref", "catalog.sqlite")
    run_spec(cat)
    return cat


def connect(path):
    # read-write (never creating): the last connection to a WAL catalog then
    # removes the -wal/-shm files that any reader creates
    return sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=rw", uri=True)


def outcomes(catalog):
    con = connect(catalog)
    cols = [r[1] for r in con.execute("PRAGMA table_info(outcomes)") if r[1] not in TIMING]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM outcomes ORDER BY key").fetchall()
    con.close()
    return rows


def dump(catalog):
    """Every row of every table (sorted), for byte-free equality of contents."""
    con = connect(catalog)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    out = {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    con.close()
    return out


def scalar(catalog, sql, *args):
    con = connect(catalog)
    r = con.execute(sql, args).fetchone()[0]
    con.close()
    return r


def digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def state_of(out):
    """OUT and its side files, to prove nothing was written."""
    return {s: digest(out + s) for s in ("", "-wal", "-shm", "-journal")}


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
        w = f["final/w"][off:off + d]
        if k != key or cnt < 1 or len(w) != d:
            bad += 1
    for f in files.values():
        f.close()
    return len(rows), bad


def merge(out, *shards, flags=()):
    return sh("merge", *flags, out, *shards)


def refused(what, rc, err, out, before, phrase):
    lines = [l for l in err.strip().splitlines() if l]
    check(rc == 2, f"{what}: exit 2 (got {rc})")
    check(len(lines) == 1 and lines[0].startswith("biasweep merge: "), f"{what}: one line: {err.strip()!r}")
    check(phrase in err, f"{what}: the message says {phrase!r}")
    check(state_of(out) == before, f"{what}: OUT untouched ({'absent' if before[''] is None else 'same bytes'})")


# ---- cases ---------------------------------------------------------------------

def case_basic(tmp):
    ref = reference(tmp)
    base = outcomes(ref)
    shards = make_shards(os.path.join(tmp, "results", "shards", "smoke"))
    shard_digests = [digest(p) for p in shards]
    out = os.path.join(tmp, "results", "catalog.sqlite")
    rc, so, se = merge(out, *shards)
    check(rc == 0 and not se.strip(), f"merge exits 0 without warnings ({rc}: {se.strip()})")
    check("40 outcomes added" in so, f"summary line: {so.strip().splitlines()[-1] if so.strip() else ''}")
    check(outcomes(out) == base, f"merged outcomes equal the unsharded run ({len(base)} rows)")
    check([digest(p) for p in shards] == shard_digests, "the shards are not modified")
    n, bad = trajectories_read_back(out)
    check(n == len(base) and bad == 0, f"every trajectory reads back through the merged traj_file ({n} rows, {bad} bad)")
    files = {r[0] for r in connect(out).execute("SELECT DISTINCT traj_file FROM outcomes")}
    check(all(re.fullmatch(r"shards/smoke/shard-(\d)-smoke-1-shard\1\.h5", f) for f in files),
          f"traj_file rewritten: {sorted(files)}")
    check(scalar(out, "SELECT count(*) FROM sweeps") == 3, "one sweep row per shard run")
    check(scalar(out, "SELECT count(*) FROM sweeps WHERE state = 'done' AND shard LIKE '_/3'") == 3, "states and labels kept")
    check(scalar(out, "SELECT count(*) FROM sweep_tasks") == 40, "sweep_tasks: each shard's own tasks, 40 in all")
    check(scalar(out, "SELECT count(*) FROM sweep_sources WHERE source_file LIKE 'shards/smoke/shard-_.sqlite'"
                      " AND source_id = 1") == 3, "sweep_sources names each shard file")
    check(scalar(out, "SELECT count(*) FROM outcomes o JOIN sweeps s ON s.id = o.sweep_id"
                      " JOIN sweep_sources m ON m.sweep_id = s.id"
                      " WHERE substr(o.traj_file, 22, 7) = 'smoke-1' AND"
                      " substr(m.source_file, 20, 1) = substr(o.traj_file, 35, 1)") == 40,
          "each outcome's sweep_id maps to the sweep of its own shard")
    check(scalar(out, "PRAGMA integrity_check") == "ok", "integrity_check ok")
    check(connect(out).execute("PRAGMA foreign_key_check").fetchone() is None, "foreign_key_check clean")

    # idempotence: again, and again in another order
    first = dump(out)
    rc, so, se = merge(out, *shards)
    check(rc == 0 and "0 outcomes added" in so and "0 sweep runs added, 0 updated" in so,
          f"second merge adds nothing: {so.strip().splitlines()[-1]}")
    check(dump(out) == first, "merging twice gives the same rows (every table)")
    rc, so, se = merge(out, *reversed(shards))
    check(rc == 0 and dump(out) == first, "merging again in another order: still the same rows")

    # dedupe: overlapping inputs (a shard twice, and the unsharded catalog holding every key)
    out2 = os.path.join(tmp, "results", "dedupe.sqlite")
    rc, so, se = merge(out2, shards[0], shards[0], ref, shards[1], shards[2])
    check(rc == 0, f"overlapping inputs merge ({rc}: {se.strip()})")
    check(outcomes(out2) == base, "overlaps are deduped by key: the same 40 outcomes")
    check(scalar(out2, "SELECT count(*) FROM sweeps") == 4, "4 distinct sweep runs (the repeated shard once)")
    n, bad = trajectories_read_back(out2)
    check(n == 40 and bad == 0, f"trajectories read back after dedupe ({bad} bad)")


def case_conflict(tmp):
    shards = make_shards(os.path.join(tmp, "s"))
    out = os.path.join(tmp, "catalog.sqlite")
    rc, so, se = merge(out, *shards)
    check(rc == 0, "first merge exits 0")
    # a copy of shard 1 with one outcome changed in its last bits
    bad = os.path.join(tmp, "s", "shard-1-bad.sqlite")
    shutil.copy(shards[1], bad)
    con = sqlite3.connect(bad)
    key = con.execute("SELECT key FROM outcomes ORDER BY key LIMIT 1").fetchone()[0]
    con.execute("UPDATE outcomes SET test_error = test_error * (1 + 1e-15) + 1e-300 WHERE key = ?", (key,))
    con.commit()
    con.close()
    before = state_of(out)
    rc, so, se = merge(out, bad)
    refused("shard vs OUT", rc, se, out, before, "different outcomes")
    check(key in se and "test_error" in se, f"the message names the key and the column: {se.strip()}")
    # between two shards, into a new OUT: not even created
    out2 = os.path.join(tmp, "new.sqlite")
    rc, so, se = merge(out2, shards[0], shards[1], bad)
    refused("shard vs shard", rc, se, out2, state_of(out2), "different outcomes")
    check("shard-1.sqlite" in se and "shard-1-bad.sqlite" in se, "both shards are named")
    # a status change is a conflict too
    shutil.copy(shards[1], bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE outcomes SET status = 'budget', message = 'x' WHERE key = ?", (key,))
    con.commit()
    con.close()
    rc, so, se = merge(out, shards[0], bad)
    refused("status differs", rc, se, out, before, "status")
    # timing columns may differ: no conflict
    shutil.copy(shards[1], bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE outcomes SET wall_s = wall_s + 1, rank = 7, finished_at = '2000-01-01T00:00:00.000Z'")
    con.commit()
    con.close()
    rc, so, se = merge(out, bad)
    check(rc == 0 and "0 outcomes added" in so, f"differing timing columns are not a conflict ({rc}: {se.strip()})")


def case_schema(tmp):
    shards = make_shards(os.path.join(tmp, "s"))
    v2 = os.path.join(tmp, "s", "v2.sqlite")
    shutil.copy(shards[2], v2)
    con = sqlite3.connect(v2)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    out = os.path.join(tmp, "catalog.sqlite")
    rc, so, se = merge(out, shards[0], shards[1], v2)
    refused("differing schema versions", rc, se, out, state_of(out), "schema versions differ")
    check("v2.sqlite" in se and "has 2" in se, f"names the shard and its version: {se.strip()}")
    rc, so, se = merge(out, v2)
    refused("a newer schema version alone", rc, se, out, state_of(out), "schema_version 2")
    # into an existing OUT
    rc, so, se = merge(out, shards[0])
    check(rc == 0, "merge of a good shard exits 0")
    before = state_of(out)
    rc, so, se = merge(out, shards[1], v2)
    refused("differing version, existing OUT", rc, se, out, before, "schema versions differ")
    check(scalar(out, "SELECT count(*) FROM outcomes") == scalar(shards[0], "SELECT count(*) FROM outcomes"),
          "OUT holds only the first merge")


def case_badinput(tmp):
    shards = make_shards(os.path.join(tmp, "s"))
    out = os.path.join(tmp, "catalog.sqlite")
    text = os.path.join(tmp, "notes.txt")
    with open(text, "w") as f:
        f.write("not a database\n" * 200)
    rc, so, se = merge(out, shards[0], text)
    refused("a text file as shard", rc, se, out, state_of(out), "not a biasweep catalog")
    empty = os.path.join(tmp, "empty.sqlite")
    sqlite3.connect(empty).close()
    rc, so, se = merge(out, empty, shards[0])
    refused("an empty file as shard", rc, se, out, state_of(out), "not a biasweep catalog")
    other = os.path.join(tmp, "other.sqlite")
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    rc, so, se = merge(out, other)
    refused("another SQLite database", rc, se, out, state_of(out), "not a biasweep catalog")
    rc, so, se = merge(out, os.path.join(tmp, "nope-0.sqlite"), os.path.join(tmp, "nope-1.sqlite"))
    refused("no shard exists", rc, se, out, state_of(out), "none of the 2 shard catalogs exists")
    rc, so, se = merge(out, shards[0], shards[1])
    check(rc == 0, "a good merge")
    before = state_of(out)
    rc, so, se = merge(out, shards[2], out)
    refused("OUT among the shards", rc, se, out, before, "output catalog")
    rc, so, se = merge(out, shards[2], text)
    refused("a text file, existing OUT", rc, se, out, before, "not a biasweep catalog")
    rc, so, se = merge(text, shards[0])
    check(rc == 2 and "not a biasweep catalog" in se, f"OUT that is not a catalog: exit 2 ({se.strip()})")
    rc, so, se = sh("merge", out)
    check(rc == 2 and "at least one SHARD" in se, f"no shard given: exit 2 ({se.strip()})")
    rc, so, se = sh("merge", "--frobnicate", out, shards[0])
    check(rc == 2 and state_of(out) == before, f"unknown flag: exit 2, nothing written ({se.strip()})")
    rc, so, se = merge(os.path.join(tmp, "no", "such", "dir", "c.sqlite"), shards[0])
    check(rc == 2 and not os.path.exists(os.path.join(tmp, "no")), f"OUT in a missing directory: exit 2 ({se.strip()})")
    rc, so, se = sh("merge", "--help")
    check(rc == 0 and "exit status" in so, "--help documents the exit status")


def case_missing(tmp):
    ref = reference(tmp)
    shards = make_shards(os.path.join(tmp, "s"))
    out = os.path.join(tmp, "catalog.sqlite")
    hidden = shards[1] + ".later"
    os.rename(shards[1], hidden)
    rc, so, se = merge(out, *shards)
    check(rc == 0, f"a missing shard file: exit 0 ({rc})")
    check(f"warning: shard {shards[1]} is missing" in se, f"a warning names it: {se.strip()}")
    check("merge incomplete" in se, "says the merge is incomplete")
    n1 = scalar(hidden, "SELECT count(*) FROM outcomes")
    check(scalar(out, "SELECT count(*) FROM outcomes") == 40 - n1, "the other shards are merged")
    rc, so, se = merge(out, *shards, flags=("--strict",))
    check(rc == 3 and "missing" in se, f"--strict: exit 3 ({rc})")
    os.rename(hidden, shards[1])
    rc, so, se = merge(out, *shards, flags=("--strict",))
    check(rc == 0 and not se.strip(), f"rerun once it exists: complete, exit 0 ({rc}: {se.strip()})")
    check(f"{n1} outcomes added" in so, "the rerun adds exactly the missing shard's outcomes")
    check(outcomes(out) == outcomes(ref), "then equal to the unsharded run")
    # a shard that is not given at all
    out2 = os.path.join(tmp, "two.sqlite")
    rc, so, se = merge(out2, shards[0], shards[2])
    check(rc == 0 and "no input holds shard smoke 1/3" in se, f"an absent shard index is named: {se.strip()}")
    rc, so, se = merge(out2, shards[0], shards[2], flags=("--strict",))
    check(rc == 3, "--strict: exit 3 when a shard index is absent")


def case_partial(tmp):
    ref = reference(tmp)
    shards = make_shards(os.path.join(tmp, "s"))
    out = os.path.join(tmp, "catalog.sqlite")
    done1 = shards[1] + ".done"
    shutil.copy(shards[1], done1)
    # shard 1 as if its element were still running: half the outcomes, state 'running'
    con = sqlite3.connect(shards[1])
    total = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    con.execute("DELETE FROM outcomes WHERE key IN (SELECT key FROM outcomes ORDER BY key LIMIT ?)", (total // 2,))
    con.execute("UPDATE sweeps SET state = 'running', ended_at = NULL")
    con.commit()
    con.close()
    rc, so, se = merge(out, *shards)
    check(rc == 0, f"a partial shard: exit 0 ({rc})")
    check(f"warning: shard {shards[1]} is unfinished: {total // 2} of {total} tasks pending" in se and
          "'running' (still running, or killed)" in se, f"reported with its pending count and state: {se.strip()}")
    check(scalar(out, "SELECT count(*) FROM outcomes") == 40 - total // 2, "merged as far as it got")
    check(scalar(out, "SELECT state FROM sweeps WHERE shard = '1/3'") == "running", "its sweep is 'running' in OUT")
    rc, so, se = merge(out, *shards, flags=("--strict",))
    check(rc == 3, "--strict: exit 3")
    # interrupted, then finished: rerunning the merge brings it up to date
    con = sqlite3.connect(shards[1])
    con.execute("UPDATE sweeps SET state = 'interrupted', ended_at = '2030-01-01T00:00:00.000Z'")
    con.commit()
    con.close()
    rc, so, se = merge(out, *shards)
    check(rc == 0 and "'interrupted'" in se and "1 updated" in so, f"interrupted: reported, state updated ({so.strip()})")
    shutil.copy(done1, shards[1])
    rc, so, se = merge(out, *shards, flags=("--strict",))
    check(rc == 0 and not se.strip(), f"after it finished: complete ({rc}: {se.strip()})")
    check(f"{total // 2} outcomes added" in so and "1 updated" in so, f"adds the rest: {so.strip()}")
    check(scalar(out, "SELECT count(*) FROM sweeps") == 3 and
          scalar(out, "SELECT count(*) FROM sweeps WHERE state = 'done'") == 3, "no duplicate sweep; all 'done'")
    check(outcomes(out) == outcomes(ref), "equal to the unsharded run")
    n, bad = trajectories_read_back(out)
    check(n == 40 and bad == 0, f"trajectories read back ({bad} bad)")


def case_paths(tmp):
    ref = reference(tmp)
    sdir = os.path.join(tmp, "b")
    shards = make_shards(sdir)
    # OUT beside the shards' directory: traj_file becomes ../b/...
    out = os.path.join(tmp, "a", "catalog.sqlite")
    os.makedirs(os.path.dirname(out))
    rc, so, se = merge(out, *shards)
    check(rc == 0, f"merge into a sibling directory ({se.strip()})")
    files = sorted(r[0] for r in connect(out).execute("SELECT DISTINCT traj_file FROM outcomes"))
    check(all(re.fullmatch(r"\.\./b/shard-(\d)-smoke-1-shard\1\.h5", f) for f in files),
          f"traj_file relative with ..: {files}")
    n, bad = trajectories_read_back(out)
    check(n == 40 and bad == 0, f"trajectories read back ({bad} bad)")
    # relative paths given from another working directory
    out_rel = os.path.join(tmp, "rel.sqlite")
    p = subprocess.run([BIN, "merge", "rel.sqlite", "b/shard-0.sqlite", "./b/../b/shard-1.sqlite", "b/shard-2.sqlite"],
                       env=ENV, capture_output=True, text=True, cwd=tmp)
    check(p.returncode == 0, f"relative paths ({p.stderr.strip()})")
    n, bad = trajectories_read_back(out_rel)
    check(n == 40 and bad == 0 and outcomes(out_rel) == outcomes(ref), "relative paths: same outcomes, trajectories resolve")
    # odd names: URI-special characters are just characters
    odd = os.path.join(tmp, "we ?ird #%41 dir")
    os.makedirs(odd)
    for f in os.listdir(sdir):
        shutil.copy(os.path.join(sdir, f), os.path.join(odd, f.replace("shard-", "sh?rd #%20-")))
    odd_shards = [os.path.join(odd, f"sh?rd #%20-{i}.sqlite") for i in range(3)]
    for f in os.listdir(sdir):  # the trajectory files keep their names (the shards point at them)
        if f.endswith(".h5"):
            shutil.copy(os.path.join(sdir, f), os.path.join(odd, f))
    out_odd = os.path.join(odd, "out ?#%25.sqlite")
    rc, so, se = merge(out_odd, *odd_shards)
    check(rc == 0, f"names with ' ?#%' ({se.strip()})")
    check(os.path.exists(out_odd) and not os.path.exists(os.path.join(odd, "out ")), "OUT created under its exact name")
    check(outcomes(out_odd) == outcomes(ref), "odd names: same outcomes")
    n, bad = trajectories_read_back(out_odd)
    check(n == 40 and bad == 0, f"odd names: trajectories resolve ({bad} bad)")
    rc, so, se = merge(out_odd, os.path.join(odd, "sh?rd #%20-9.sqlite"), odd_shards[0])
    check(rc == 0 and "sh?rd #%20-9.sqlite is missing" in se, "a missing odd name is reported, not created")
    check(not os.path.exists(os.path.join(odd, "sh?rd #%20-9.sqlite")), "and not created")
    # a WAL-mode, unsharded catalog as input (a laptop's results)
    out_w = os.path.join(tmp, "fromref.sqlite")
    rc, so, se = merge(out_w, ref)
    check(rc == 0 and outcomes(out_w) == outcomes(ref), f"an unsharded WAL catalog merges ({se.strip()})")
    files = sorted(r[0] for r in connect(out_w).execute("SELECT DISTINCT traj_file FROM outcomes"))
    check(files == ["ref/catalog-smoke-1.h5"], f"its traj_file: {files}")


def edited(src, dst, *statements):
    """A copy of catalog SRC with SQL statements (sql, args) applied (foreign keys off, as sqlite3's default)."""
    shutil.copy(src, dst)
    con = sqlite3.connect(dst)
    changed = 0
    for sql, args in statements:
        changed += con.execute(sql, args).rowcount
    con.commit()
    con.close()
    return changed


def listing(d):
    return sorted(os.listdir(d))


def case_tasks(tmp):
    import math
    shards = make_shards(os.path.join(tmp, "s"))
    out = os.path.join(tmp, "catalog.sqlite")
    rc, so, se = merge(out, *shards)
    check(rc == 0, "first merge exits 0")
    key, alpha = connect(shards[1]).execute(
        "SELECT key, alpha FROM tasks WHERE alpha IS NOT NULL ORDER BY key LIMIT 1").fetchone()
    edits = [("d", "UPDATE tasks SET d = d + 1 WHERE key = ?", (key,)),
             ("alpha", "UPDATE tasks SET alpha = ? WHERE key = ?", (math.nextafter(alpha, math.inf), key))]
    for col, sql, args in edits:
        bad = os.path.join(tmp, "s", f"shard-1-{col}.sqlite")
        check(edited(shards[1], bad, (sql, args)) == 1, f"{col}: one task row edited")
        before = state_of(out)
        rc, so, se = merge(out, bad)
        refused(f"{col} edited, shard vs OUT", rc, se, out, before, "different parameters")
        check(key in se and f"({col}:" in se and os.path.basename(bad) in se and out in se,
              f"{col}: the message names key, column and both files: {se.strip()}")
        out2 = os.path.join(tmp, f"new-{col}.sqlite")
        names = listing(tmp)
        rc, so, se = merge(out2, shards[0], shards[1], bad)
        refused(f"{col} edited, shard vs shard (new OUT)", rc, se, out2, state_of(out2), "different parameters")
        check(key in se and f"({col}:" in se and "shard-1.sqlite" in se and os.path.basename(bad) in se,
              f"{col}: both shards named: {se.strip()}")
        check(listing(tmp) == names, f"{col}: no new OUT, no temporary file ({listing(tmp)})")
        rc, so, se = merge(out2, bad, shards[2])
        check(rc == 0, f"{col}: the edited shard alone (nothing to compare with) merges ({se.strip()})")
        rc, so, se = merge(out2, shards[1])
        refused(f"{col} edited, in OUT, vs the shard", rc, se, out2, state_of(out2), "different parameters")
    cost = os.path.join(tmp, "s", "shard-1-cost.sqlite")
    edited(shards[1], cost, ("UPDATE tasks SET cost = cost * 2 + 1", ()))
    rc, so, se = merge(out, cost)
    check(rc == 0 and "0 outcomes added" in so, f"a differing cost (an estimate) is no conflict ({rc}: {se.strip()})")


def case_orphan(tmp):
    shards = make_shards(os.path.join(tmp, "s"))
    key = connect(shards[1]).execute("SELECT key FROM outcomes ORDER BY key LIMIT 1").fetchone()[0]
    orphan = os.path.join(tmp, "s", "orphan.sqlite")
    edited(shards[1], orphan, ("DELETE FROM sweep_tasks WHERE key = ?", (key,)),
           ("DELETE FROM tasks WHERE key = ?", (key,)))
    planned = os.path.join(tmp, "s", "planned.sqlite")  # a sweep_tasks row and an outcome without their task
    edited(shards[1], planned, ("DELETE FROM tasks WHERE key = ?", (key,)))
    nosweep = os.path.join(tmp, "s", "nosweep.sqlite")  # outcomes naming a sweep that is gone
    edited(shards[1], nosweep, ("DELETE FROM sweep_tasks", ()), ("DELETE FROM sweeps", ()))
    out = os.path.join(tmp, "catalog.sqlite")
    for what, path, phrase in [("an outcome without its task", orphan, f"outcome {key} has no task row"),
                               ("a planned task without its row", planned, "has no task row"),
                               ("outcomes of a sweep that is gone", nosweep, "has no sweep row")]:
        before = listing(tmp)
        rc, so, se = merge(out, shards[0], path)
        refused(f"{what} (new OUT)", rc, se, out, state_of(out), "not a consistent catalog")
        check(phrase in se and os.path.basename(path) in se, f"{what}: the message says {phrase!r}: {se.strip()}")
        check(listing(tmp) == before, f"{what}: no OUT and no temporary file left ({listing(tmp)})")
    rc, so, se = merge(out, *shards)
    check(rc == 0, "a good merge")
    before = state_of(out)
    for what, path in [("an outcome without its task, OUT holds the task", orphan),
                       ("a planned task without its row, OUT holds it", planned)]:
        rc, so, se = merge(out, path)
        refused(what, rc, se, out, before, "not a consistent catalog")
    # the merged catalog itself stays consistent
    check(scalar(out, "SELECT count(*) FROM pragma_foreign_key_check") == 0, "OUT: foreign_key_check clean")


def nobody():
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def case_outdir(tmp):
    os.chmod(tmp, 0o755)  # reachable by nobody
    shards = make_shards(os.path.join(tmp, "s"))
    ro = os.path.join(tmp, "ro")
    os.makedirs(ro)
    good = os.path.join(tmp, "good.sqlite")
    rc, so, se = merge(good, *shards)
    check(rc == 0, "a good merge")
    existing = os.path.join(ro, "catalog.sqlite")
    shutil.copy(good, existing)
    os.chmod(ro, 0o555)
    rofile = os.path.join(tmp, "rw", "catalog.sqlite")
    os.makedirs(os.path.dirname(rofile))
    os.chmod(os.path.dirname(rofile), 0o777)
    shutil.copy(good, rofile)
    os.chmod(rofile, 0o444)

    def as_user(*args):
        p = subprocess.run([BIN, "merge", *args], env=dict(ENV, TMPDIR="/tmp"), capture_output=True, text=True,
                           timeout=300, preexec_fn=nobody)
        return p.returncode, p.stdout, p.stderr

    for what, out, phrase in [("new OUT in a read-only directory", os.path.join(ro, "new.sqlite"), "cannot write"),
                              ("existing OUT in a read-only directory", existing, "cannot write"),
                              ("OUT a read-only file", rofile, "cannot write")]:
        d = os.path.dirname(out)
        before, names = state_of(out), listing(d)
        rc, so, se = as_user(out, *shards)
        refused(what, rc, se, out, before, phrase)
        check(listing(d) == names, f"{what}: the directory's listing is unchanged ({listing(d)})")
    os.chmod(ro, 0o755)


def case_failure(tmp):
    import resource
    import signal
    shards = make_shards(os.path.join(tmp, "s"))
    d = os.path.join(tmp, "o")
    os.makedirs(d)
    existing = os.path.join(d, "existing.sqlite")
    rc, so, se = merge(existing, shards[2])
    check(rc == 0, "a first merge of shard 2")
    failed = 0
    for kib in (32, 48, 64, 80, 96):
        def limit(kib=kib):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (kib * 1024, kib * 1024))
        for what, out in [("new OUT", os.path.join(d, f"new-{kib}.sqlite")), ("existing OUT", existing)]:
            before, names = state_of(out), listing(d)
            p = subprocess.run([BIN, "merge", out, *shards], env=ENV, capture_output=True, text=True, timeout=300,
                               preexec_fn=limit)
            if p.returncode == 0:
                check(scalar(out, "SELECT count(*) FROM outcomes") == 40, f"{kib} KiB, {what}: fits, all 40 merged")
                continue
            failed += 1
            lines = p.stderr.strip().splitlines()
            check(p.returncode == 1 and len(lines) == 1, f"{kib} KiB, {what}: exit 1, one line ({p.returncode}: {p.stderr.strip()})")
            check(state_of(out) == before, f"{kib} KiB, {what}: OUT {'absent' if before[''] is None else 'byte-identical'}")
            check(listing(d) == names, f"{kib} KiB, {what}: no file left behind ({sorted(set(listing(d)) - set(names))})")
    check(failed >= 3, f"the limits made {failed} merges fail")
    rc, so, se = merge(existing, *shards)
    check(rc == 0 and scalar(existing, "SELECT count(*) FROM outcomes") == 40, "with room the merge completes")


def big_shard(src, dst, n):
    """SRC with N synthetic tasks (one sweep_tasks row and one outcome each) added: a merge of
    it takes a while, so that a kill can land inside it."""
    shutil.copy(src, dst)
    con = sqlite3.connect(dst)
    sid = con.execute("SELECT id FROM sweeps LIMIT 1").fetchone()[0]
    tcols = [r[1] for r in con.execute("PRAGMA table_info(tasks)")]
    ocols = [r[1] for r in con.execute("PRAGMA table_info(outcomes)")]
    t0 = con.execute(f"SELECT {', '.join(tcols)} FROM tasks LIMIT 1").fetchone()
    o0 = con.execute(f"SELECT {', '.join(ocols)} FROM outcomes LIMIT 1").fetchone()
    keys = [f"{0xf000000000000000 + i:016x}" for i in range(n)]
    con.executemany(f"INSERT INTO tasks VALUES({', '.join('?' * len(tcols))})",
                    [(k, *t0[1:4], 1000 + i, *t0[5:]) for i, k in enumerate(keys)])
    con.executemany("INSERT INTO sweep_tasks(sweep_id, key) VALUES(?, ?)", [(sid, k) for k in keys])
    ki, si = ocols.index("key"), ocols.index("sweep_id")
    rows = []
    for k in keys:
        r = list(o0)
        r[ki], r[si] = k, sid
        rows.append(r)
    con.executemany(f"INSERT INTO outcomes VALUES({', '.join('?' * len(ocols))})", rows)
    con.commit()
    con.close()


def case_kill9(tmp):
    import random
    import signal
    import time
    shards = make_shards(os.path.join(tmp, "s"))
    big = os.path.join(tmp, "s", "big.sqlite")
    big_shard(shards[0], big, 60000)
    total = scalar(big, "SELECT count(*) FROM outcomes") + scalar(shards[1], "SELECT count(*) FROM outcomes") + \
        scalar(shards[2], "SELECT count(*) FROM outcomes")
    d = os.path.join(tmp, "o")
    os.makedirs(d)
    t = time.time()
    rc, so, se = merge(os.path.join(d, "timed.sqlite"), big, shards[1], shards[2])
    took = time.time() - t
    check(rc == 0 and scalar(os.path.join(d, "timed.sqlite"), "SELECT count(*) FROM outcomes") == total,
          f"an uninterrupted merge: {total} outcomes in {took:.2f} s")
    os.unlink(os.path.join(d, "timed.sqlite"))
    rng = random.Random(7)
    for what, out, first in [("new OUT", os.path.join(d, "new.sqlite"), None),
                             ("existing OUT", os.path.join(d, "existing.sqlite"), shards[1])]:
        if first:
            rc, so, se = merge(out, first)
            check(rc == 0, f"{what}: a first merge")
        before = scalar(out, "SELECT count(*) FROM outcomes") if os.path.exists(out) else None
        kills = 0
        for i in range(6):
            p = subprocess.Popen([BIN, "merge", out, big, shards[1], shards[2]], env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, max(0.1, took)))
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                kills += 1
            p.wait()
            temps = [f for f in listing(d) if ".merge-" in f]
            if temps:
                print(f"note: {what}, kill {i} left {temps} (the next merge removes them)")
            if not os.path.exists(out):
                check(before is None, f"{what}, kill {i}: OUT absent ({'as before' if before is None else 'LOST'})")
                continue
            n = scalar(out, "SELECT count(*) FROM outcomes")
            check(scalar(out, "PRAGMA integrity_check") == "ok", f"{what}, kill {i}: integrity_check ok")
            check(n in (before, total), f"{what}, kill {i}: OUT as before ({before}) or complete ({total}), got {n}")
            if n == total:
                break
        check(kills >= 1, f"{what}: {kills} merges killed mid-run")
        rc, so, se = merge(out, big, shards[1], shards[2])
        check(rc == 0 and scalar(out, "SELECT count(*) FROM outcomes") == total, f"{what}: a rerun completes ({se.strip()})")
        check(scalar(out, "SELECT count(*) FROM pragma_foreign_key_check") == 0, f"{what}: foreign_key_check clean")
    left = [f for f in listing(d) if f not in ("new.sqlite", "existing.sqlite")]
    check(not left, f"no temporary file left behind after the reruns ({left})")


def main():
    case = sys.argv[1]
    cases = {"basic": case_basic, "conflict": case_conflict, "schema": case_schema, "badinput": case_badinput,
             "missing": case_missing, "partial": case_partial, "paths": case_paths, "tasks": case_tasks,
             "orphan": case_orphan, "outdir": case_outdir, "failure": case_failure, "kill9": case_kill9}
    with tempfile.TemporaryDirectory() as tmp:
        cases[case](tmp)
    print(f"{case}: {'FAILED' if failures else 'passed'} ({failures} failures)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
