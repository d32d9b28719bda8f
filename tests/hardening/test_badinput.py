#!/usr/bin/env python3
"""test_badinput.py - bad input is refused cleanly: exit status 2, nothing on
stdout, one line on stderr that says what is wrong (file:line for specs, a
"did you mean" for misspelt names), and nothing written.

Usage: test_badinput.py GROUP   (GROUP: specs | storage)
  specs    empty, binary and malformed specs, wrong types, unknown keys,
           out-of-range values, grids over the size limits, bad spec paths;
           each through `biasweep plan` and `biasweep run` (one process: MPI
           singleton; and once under mpirun -np 2 for the exit status).
  storage  results directories that cannot be written, catalogs that are not
           SQLite, not biasweep's, of a newer or unreadable schema_version,
           truncated; through run, status, query and curve.  Catalogs with a
           table, view or column dropped or replaced: through run, status,
           query, curve, plot and merge (as a shard and as OUT).
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (ENV, BIASWEEP, ROOT, as_nobody, check, count, finish, refused, require_binary, run,  # noqa: E402
                    sha256)

require_binary()
GOOD = 'algorithm = "gd";\nd = 8;\nn = 4;\nkappa = 1;\nsteps = 200;\n'

# (what, spec text or bytes, words the message must hold)
SPECS = [
    ("empty spec", b"", ["no algorithm to run"]),
    ("only comments", b"# nothing here\n// nor here\n", ["no algorithm to run"]),
    ("binary with NUL bytes", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256)), ["NUL byte"]),
    ("binary without NUL", bytes(range(1, 256)) * 4, ["syntax error"]),
    ("a PNG header", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["NUL byte"]),
    ("UTF-16 text", "d = 8;\n".encode("utf-16"), ["NUL byte"]),
    ("doubled operator", 'algorithm = "gd";\nd = = 8;\nn = 4;\n', [":2:", "syntax error"]),
    ("unterminated string", 'algorithm = "gd;\nd = 8;\n', ["syntax error"]),
    ("unbalanced brace", 'algorithm = "gd";\nd = 8; n = 4; kappa = 1;\nalgorithms = { gd = { steps = 10; };\n',
     ["syntax error"]),
    ("mixed array", 'algorithm = "gd";\nd = 8;\nn = [4, 2.5];\nkappa = 1;\n', [":3:", "one type"]),
    ("duplicate setting", 'algorithm = "gd";\nd = 8;\nd = 9;\nn = 4;\nkappa = 1;\n', [":3:"]),
    ("@include", '@include "/etc/passwd"\nalgorithm = "gd";\n', [":1:", "@include is not supported"]),
    ("wrong type: d a string", GOOD.replace("d = 8;", 'd = "eight";'), [":2:", "'d' must be an integer"]),
    ("wrong type: algorithm a number", GOOD.replace('algorithm = "gd";', "algorithm = 3;"),
     [":1:", "'algorithm' must be a name"]),
    ("wrong type: project an integer", GOOD.replace('"gd"', '"label_noise_sgd"') + "project = 1;\n",
     [":6:", "'project' must be true or false"]),
    ("wrong type: name a number", GOOD + "name = 5;\n", [":6:", "'name' must be a string"]),
    ("wrong type: eta a list of lists", GOOD + "eta = ([0.1], [0.2]);\n", [":6:", "single values"]),
    ("wrong type: seeds a string", GOOD + 'seeds = "3";\n', [":6:", "'seeds'"]),
    ("wrong type: algorithms not a group", GOOD + "algorithms = 1;\n", [":6:", "must be a group"]),
    ("unknown key", GOOD + "kapa = 3;\n", [":6:", "unknown setting 'kapa'", "did you mean 'kappa'?"]),
    ("unknown key in a group", 'd = 8;\nn = 4;\nkappa = 1;\nalgorithms = { gd = { etta = 0.1; }; };\n',
     [":4:", "unknown setting 'etta'", "did you mean 'eta'?"]),
    ("unknown key in a range", GOOD.replace("n = 4;", "n = { lin = [2, 8]; cuont = 3; };"),
     [":3:", "did you mean 'count'?"]),
    ("unknown key in a budget formula", GOOD.replace("steps = 200;", "steps = { scael = 2.0; };"),
     [":5:", "did you mean 'scale'?"]),
    ("unknown algorithm", GOOD.replace('"gd"', '"lable_noise_sgd"'),
     [":1:", "unknown algorithm 'lable_noise_sgd'", "did you mean 'label_noise_sgd'?"]),
    ("unknown design", GOOD + 'design = "gausian";\n', [":6:", "did you mean 'gaussian'?"]),
    ("unknown wstar", GOOD + 'wstar = "sings";\n', [":6:", "did you mean 'signs'?"]),
    ("unknown algorithm group", 'd = 8;\nn = 4;\nkappa = 1;\nalgorithms = { riemannian = {}; };\n',
     [":4:", "unknown algorithm 'riemannian'"]),
    ("top-level key in a group", 'd = 8;\nn = 4;\nkappa = 1;\nalgorithms = { gd = { seed = 1; }; };\n',
     [":4:", "only allowed at the top level"]),
    ("a key the dynamics does not read", 'd = 8;\nn = 4;\nkappa = 1;\nalgorithms = { gd = { sigma = 1.0; }; };\n',
     [":4:", "gd does not read 'sigma'"]),
    ("out of range: eta < 0", GOOD + "eta = -1.0;\n", [":6:", "'eta' must be > 0"]),
    ("out of range: alpha = 0", GOOD + "alpha = 0.0;\n", [":6:", "'alpha' must be > 0"]),
    ("out of range: d = 0", GOOD.replace("d = 8;", "d = 0;"), [":2:", "'d' must be >= 1"]),
    ("out of range: kappa > 1e9", GOOD.replace("kappa = 1;", "kappa = 2000000000;"), [":4:", "'kappa' must be <="]),
    ("out of range: fractional n", GOOD.replace("n = 4;", "n = 4.5;"), [":3:", "'n' must be an integer"]),
    ("out of range: seeds = 0", GOOD + "seeds = 0;\n", [":6:", "'seeds' (a count) must be >= 1"]),
    ("out of range: count = 0", GOOD.replace("n = 4;", "n = { lin = [2, 8]; count = 0; };"),
     [":3:", "'count' must be >= 1"]),
    ("out of range: steps > 1e15", GOOD.replace("steps = 200;", "steps = 1e16;"), [":5:", "'steps' must be <="]),
    ("out of range: sweep seed < 0", GOOD + "seed = -1;\n", [":6:", "must be >= 0"]),
    ("out of range: sweep seed >= 2^64", GOOD + "seed = 1e30;\n", [":6:", "must be < 2^64"]),
    ("out of range: search resolution", GOOD.replace("n = 4;", "n = { search = [2, 8]; resolution = 1e30; };"),
     [":3:", "'resolution'"]),
    ("out of range: log range from 0", GOOD + "eta = { log = [0.0, 0.1]; count = 3; };\n",
     [":6:", "log ranges need lo > 0"]),
    ("out of range: lo > hi", GOOD.replace("n = 4;", "n = { lin = [8, 2]; count = 3; };"), [":3:", "lo <= hi"]),
    ("out of range: eps = 0", GOOD + "eps = 0.0;\n", [":6:", "'eps' must be > 0"]),
    ("out of range: max_n_over_d <= 0", GOOD + "max_n_over_d = -1.0;\n", [":6:", "'max_n_over_d' must be > 0"]),
    ("out of range: budget formula", GOOD.replace("steps = 200;", "steps = { scale = 1e300; d_power = 9.0; };"),
     [":5:", "the budget formula of 'steps' gives"]),
    ("out of range: flow eta_power", 'algorithm = "riemannian_flow";\nd = 8;\nn = 4;\nkappa = 1;\n'
     'time = { scale = 1.0; eta_power = 1.0; };\n', [":5:", "no step size"]),
    ("out of range: n*d too large for one instance", GOOD.replace("d = 8;", "d = 1000000000;").replace("n = 4;", "n = 5;"),
     [":3:", "too large for one instance"]),
    ("name with a '/' (would write outside the results directory)", GOOD + 'name = "../escaped";\n',
     [":6:", "cannot name a directory or file"]),
    ("name with a newline", GOOD + 'name = "two\\nlines";\n', [":6:", "control characters"]),
    ("name '.'", GOOD + 'name = ".";\n', [":6:", "not '.' or '..'"]),
    ("name '..'", GOOD + 'name = "..";\n', [":6:", "not '.' or '..'"]),
    ("name of 129 bytes (NAME_MAX leaves room for 128 in every derived file name)", GOOD + f'name = "{"x" * 129}";\n',
     [":6:", "1 to 128 bytes (it has 129)"]),
    ("name of 300 bytes", GOOD + f'name = "{"y" * 300}";\n', [":6:", "1 to 128 bytes (it has 300)"]),
    ("name with U+202E (right-to-left override)", GOOD + 'name = "report\u202egfp.exe";\n', [":6:", "bidirectional"]),
    ("name with U+2066 (left-to-right isolate)", GOOD + 'name = "\u2066x";\n', [":6:", "bidirectional"]),
    ("name with U+200F (right-to-left mark)", GOOD + 'name = "x\u200f";\n', [":6:", "bidirectional"]),
    ("name not UTF-8 (Latin-1)", GOOD.encode() + b'name = "caf\xe9";\n', [":6:", "valid UTF-8"]),
    ("name with an overlong '/' (C0 AF)", GOOD.encode() + b'name = "a\xc0\xafb";\n', [":6:", "valid UTF-8"]),
    ("name with a C1 control (U+009B)", GOOD + 'name = "a\u009bb";\n', [":6:", "control characters"]),
    ("log range beyond the double ratio at the automatic step", GOOD + "alpha = { log = [1e-300, 1e300]; count = 3; };\n",
     [":6:", "'alpha' = 1e+300 is too large for gd d=8 n=4", "automatic step underflows to 0"]),
    ("a task whose cost is not finite (eta^2 underflows)", GOOD.replace('"gd"', '"label_noise_sgd"').replace(
        "steps = 200;", "eta = 1e-200;"), ["has no finite cost estimate"]),
    ("costs whose sum overflows", GOOD.replace('"gd"', '"label_noise_sgd"').replace(
        "steps = 200;", "eta = 1e-153;\ntime = 1e5;\nproject = false;\nseeds = 200;"),
     ["the estimated cost of the grid overflows"]),
    ("missing d", GOOD.replace("d = 8;\n", ""), ["'d' is not set for gd"]),
    ("no algorithm", "d = 8;\nn = 4;\nkappa = 1;\n", ["no algorithm to run"]),
    ("grid over the task limit", 'algorithm = "gd";\nkappa = 1;\nsteps = 10;\nseeds = 1000000;\n'
     'd = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110];\nn = 10;\n',
     ["more than 10000000 tasks"]),
    ("grid over the point limit", 'algorithm = "gd";\nkappa = 1;\nd = { lin = [100, 100099]; count = 100000; };\n'
     'n = { lin = [100, 10099]; count = 10000; };\n', ["points, more than 100000000"]),
]


# (what, spec, options for both plan and run, words of the message): plan's admission, applied by run
ADMIT = [
    ("gd d = 1e9, n = 1 over the memory limit", 'algorithm = "gd";\nd = 1000000000;\nn = 1;\nkappa = 1;\nsteps = 1;\n',
     ["--memory-limit", "1GiB"], ["the largest task (gd d=1000000000 n=1) needs 68.0 GiB, "
                                  "more than the memory limit per rank 1.0 GiB"]),
    ("the flow at d = 1e8", 'algorithm = "riemannian_flow";\nd = 100000000;\nn = 10;\nkappa = 1;\n',
     ["--memory-limit", "4GiB"], ["(riemannian_flow d=100000000 n=10) needs", "memory limit per rank 4.0 GiB"]),
    ("gd 50000 x 50000", 'algorithm = "gd";\nd = 50000;\nn = 50000;\nkappa = 1;\nsteps = 1;\n',
     ["--memory-limit", "8GiB"], ["(gd d=50000 n=50000) needs", "memory limit per rank 8.0 GiB"]),
    ("a d log range to 1e9", 'algorithm = "gd";\nd = { log = [10.0, 1e9]; count = 9; };\nn = 2;\nkappa = 1;\nsteps = 1;\n',
     ["--memory-limit", "2GiB"], ["(gd d=1000000000 n=2) needs", "memory limit per rank 2.0 GiB"]),
]


def default_memory_limit():
    """Physical memory / cores online, the default limit per rank (plan --help), computed here."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / os.sysconf("SC_NPROCESSORS_ONLN")


