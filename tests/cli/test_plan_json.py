"""test_plan_json.py - `biasweep plan --json` is JSON (RFC 8259: UTF-8 text,
strings escaped) whatever bytes the spec's path holds: a directory named with
a quote, a backslash, a tab and the byte 0xFF (not UTF-8).

Oracle: Python's strict UTF-8 decoder and json module, and the path itself:
"spec" must read back as the path given, with the invalid byte as U+FFFD (as
include/biasweep/json.h documents) and everything else unchanged; "tasks"
must equal the length of --list's "task_list" and the count of plan --list's
text lines.  --shards N: the shards' tasks, searches and costs add up to the
totals, and exactly max(0, N - tasks - searches) shards are empty."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIASWEEP, check, finish, require_binary  # noqa: E402
import subprocess  # noqa: E402

require_binary()
root = os.environ.get("SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
with tempfile.TemporaryDirectory() as tmp:
    odd = os.path.join(os.fsencode(tmp), b'we"ird\\\tdir\xff')
    os.mkdir(odd)
    spec = os.path.join(odd, b"smoke.cfg")
    shutil.copy(os.path.join(root, "jobs", "smoke.cfg"), spec)
    want = spec.decode("utf-8", errors="replace")  # 0xFF -> U+FFFD
    check("\ufffd" in want and '"' in want and "\\" in want, "the path holds what it should: %r" % want)
    docs = {}
    for extra in ([], ["--list"]):
        p = subprocess.run([BIASWEEP, "plan", spec, "--json", *extra], capture_output=True, timeout=120)
        tag = "plan --json %s" % " ".join(extra)
        check(p.returncode == 0 and p.stderr == b"", "%s: exit %d, stderr %r" % (tag, p.returncode, p.stderr))
        try:
            doc = json.loads(p.stdout.decode("utf-8"))  # strict: raises on bytes that are not UTF-8
        except (UnicodeDecodeError, ValueError) as e:
            check(False, "%s: not JSON in UTF-8 (%s): %r" % (tag, e, p.stdout[:120]))
            continue
        check(doc.get("spec") == want, "%s: spec %r, want %r" % (tag, doc.get("spec"), want))
        check(doc.get("name") == "smoke", "%s: name %r" % (tag, doc.get("name")))
        check(p.stdout.endswith(b"}\n") and p.stdout.count(b"\n") == 1, "%s: one line" % tag)
        docs[tag] = doc
    lst = docs.get("plan --json --list")
    if lst:
        tasks = lst.get("task_list", [])
        check(len(tasks) == lst.get("tasks") and len(tasks) > 0, "task_list has 'tasks' entries (%d)" % len(tasks))
        check(all(len(t["key"]) == 16 and t["canonical"].startswith("bw-task/1 algo=") for t in tasks),
              "every task_list entry has a key and its canonical string")
        p = subprocess.run([BIASWEEP, "plan", spec, "--list"], capture_output=True, timeout=120)
        lines = [ln for ln in p.stdout.split(b"\n") if b" bw-task/1 algo=" in ln]
        check(len(lines) == len(tasks), "plan --list prints %d tasks, --json %d" % (len(lines), len(tasks)))

# --shards N: what each `run --shard i/N` runs; the shards partition the spec's tasks and searches
# (shard.h), so their counts and costs add up to the totals, on a grid and on a searched spec
for name, n in (("smoke.cfg", 3), ("smoke.cfg", 45), ("default.cfg", 7)):
    p = subprocess.run([BIASWEEP, "plan", "--json", "--shards", str(n), os.path.join(root, "jobs", name)],
                       capture_output=True, timeout=120)
    doc = json.loads(p.stdout)
    sh = doc.get("shards", [])
    tag = "plan --shards %d %s" % (n, name)
    check(p.returncode == 0 and [x["shard"] for x in sh] == list(range(n)), "%s: one entry per shard" % tag)
    check(sum(x["tasks"] for x in sh) == doc["tasks"] and sum(x["searches"] for x in sh) == doc["searches"],
          "%s: the shards hold every task and search once (%d, %d)" % (tag, doc["tasks"], doc["searches"]))
    tot = sum(x["cost"] for x in sh)
    check(abs(tot - doc["total_cost"]) <= 1e-9 * doc["total_cost"], "%s: costs add up (%r vs %r)" %
          (tag, tot, doc["total_cost"]))
    # core-hours: the cost at the documented ns per update, in hours, for the spec and each shard
    ch = doc["total_cost"] * doc["ns_per_update"] * 1e-9 / 3600
    check(abs(float(doc["core_hours"]) - ch) <= 1e-5 * ch + 1e-12 and
          all(abs(float(x["core_hours"]) - x["cost"] * doc["ns_per_update"] * 1e-9 / 3600) <=
              1e-5 * x["cost"] * doc["ns_per_update"] * 1e-9 / 3600 + 1e-12 for x in sh),
          "%s: core_hours = cost x ns_per_update / 3600 s (%r vs %r)" % (tag, doc["core_hours"], ch))
    empty = sum(1 for x in sh if x["tasks"] + x["searches"] == 0)
    check(doc["empty_shards"] == empty == max(0, n - doc["tasks"] - doc["searches"]),
          "%s: empty_shards %r = shards with nothing = N - tasks - searches" % (tag, doc["empty_shards"]))
for bad in ("0", "-1", "x"):
    p = subprocess.run([BIASWEEP, "plan", "--shards", bad, os.path.join(root, "jobs", "smoke.cfg")],
                       capture_output=True, timeout=60)
    check(p.returncode == 2 and p.stdout == b"" and p.stderr.count(b"\n") == 1, "plan --shards %s: exit 2, one line" % bad)
finish("test_plan_json")
