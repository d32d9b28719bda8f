#!/usr/bin/env python3
"""test_injection.py - user strings stay data: the read side cannot write,
file names are only file names.  Extends tests/answers/test_cli.py (SQL
injection through --where, --group-by, --columns, --format, --limit).

  - query/curve/status strings that try to reach SQL as code (ATTACH, PRAGMA,
    load_extension, writable_schema, a 100 KB value, odd bytes): refused with
    exit 2, or taken as a value (exit 0, no rows); the catalog keeps its bytes
    and no file appears beside it (ATTACH would make one);
  - catalog paths that look like SQLite URIs ("file:x?mode=memory",
    "file:x?vfs=unix-none"): a file of exactly that name is used; nothing is
    lost in memory and locking stays on;
  - a spec name with '/' cannot put trajectory files outside the results
    directory (refused: see test_badinput.py).
"""
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, count, finish, refused, require_binary, run, sha256  # noqa: E402

require_binary()
SPEC = 'name = "inj";\nalgorithm = ["gd", "sgd"];\nd = [8, 12];\nn = 6;\nkappa = 2;\nseeds = 2;\nsteps = 500;\n'


def main():
    tmp = tempfile.mkdtemp(prefix="bw-inj-")
    try:
        spec = os.path.join(tmp, "inj.cfg")
        with open(spec, "w") as f:
            f.write(SPEC)
        res = os.path.join(tmp, "res")
        os.makedirs(res)
        cat = os.path.join(res, "catalog.sqlite")
        rc, out, err = run(["run", spec, "--catalog", cat, "--quiet"])
        check(rc == 0, f"a catalog to query: exit 0 ({err.strip()})")
        con = sqlite3.connect(cat)
        con.execute("PRAGMA journal_mode=DELETE")  # no -wal/-shm: any new file beside it is a write
        con.close()
        digest = sha256(cat)
        C = ["--catalog", cat]
        evil = [
            ["query", "--where", "d=1; ATTACH DATABASE 'pwned.sqlite' AS p"],
            ["query", "--where", "d) ; ATTACH DATABASE '" + os.path.join(res, "pwned.sqlite") + "' AS p; --"],
            ["query", "--columns", "load_extension('/tmp/x')"],
            ["query", "--columns", "d,load_extension('libc.so.6')"],
            ["query", "--group-by", "d; PRAGMA writable_schema=1"],
            ["query", "--where", "d=1 UNION SELECT sql FROM sqlite_master"],
            ["query", "--columns", "sqlite_version()"],
            ["query", "--where", "key=x' || (SELECT group_concat(name) FROM sqlite_master) || '"],
            ["query", "--where", "d\u2260=1"],
            ["query", "--where", "d=1\x1b[2J"],
            ["query", "--limit", "-1"],
            ["query", "--limit", "1e30"],
            ["query", "--format", "csv\nDROP TABLE outcomes"],
            ["curve", "--where", "d=8; ATTACH DATABASE 'x' AS y"],
            ["curve", "--fit", "--where", "kappa=load_extension('x')"],
            ["status", "--format", "json; DROP TABLE sweeps"],
        ]
        for args in evil:
            count("injection")
            before = sorted(os.listdir(res))
            rc, out, err = run([args[0], *C, *args[1:]])
            check(rc in (0, 2) and (rc == 2) == (out == ""), f"{args!r}: refused (2) or a plain value (0) ({rc}: {err.strip()!r})")
            if rc == 2:
                check(err.count("\n") == 1 and err.startswith(f"biasweep {args[0]}: "), f"{args!r}: one line ({err!r})")
            check(sorted(os.listdir(res)) == before, f"{args!r}: no file appeared beside the catalog "
                                                     f"({set(os.listdir(res)) - set(before)})")
            check(sha256(cat) == digest, f"{args!r}: the catalog keeps its bytes")
        # values that look like SQL are values: no rows, exit 0
        for value in ["' OR 1=1 --", "x" * 100000, "gd'); DROP TABLE outcomes; --", "\u00e9\u6f22\u0000"[:-1]]:
            count("injection")
            rc, out, err = run(["query", *C, "--where", f"message={value}", "--format", "csv"])
            check(rc == 0 and out.strip().count("\n") == 0, f"--where message=<{len(value)} chars>: a value, no rows "
                                                              f"({rc}: {out[:100]!r} {err.strip()[:200]!r})")
            rc, out, err = run(["query", *C, "--where", f"algorithm={value}", "--format", "csv"])
            check(rc == 2 and out == "" and err.count("\n") == 1 and "unknown algorithm" in err,
                  f"--where algorithm=<{len(value)} chars>: a checked name, refused in one line ({rc}: {err[:200]!r})")
            check(sha256(cat) == digest, "the catalog keeps its bytes")

        # ---- catalog paths that look like SQLite URIs are file names ----
        work = os.path.join(tmp, "uri")
        os.makedirs(work)
        for name in ["file:mem.sqlite?mode=memory", "file:nolock.sqlite?vfs=unix-none", "file:plain.sqlite"]:
            count("URI-looking catalog path")
            rc, out, err = run(["run", spec, "--catalog", name, "--quiet"], cwd=work)
            check(rc == 0, f"run --catalog {name!r}: exit 0 ({err.strip()})")
            check(os.path.isfile(os.path.join(work, name)), f"run --catalog {name!r}: a file of that very name "
                                                            f"({os.listdir(work)})")
            if os.path.isfile(os.path.join(work, name)):
                con = sqlite3.connect(os.path.join(work, name))
                n = con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
                con.close()
                check(n == 8, f"run --catalog {name!r}: the outcomes are in it ({n})")
            rc, out, err = run(["status", "--catalog", name], cwd=work)
            check(rc == 0 and "inj" in out, f"status --catalog {name!r} reads that file ({rc}: {err.strip()})")
        for f in os.listdir(work):
            if f.endswith(".h5"):
                continue
            check(f.startswith("file:"), f"no file but the named catalogs and trajectories ({f})")
        count("URI-looking catalog path")
        rc, out, err = run(["query", "--catalog", "file:" + cat + "?mode=rw"], cwd=work)
        check(rc != 0 and sha256(cat) == digest, f"query --catalog file:...?mode=rw is a missing file, not a read-write "
                                                 f"open ({rc}: {err.strip()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish("test_injection")


if __name__ == "__main__":
    main()