def case_admission(tmp, results):
    """Specs that load but do not fit: plan and run refuse them alike (one shared check), before
    run writes anything; once under mpirun -np 2."""
    catalog = os.path.join(results, "catalog.sqlite")
    cases = list(ADMIT)
    if default_memory_limit() < 60 * 2 ** 30:  # the default limit: 68 GiB is over it on this machine
        cases.append(("gd d = 1e9, n = 1 over the default limit", ADMIT[0][1], [],
                      ["needs 68.0 GiB, more than the memory limit per rank",
                       "(physical memory / cores; --memory-limit overrides)"]))
    for i, (what, text, extra, want) in enumerate(cases):
        path = os.path.join(tmp, f"admit{i}.cfg")
        with open(path, "w") as f:
            f.write(text)
        count("specs")
        ep = refused(f"plan: {what}", ["plan", path, *extra], dirs=[tmp, results], files=[path], want=want)
        er = refused(f"run: {what}", ["run", path, "--catalog", catalog, "--quiet", *extra], dirs=[tmp, results],
                     files=[path], want=want)
        check(ep.partition(": ")[2] == er.partition(": ")[2], f"{what}: plan and run say the same ({ep!r} vs {er!r})")
    # under mpirun: exit 2, the message once (rank 0), nothing written
    path = os.path.join(tmp, "admit0.cfg")
    before = sorted(os.listdir(results))
    p = subprocess.run(["mpirun", "-np", "2", BIASWEEP, "run", path, "--catalog", catalog, "--memory-limit", "1GiB"],
                       env=ENV, capture_output=True, text=True, timeout=300)
    check(p.returncode == 2, f"mpirun -np 2 run over the memory limit: exit 2 (got {p.returncode}; {p.stderr[-300:]!r})")
    check(p.stdout == "", f"mpirun over the memory limit: nothing on stdout ({p.stdout!r})")
    check(p.stderr.count("needs 68.0 GiB") == 1, f"mpirun over the memory limit: the message once ({p.stderr!r})")
    check(sorted(os.listdir(results)) == before, "mpirun over the memory limit: nothing written")
    # names a run into this catalog would give its trajectory files and sidecars: run only (plan has no catalog)
    long_name = 'name = "' + "n" * 128 + '";\n'
    path = os.path.join(tmp, "longname.cfg")
    with open(path, "w") as f:
        f.write(GOOD + long_name)
    count("specs")
    cat88 = os.path.join(results, "c" * 81 + ".sqlite")  # 88 + 1 + 128 + 1 + 19 + 6 + 10 + 3 = 256 > 255
    refused("run: trajectory file names over NAME_MAX", ["run", path, "--catalog", cat88, "--quiet"],
            dirs=[tmp, results], want=[f"{path}:6: the trajectory files", "up to 256 bytes"])
    count("specs")
    cat248 = os.path.join(results, "j" * 241 + ".sqlite")  # with -journal: 256
    refused("run: catalog name with '-journal' over NAME_MAX", ["run", path, "--catalog", cat248, "--quiet"],
            dirs=[tmp, results], want="with '-journal'")


def case_paths(tmp, results):
    """Spec paths that are not regular files of bounded size: refused at once, without reading."""
    catalog = os.path.join(results, "catalog.sqlite")
    fifo = os.path.join(tmp, "spec.fifo")
    os.mkfifo(fifo)
    big = os.path.join(tmp, "big17m.cfg")
    with open(big, "wb") as f:  # sparse: 17 MiB of NUL bytes without writing them
        f.truncate(17 << 20)
    for what, path, want in [("spec is /dev/zero (endless)", "/dev/zero", "not a regular file"),
                             ("spec is a FIFO (no writer: reading would wait)", fifo, "not a regular file"),
                             ("spec of 17 MiB", big, "more than a spec may have (16 MiB)")]:
        count("specs")
        for cmd in ("plan", "run"):
            extra = ["--catalog", catalog] if cmd == "run" else []
            refused(f"{cmd}: {what}", [cmd, path, *extra], dirs=[tmp, results], want=want, timeout=60)


# one option of each command given twice (list options, --where, repeat: they stay allowed)
TWICE = [("--d", ["run-one", "--algo", "gd", "--d", "10", "--d", "20", "--n", "4", "--kappa", "1", "--alpha", "1"]),
         ("--json", ["run-one", "--algo", "gd", "--d", "10", "--n", "4", "--kappa", "1", "--alpha", "1", "--json",
                     "--json"]),
         ("--memory-limit", ["plan", "SPEC", "--memory-limit", "1GiB", "--memory-limit=2GiB"]),
         ("--catalog", ["run", "SPEC", "--catalog", "CAT", "--quiet", "--catalog", "CAT"]),
         ("--format", ["status", "--catalog", "CAT", "--format", "csv", "--format", "json"]),
         ("--limit", ["query", "--catalog", "CAT", "--limit", "1", "--limit", "2"]),
         ("--fit", ["curve", "--catalog", "CAT", "--fit", "--fit"]),
         ("--output", ["plot", "nstar-d", "--catalog", "CAT", "-o", "IMG", "--output", "IMG"]),
         ("--kappa", ["dt", "--d", "100", "--kappa", "5", "--kappa", "6"]),
         ("--quiet", ["merge", "--quiet", "--quiet", "OUT", "CAT"]),
         ("--repeats", ["bench", "--repeats", "1", "--repeats", "2"])]


def case_options(tmp, results):
    cat = os.path.join(results, "real.sqlite")
    spec = make_catalog(cat)
    subst = {"SPEC": spec, "CAT": cat, "OUT": os.path.join(results, "merged.sqlite"),
             "IMG": os.path.join(results, "fig.png")}
    for name, args in TWICE:
        args = [subst.get(a, a) for a in args]
        count("specs")
        refused(f"{args[0]}: {name} given twice", args, dirs=[tmp, results], files=[cat],
                want=f"option {name} given twice", sidecars=True, cwd=tmp)  # bench would write results/ there
    # the repeatable ones still repeat
    rc, out, err = run(["query", "--catalog", cat, "--where", "algorithm=gd", "--where", "d=8", "--format", "csv"])
    check(rc == 0 and "given twice" not in err, f"query --where twice is allowed ({rc}: {err.strip()})")


def case_specs(tmp):
    results = os.path.join(tmp, "results")
    os.makedirs(results)
    for i, (what, text, want) in enumerate(SPECS):
        path = os.path.join(tmp, f"bad{i:02d}.cfg")
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        count("specs")
        refused(f"plan: {what}", ["plan", path], dirs=[tmp, results], files=[path], want=want)
        refused(f"run: {what}", ["run", path, "--catalog", os.path.join(results, "catalog.sqlite")],
                dirs=[tmp, results], files=[path], want=want)
    # the size limit is a refusal, not a crash or an out-of-memory: plan's memory limit too
    big = os.path.join(tmp, "big.cfg")
    with open(big, "w") as f:
        f.write('algorithm = "riemannian_flow";\nd = 60000;\nn = 60000;\nkappa = 1;\n')
    count("specs")
    refused("plan: largest task over the memory limit", ["plan", big, "--memory-limit", "1GiB"], dirs=[tmp],
            want=["needs", "more than the memory limit per rank 1.0 GiB"])
    # bad spec paths
    for what, path, want in [("spec does not exist", os.path.join(tmp, "nope.cfg"), "No such file"),
                             ("spec is a directory", results, "Is a directory")]:
        count("specs")
        for cmd in ("plan", "run"):
            extra = ["--catalog", os.path.join(results, "catalog.sqlite")] if cmd == "run" else []
            refused(f"{cmd}: {what}", [cmd, path, *extra], dirs=[tmp, results], want=want)
    if os.getuid() == 0:
        unreadable = os.path.join(tmp, "unreadable.cfg")
        with open(unreadable, "w") as f:
            f.write(GOOD)
        os.chmod(unreadable, 0o200)
        os.chmod(tmp, 0o755)
        count("specs")
        refused("plan: spec not readable", ["plan", unreadable], dirs=[tmp], want="Permission denied",
                preexec_fn=as_nobody)
    # under mpirun the refusal is the same: exit 2 from mpirun, the message once, nothing written
    path = os.path.join(tmp, "bad-mpi.cfg")
    with open(path, "w") as f:
        f.write(GOOD + "kapa = 3;\n")
    before = sorted(os.listdir(results))
    p = subprocess.run(["mpirun", "-np", "2", BIASWEEP, "run", path, "--catalog", os.path.join(results, "catalog.sqlite")],
                       env=ENV, capture_output=True, text=True, timeout=300)
    check(p.returncode == 2, f"mpirun -np 2 run with a bad spec: exit 2 (got {p.returncode})")
    check(p.stdout == "", f"mpirun: nothing on stdout ({p.stdout!r})")
    check(p.stderr.count("did you mean 'kappa'?") == 1, f"mpirun: the message once, from rank 0 ({p.stderr!r})")
    check(sorted(os.listdir(results)) == before, "mpirun: nothing written")
    # the default name, from the file name, follows the same rule
    dot = os.path.join(tmp, "..cfg")
    with open(dot, "w") as f:
        f.write(GOOD)
    count("specs")
    for cmd in ("plan", "run"):
        extra = ["--catalog", os.path.join(results, "catalog.sqlite")] if cmd == "run" else []
        refused(f"{cmd}: spec file '..cfg' (default name '.')", [cmd, dot, *extra], dirs=[tmp, results], files=[dot],
                want=["the file name (without .cfg) is the spec's name", "not '.' or '..'"])
    case_admission(tmp, results)
    case_paths(tmp, results)
    case_options(tmp, results)


def make_catalog(path):
    """A real one-task catalog (and its trajectory file) made by biasweep run."""
    spec = os.path.join(os.path.dirname(path), "tiny.cfg")
    with open(spec, "w") as f:
        f.write('name = "tiny";\n' + GOOD)
    rc, out, err = run(["run", spec, "--catalog", path, "--quiet"])
    check(rc == 0, f"making a catalog: exit 0 ({err.strip()})")
    return spec


def case_storage(tmp):
    spec = os.path.join(ROOT, "jobs", "smoke.cfg")
    # ---- results directories ----
    count("storage")
    refused("run: results directory does not exist", ["run", spec, "--catalog", os.path.join(tmp, "nodir", "c.sqlite")],
            dirs=[tmp], want="cannot write to the results directory")
    afile = os.path.join(tmp, "afile")
    with open(afile, "w") as f:
        f.write("x\n")
    count("storage")
    refused("run: results 'directory' is a file", ["run", spec, "--catalog", os.path.join(afile, "c.sqlite")],
            dirs=[tmp], files=[afile], want=["cannot write to the results directory", "Not a directory"])
    if os.getuid() == 0:
        ro = os.path.join(tmp, "readonly")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        os.chmod(tmp, 0o755)
        count("storage")
        refused("run: results directory not writable", ["run", spec, "--catalog", os.path.join(ro, "c.sqlite")],
                dirs=[tmp, ro], want=["cannot write to the results directory", "Permission denied"],
                preexec_fn=as_nobody, env=dict(ENV, HOME=tmp, TMPDIR="/tmp"))
    else:
        ro = os.path.join(tmp, "readonly")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        count("storage")
        refused("run: results directory not writable", ["run", spec, "--catalog", os.path.join(ro, "c.sqlite")],
                dirs=[tmp, ro], want="cannot write to the results directory")

    # ---- catalogs that are not biasweep's ----
    d = os.path.join(tmp, "cats")
    os.makedirs(d)
    text = os.path.join(d, "text.sqlite")
    with open(text, "w") as f:
        f.write("this is not a database\n" * 100)
    binary = os.path.join(d, "binary.sqlite")
    with open(binary, "wb") as f:
        f.write(os.urandom(8192))
    other = os.path.join(d, "other.sqlite")
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE people(name TEXT)")
    con.execute("INSERT INTO people VALUES('x')")
    con.commit()
    con.close()
    real = os.path.join(d, "real", "catalog.sqlite")
    os.makedirs(os.path.dirname(real))
    tiny = make_catalog(real)
    newer = os.path.join(d, "newer.sqlite")
    shutil.copy(real, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    garbage = os.path.join(d, "garbage-version.sqlite")
    shutil.copy(real, garbage)
    con = sqlite3.connect(garbage)
    con.execute("UPDATE meta SET value = 'one' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    for f in (newer, garbage, other):  # leave no -wal/-shm behind: the checks compare listings
        con = sqlite3.connect(f)
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
    truncated = os.path.join(d, "truncated.sqlite")
    with open(real, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[:len(data) // 2])
    header_only = os.path.join(d, "header-only.sqlite")
    with open(header_only, "wb") as f:
        f.write(data[:100])
    cases = [("not SQLite (text)", text, "not an SQLite database"),
             ("not SQLite (random bytes)", binary, "not an SQLite database"),
             ("an SQLite database of something else", other, "not a biasweep catalog"),
             ("newer schema_version", newer, ["schema_version 2", "upgrade biasweep"]),
             ("unreadable schema_version", garbage, "schema_version"),
             ("truncated catalog", truncated, "is corrupt"),
             ("only the SQLite header", header_only, "is corrupt")]
    for what, cat, want in cases:
        count("storage")
        watch = dict(dirs=[d, os.path.dirname(real)], files=[cat])
        refused(f"run: catalog {what}", ["run", tiny, "--catalog", cat, "--quiet"], want=want, **watch)
        for cmd in ("status", "query", "curve"):
            refused(f"{cmd}: catalog {what}", [cmd, "--catalog", cat], want=want, sidecars=True, **watch)
    # ---- catalogs with a table, view or column dropped (or replaced) ----
    shard = os.path.join(tmp, "good-shard.sqlite")  # a rollback-journal copy: no sidecars when read
    shutil.copy(real, shard)
    con = sqlite3.connect(shard)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    damaged = [("table sweep_tasks dropped", "DROP TABLE sweep_tasks", "(missing table sweep_tasks)"),
               ("table outcomes dropped", "DROP TABLE outcomes", "(missing table outcomes)"),
               ("view results dropped", "DROP VIEW results", "(missing view results)"),
               ("a table in place of view success_rates",
                "DROP VIEW success_rates; CREATE TABLE success_rates(algorithm, rate)",
                "(success_rates is a table, not a view)"),
               ("column outcomes.message renamed", "ALTER TABLE outcomes RENAME COLUMN message TO msg",
                "(table outcomes has no column message)"),
               ("a column added to tasks", "ALTER TABLE tasks ADD COLUMN extra INTEGER",
                "(table tasks has an unexpected column extra)")]
    for what, sql, want in damaged:
        cat = os.path.join(d, "damaged.sqlite")
        shutil.copy(real, cat)
        con = sqlite3.connect(cat)
        con.executescript(sql)
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        count("storage")
        watch = dict(dirs=[d, os.path.dirname(real)], files=[cat])
        wants = [want, "damaged.sqlite"]
        refused(f"run: catalog with {what}", ["run", tiny, "--catalog", cat, "--quiet"], want=wants, **watch)
        for cmd in ("status", "query", "curve"):
            refused(f"{cmd}: catalog with {what}", [cmd, "--catalog", cat], want=wants, **watch)
        refused(f"plot: catalog with {what}", ["plot", "nstar-d", "--catalog", cat, "-o", os.path.join(d, "fig.png")],
                want=wants, **watch)
        refused(f"merge: shard with {what}", ["merge", os.path.join(d, "merged.sqlite"), cat], want=wants, **watch)
        refused(f"merge: OUT with {what}", ["merge", cat, shard], want=wants, **watch)
        os.unlink(cat)
    # a catalog path that is a directory
    count("storage")
    for cmd in (["run", tiny, "--quiet"], ["status"], ["query"]):
        refused(f"{cmd[0]}: catalog is a directory", cmd + ["--catalog", d], dirs=[d], want="not a regular file")
    # a catalog that is not there (a mistyped path; the default one in a directory without results):
    # bad input, and no file made by asking
    for what, cat, want in [("missing", os.path.join(d, "catalgo.sqlite"), "No such file"),
                            ("below a file", os.path.join(text, "catalog.sqlite"), "Not a directory"),
                            ("the default, missing", None, "'results/catalog.sqlite'")]:
        count("storage")
        for cmd in ("status", "query", "curve"):
            args = [cmd] + (["--catalog", cat] if cat else [])
            refused(f"{cmd}: catalog {what}", args, dirs=[d, os.path.dirname(real)], want=["no catalog", want],
                    cwd=d if cat is None else None)
    # how long a run waits quietly for a locked catalog: a number of milliseconds, or refused
    for bad in ("soon", "-5", "30s", "1e3"):
        count("storage")
        refused(f"run: BIASWEEP_BUSY_TIMEOUT_MS={bad!r}", ["run", tiny, "--catalog", os.path.join(d, "new.sqlite")],
                dirs=[d], want="BIASWEEP_BUSY_TIMEOUT_MS", env=dict(ENV, BIASWEEP_BUSY_TIMEOUT_MS=bad))
    # the real catalog survived all of that and still reads
    rc, out, err = run(["status", "--catalog", real])
    check(rc == 0 and "tiny" in out, f"the real catalog still reads ({rc}: {err.strip()})")


def main():
    group = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix=f"bw-bad-{group}-")
    try:
        {"specs": case_specs, "storage": case_storage}[group](tmp)
    finally:
        for dp, dn, fn in os.walk(tmp):
            for x in dn:
                os.chmod(os.path.join(dp, x), 0o755)
        shutil.rmtree(tmp, ignore_errors=True)
    finish(f"test_badinput {group}")


if __name__ == "__main__":
    main()
