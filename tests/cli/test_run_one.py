"""test_run_one.py - `biasweep run-one`: output formats, documented
conventions, help, and the handling of bad input.

Oracles: the documented conventions (run-one --help and docs/model.md) computed here:
the automatic step for each dynamics, t = k*eta (gd, sgd) and
k*eta^2*sigma^2/2 (label_noise_sgd, gaussian_noise_gd), the start of every trajectory at
w = 0 (test error 1, R = 16 d alpha^2 on Rademacher rows since c_j = n), and
the contract of main.c: bad input gives exit status 2, one line on stderr,
nothing on stdout and no file."""
import json
import math
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run, run_one  # noqa: E402

require_binary()
ALGOS = ["gd", "label_noise_sgd", "sgd", "riemannian_flow", "gaussian_noise_gd"]  # gd before the flow (see below)
NOISY = ("label_noise_sgd", "gaussian_noise_gd")  # t = k*eta^2*sigma^2/2, scored after the projection
BASE = ["--d", "40", "--n", "16", "--kappa", "3", "--alpha", "0.4"]
BUDGET = {"gd": ["--steps", "20000"], "sgd": ["--steps", "40000"],
          "label_noise_sgd": ["--steps", "20000"], "riemannian_flow": ["--time", "5"],
          "gaussian_noise_gd": ["--steps", "5000"]}


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def eta_auto(algo, d, n, kappa, alpha):
    """The automatic step, as documented in run-one --help."""
    if algo in ("label_noise_sgd", "sgd"):
        return 0.25 / (8 * max(d * alpha * alpha, kappa))
    return 0.25 / ((16 / n) * max(alpha * alpha, 1) * (math.sqrt(n) + math.sqrt(d)) ** 2)


# ---- --help --------------------------------------------------------------
OPTIONS = ["algo", "design", "wstar", "d", "n", "kappa", "alpha", "eta", "eta-scale", "checkpoints", "sigma", "batch", "seed",
           "sweep-seed", "steps", "time", "eps", "tol", "no-project", "save", "json", "help"]
for flag in ("--help", "-h"):
    rc, out, err = run_one(flag)
    check(rc == 0, "run-one %s exits 0 (got %d)" % (flag, rc))
    check(err == "", "run-one %s writes nothing on stderr: %r" % (flag, err))
    for o in OPTIONS:
        check(re.search(r"--%s\b" % re.escape(o), out) is not None, "run-one %s mentions --%s" % (flag, o))
    for a in ALGOS:
        check(a in out, "run-one %s mentions the algorithm %s" % (flag, a))
# every option the help lists is known to the parser (no 'unknown option')
rc, out, _ = run_one("--help")
listed = sorted(set(re.findall(r"^\s+(--[a-z][a-z-]*)", out, re.M)))
check(len(listed) >= len(OPTIONS) - 1, "help lists the options: %s" % listed)
for o in listed:
    if o == "--help":
        continue
    rc2, _, err2 = run_one(o, "1")
    check("unknown option" not in err2, "%s from the help is known to the parser: %r" % (o, err2))
rc, out, err = run(["--help"])
check(rc == 0 and "run-one" in out, "biasweep --help lists run-one")
# the conventions, generated from the dynamics table: the text they had when
# written by hand (run-one --help before the table), line for line, with
# gaussian_noise_gd's row added, the stopping rules and caps of the convergence change, and
# the schedule (its cap and --schedule among the options a dynamics may not read)
CONVENTIONS = """defaults and conventions:
  --eta      auto: gd and gaussian_noise_gd 0.25/((16/n) max(alpha^2,1) (sqrt n + sqrt d)^2);
             label_noise_sgd and sgd 0.25/(8 max(d alpha^2, kappa)) (the one-sample stability bound);
             riemannian_flow takes no step: its start Phi(x0) is gd's limit at gd's auto step
  budget     gd 1e6 steps, sgd 1e7 steps, label_noise_sgd --time 1000 (10000 with --schedule sharpness), riemannian_flow --time 10000, gaussian_noise_gd --time 5;
             --steps and --time may be combined (whichever ends first)
  t          gd, sgd: k*eta; label_noise_sgd, gaussian_noise_gd: k*eta^2*sigma^2/2; riemannian_flow: flow time
  success    test error ||w - w*||/||w*|| <= eps (default 0.1)
  converged  gd and sgd: relative loss L/(|y|^2/n) <= tol (default 1e-10);
             label_noise_sgd: Phi(x_k), the projection at checks, is stationary: its R moves slower than
             1e-6 k relative between checks, and its w too or w has settled within its
             jitter (net change over the last 10 checks <= the largest single change),
             3 checks in a row (rule phi3: checks at checkpoints of the default schedule
             from step 100 at least 12 n^2 (d + n/3) / d steps apart, so they cost ~5%
             of the steps between them; in time under --schedule sharpness);
             riemannian_flow: ||P grad R|| <= tol ||grad R|| (default 1e-7), or at two steps in a row
             ||dw/dt|| <= tol k ||w||, |dR/dt| <= tol k R and no coordinate above
             1e-12 max(u^2+v^2) growing faster than 1e-4 k;
             (k = 16 max_j c_j / n, the flow's rate; budgets are caps, status says which ended a run)
  label_noise_sgd and gaussian_noise_gd: the final iterate is projected onto the zero-loss manifold by noise-free gd
  (the theory's Phi) unless --no-project; the trajectory holds the raw iterates.
  --schedule sharpness (label_noise_sgd): eta_k = eta B_0/B_k, B_k = max(max_i sum_j z_ij^2 (u_j^2+v_j^2), kappa)
  (the largest sample sharpness over 8) recomputed every 32 steps (+-1 rows) or every multiple of
  32 >= n, eta the step above (so --eta-scale is the fraction of the stability bound it keeps);
  t = sum_k eta_k^2 sigma^2/2, the same clock.
  --eta, --sigma, --batch, --schedule and --no-project are refused (exit 2) for a dynamics that
  does not read them, as a spec refuses them in its group; the table prints only the parameters read.
  instances depend on (sweep seed, design, d, kappa, w*, seed index) only and are nested in n.
exit status: 0 ok (diverged is an outcome), 2 bad input, 1 other errors.
"""
rc, out, _ = run_one("--help")
check(out.endswith("\n\n" + CONVENTIONS) or out.endswith("\n" + CONVENTIONS), "run-one --help ends with the conventions:\n" + out[-1200:])
m = re.search(r"^dynamics \(--algo\):\n((?:  \S+ +\S.*\n)+)", out, re.M)
check(m is not None and [l.split()[0] for l in m.group(1).splitlines()] == ALGOS,
      "run-one --help lists the dynamics in table order with a line each: %r" % (m.group(1) if m else out))
m = re.search(r"^  --algo NAME\s+(.*)$", out, re.M)
check(m is not None and m.group(1) == " | ".join(ALGOS) + " (required)", "--algo's help: %r" % (m.group(1) if m else None))
for opt, text in (("sigma S", "noise scale of label_noise_sgd and gaussian_noise_gd (default 1)"), ("batch B", "batch of sgd, 1 <= B <= N (default 1)"),
                  ("no-project", "label_noise_sgd and gaussian_noise_gd: report the raw final iterate")):
    m = re.search(r"^  --%s\s+(.*)$" % re.escape(opt), out, re.M)
    check(m is not None and m.group(1) == text, "--%s's help: %r" % (opt, m.group(1) if m else None))
rc, out, err = run_one("--d", "3", "--n", "2", "--kappa", "1", "--alpha", "1")
check(rc == 2 and err.strip().endswith("--algo is required (gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd)"),
      "--algo missing: %d %r" % (rc, err))

# ---- every dynamics: table and JSON ---------------------------------------
RESULTS = {}
for algo in ALGOS:
    args = ["--algo", algo] + BASE + BUDGET[algo]
    rc, out, err = run_one(*args)
    check(rc == 0, "%s table: exit 0 (got %d, %r)" % (algo, rc, err))
    check(err == "", "%s table: empty stderr (%r)" % (algo, err))
    m = re.search(r"^algorithm\s+(\S+)$", out, re.M)
    check(m is not None and m.group(1) == algo, "%s table: algorithm line" % algo)
    for label in ("status", "train loss", "test error", "R = tr Hessian", "||w||_1", "steps"):
        check(re.search(r"^%s\s+\S" % re.escape(label), out, re.M) is not None, "%s table: '%s' row" % (algo, label))
    m = re.search(r"^trajectory \((?:(\d+) of )?(\d+) checkpoints[^)\n]*\)\n\s*step\s+t\s+loss\s+test_error\s+R\n"
                  r"((?:.+\n?)+)", out, re.M)
    check(m is not None, "%s table: trajectory header" % algo)
    table_err = None
    if m:
        rows = [r.split() for r in m.group(3).strip().splitlines()]
        check(len(rows) == int(m.group(1) or m.group(2)), "%s table: the header's count (%s of %s) is the rows shown (%d)"
              % (algo, m.group(1), m.group(2), len(rows)))
        check(all(len(r) == 5 for r in rows), "%s table: 5 columns per trajectory row" % algo)
        try:
            vals = [[float(x) for x in r] for r in rows]
            check(vals[0][0] == 0, "%s table: first row is step 0" % algo)
            if algo != "riemannian_flow":
                check(abs(vals[0][3] - 1) < 1e-12, "%s table: first row has test error 1 (w = 0)" % algo)
        except ValueError:
            check(False, "%s table: trajectory rows are numbers" % algo)
    te = re.search(r"^test error\s+(\S+)", out, re.M)
    table_err = float(te.group(1)) if te else None

    rc, out, err = run_one(*(args + ["--json"]))
    check(rc == 0 and err == "", "%s json: exit 0, empty stderr (%d, %r)" % (algo, rc, err))
    check(out.count("\n") == 1 and out.endswith("\n"), "%s json: one line" % algo)
    try:
        j = json.loads(out)
    except ValueError as e:
        check(False, "%s json: parses (%s)" % (algo, e))
        continue
    check(j["algorithm"] == algo and j["design"] == "rademacher" and j["wstar"] == "signs",
          "%s json: names" % algo)
    check((j["d"], j["n"], j["kappa"], j["seed"]) == (40, 16, 3, 0), "%s json: sizes" % algo)
    check(j["alpha"] == 0.4, "%s json: alpha" % algo)
    check(j["status"] in ("converged", "budget", "diverged", "failed"), "%s json: status %r" % (algo, j["status"]))
    check(j["status"] in ("converged", "budget"), "%s json: this easy run neither diverged nor failed" % algo)
    if table_err is not None:
        check(rel(j["test_error"], table_err) < 1e-5, "%s: table and JSON report the same test error" % algo)
    tr = j["trajectory"]
    L = len(tr["step"])
    check(L >= 2 and all(len(tr[k]) == L for k in ("t", "loss", "test_error", "R")), "%s json: trajectory columns" % algo)
    check(all(b > a for a, b in zip(tr["step"], tr["step"][1:])), "%s json: steps increase" % algo)
    check(all(b >= a for a, b in zip(tr["t"], tr["t"][1:])), "%s json: t does not decrease" % algo)
    check(tr["step"][0] == 0, "%s json: trajectory starts at step 0" % algo)
    if algo != "riemannian_flow":
        check(tr["test_error"][0] == 1.0, "%s json: starts at w = 0 (error 1)" % algo)
        check(rel(tr["R"][0], 16 * 40 * 0.4 ** 2) < 1e-12,
              "%s json: R(0) = 16 d alpha^2 = %g (got %r)" % (algo, 16 * 40 * 0.4 ** 2, tr["R"][0]))
    else:
        # docs/model.md: the flow starts at Phi(x0), where gd (small step) converges
        g = RESULTS["gd"]
        check(rel(tr["test_error"][0], g["test_error"]) < 1e-4 and rel(tr["R"][0], g["R"]) < 1e-4,
              "riemannian_flow json: starts where gd ends (error %r vs %r, R %r vs %r)" %
              (tr["test_error"][0], g["test_error"], tr["R"][0], g["R"]))
        check(tr["loss"][0] < 1e-8, "riemannian_flow json: starts on the manifold (loss %r)" % tr["loss"][0])
        check(j["R"] <= tr["R"][0], "riemannian_flow json: R decreases along the flow")
    check(tr["step"][-1] == j["steps"] and tr["t"][-1] == j["t"], "%s json: last checkpoint is the end" % algo)
    check(abs(tr["test_error"][-1] - j["test_error"]) <= 1e-9 * max(1, j["test_error"]) or algo in NOISY,
          "%s json: last checkpoint's error is the outcome's" % algo)
    if algo != "riemannian_flow":
        want = eta_auto(algo, 40, 16, 3, 0.4)
        check(rel(j["eta"], want) < 1e-12, "%s json: automatic eta %r, documented %r" % (algo, j["eta"], want))
        scale = j["eta"] ** 2 * j["sigma"] ** 2 / 2 if algo in NOISY else j["eta"]
        worst = max(rel(t, k * scale) if k else abs(t) for k, t in zip(tr["step"], tr["t"]))
        check(worst < 1e-12, "%s json: t = k * %s (worst rel %g)" %
              (algo, "eta^2 sigma^2/2" if algo in NOISY else "eta", worst))
    if algo in ("gd", "sgd"):
        check(j["alpha_inf"] is not None and 0 < j["alpha_inf"] <= 0.4, "%s json: 0 < alpha_inf <= alpha" % algo)
    if algo == "sgd":
        check(j["loss_rate"] is not None and j["loss_rate"] < 0, "sgd json: negative ln L rate")
        check(j["alpha_inf_pred"] is not None and j["alpha_inf_pred"] < 0.4, "sgd json: alpha_inf_pred < alpha")
    RESULTS[algo] = j
    # the same command twice gives the same JSON but for the wall time
    rc2, out2, _ = run_one(*(args + ["--json"]))
    j2 = json.loads(out2)
    for k in ("wall_s", "steps_per_s"):
        j.pop(k, None)
        j2.pop(k, None)
    check(j == j2, "%s json: deterministic" % algo)

# an explicit eta and other flags are echoed
rc, out, err = run_one("--algo", "sgd", "--design", "gaussian", "--wstar", "gaussian", "--d", 30, "--n", 12,
                       "--kappa", 2, "--alpha", 0.3, "--eta", 0.003, "--batch", 3, "--seed", 7, "--sweep-seed", 5,
                       "--steps", 5000, "--eps", 0.2, "--json")
check(rc == 0, "sgd with every flag: exit 0 (%r)" % err)
if rc == 0:
    j = json.loads(out)
    check((j["design"], j["wstar"], j["eta"], j["batch"], j["seed"], j["sweep_seed"], j["eps"]) ==
          ("gaussian", "gaussian", 0.003, 3, 7, 5, 0.2), "flags are echoed in the JSON: %r" %
          ({k: j[k] for k in ("design", "wstar", "eta", "batch", "seed", "sweep_seed", "eps")},))
    check(j["steps"] <= 5000, "--steps bounds the run")
    check(j["success"] == (j["test_error"] <= 0.2), "success = (test error <= eps)")
rc, out, err = run_one("--algo", "gd", *BASE, "--time", "0.5", "--json")
if check(rc == 0, "gd --time: exit 0"):
    j = json.loads(out)
    check(j["t"] >= 0.5 and j["t"] < 0.5 + 2 * j["eta"] and j["status"] == "budget",
          "gd --time 0.5 stops at t = %r (eta %r)" % (j["t"], j["eta"]))
rc, out, err = run_one("--algo", "gd", "--d", "1e2", *BASE[2:], "--json")  # BASE with --d 1e2
check(rc == 0 and json.loads(out)["d"] == 100, "integers written like 1e2 are accepted (documented)")

# --eta-scale X: the step is X times the documented automatic step (computed here)
for algo in ("gd", "sgd", "label_noise_sgd"):
    for x in (0.5, 3.0):
        rc, out, err = run_one("--algo", algo, *BASE, "--eta-scale", x, "--steps", 50, "--json")
        if check(rc == 0, "%s --eta-scale %g: exit 0 (%r)" % (algo, x, err)):
            j = json.loads(out)
            want = x * eta_auto(algo, 40, 16, 3, 0.4)
            check(rel(j["eta"], want) < 1e-15, "%s --eta-scale %g: eta %r = %g x the automatic %r" %
                  (algo, x, j["eta"], x, want / x))
def same_outcome(what, extra, plain):
    """run-one with the flags `extra` gives the JSON of `plain` but for the wall time."""
    rc, out, err = run_one(*(plain + extra + ["--json"]))
    rc0, out0, _ = run_one(*(plain + ["--json"]))
    if check(rc == 0 and rc0 == 0, "%s: exit 0 (%r)" % (what, err)):
        a, b = json.loads(out), json.loads(out0)
        for k in ("wall_s", "steps_per_s"):
            a.pop(k, None)
            b.pop(k, None)
        check(a == b, what)


same_outcome("sgd --eta-scale 1 is the automatic step bit for bit", ["--eta-scale", "1"],
             ["--algo", "sgd", *BASE, "--steps", "300"])

# --checkpoints N: every step up to N, then s -> ceil(s 10^(1/N)) (docs/model.md), computed here;
# the flow's at t = 10^(j/N) for consecutive j (per decade of its own time), from its first step on
def log_steps(N, last):
    s, out = 0, []
    while s < last:
        out.append(s)
        s = s + 1 if s < N else math.ceil(s * 10 ** (1 / N))
    return out + [last]


for algo, N in (("gd", 100), ("sgd", 37), ("label_noise_sgd", 3), ("gd", 10)):
    rc, out, err = run_one("--algo", algo, *BASE, "--steps", 30000, "--checkpoints", N, "--json")
    if check(rc == 0, "%s --checkpoints %d: exit 0 (%r)" % (algo, N, err)):
        st = json.loads(out)["trajectory"]["step"]
        want = log_steps(N, st[-1])
        if want[-2] == want[-1]:
            want.pop()
        check(st == want, "%s --checkpoints %d: %d checkpoints at the closed-form steps (first differences %r)" %
              (algo, N, len(st), [(a, b) for a, b in zip(st, want) if a != b][:3]))
        dec = [s for s in st if 100 <= s < 1000]
        check(N == 10 or abs(len(dec) - N) <= max(1, 0.1 * N), "%s --checkpoints %d: %d in the decade [100, 1000)" % (algo, N, len(dec)))
rc, out, err = run_one("--algo", "riemannian_flow", *BASE, "--time", 5, "--checkpoints", 25, "--json")
if check(rc == 0, "riemannian_flow --checkpoints 25: exit 0 (%r)" % err):
    t = json.loads(out)["trajectory"]["t"]
    j = [25 * math.log10(x) for x in t[1:-1]]
    check(t[0] == 0 and len(j) > 25 and all(abs(a - round(a)) < 1e-9 for a in j) and
          all(round(b) - round(a) == 1 for a, b in zip(j, j[1:])),
          "riemannian_flow --checkpoints 25: t = 10^(j/25), consecutive j (%d checkpoints, t %r..%r)" %
          (len(t), t[1], t[-1]))
same_outcome("riemannian_flow --checkpoints 10 is the default bit for bit", ["--checkpoints", "10"],
             ["--algo", "riemannian_flow", *BASE, "--time", "5"])

# ---- bad input: exit 2, one line on stderr, nothing on stdout, no file ----
GOOD = ["--algo", "gd", "--d", "12", "--n", "5", "--kappa", "2", "--alpha", "0.5"]


def with_(**kw):
    a = list(GOOD)
    for k, v in kw.items():
        flag = "--" + k.replace("_", "-")
        if flag in a:
            a[a.index(flag) + 1] = v
        else:
            a += [flag, v]
    return a


BAD = [
    ("kappa > d", with_(kappa="13")),
    ("n < 1", with_(n="0")),
    ("n negative", with_(n="-3")),
    ("d < 1", with_(d="0", kappa="1")),
    ("kappa < 1", with_(kappa="0")),
    ("eta = 0", with_(eta="0")),
    ("eta < 0", with_(eta="-0.01")),
    ("eta-scale 0", with_(eta_scale="0")),
    ("eta-scale < 0", with_(eta_scale="-2")),
    ("eta-scale above 1e6", with_(eta_scale="2e6")),
    ("eta-scale nan", with_(eta_scale="nan")),
    ("eta and eta-scale", with_(eta="0.01", eta_scale="2")),
    ("checkpoints 0", with_(checkpoints="0")),
    ("checkpoints 1001", with_(checkpoints="1001")),
    ("checkpoints 2.5", with_(checkpoints="2.5")),
    ("alpha = 0", with_(alpha="0")),
    ("alpha < 0", with_(alpha="-1")),
    ("alpha nan", with_(alpha="nan")),
    ("alpha inf", with_(alpha="inf")),
    ("sigma = 0", with_(algo="label_noise_sgd", sigma="0")),
    ("batch > n", with_(algo="sgd", batch="6")),
    ("batch 0", with_(algo="sgd", batch="0")),
    ("steps 0", with_(steps="0")),
    ("time < 0", with_(time="-1")),
    ("eps 0", with_(eps="0")),
    ("tol 0", with_(tol="0")),
    ("seed < 0", with_(seed="-1")),
    ("seed too large", with_(seed="4294967296")),
    ("unknown algorithm", with_(algo="adam")),
    ("unknown design", with_(design="bernoulli")),
    ("unknown wstar", with_(wstar="uniform")),
    ("malformed d", with_(d="12x")),
    ("fractional d", with_(d="12.5")),
    ("malformed alpha", with_(alpha="0.5.1")),
    ("empty eta", with_(eta="")),
    ("overflowing n", with_(n="99999999999999999999")),
    ("missing value", GOOD + ["--eta"]),
    ("unknown option", GOOD + ["--bogus", "1"]),
    ("short option", GOOD + ["-d", "3"]),
    ("stray argument", GOOD + ["extra"]),
    ("flag with a value", GOOD + ["--json=yes"]),
    ("missing --algo", GOOD[2:]),
    ("missing --d", GOOD[:2] + GOOD[4:]),
    ("missing --alpha", GOOD[:-2]),
    ("too large instance", with_(d="3000000", n="3000000")),
    ("unwritable --save", GOOD + ["--save", "/nonexistent/x.h5"]),
    # checked before any work (issue 10): exit 2, not 1 after computing
    ("empty --save", GOOD + ["--save", ""]),
    ("--save naming a directory (trailing /)", GOOD + ["--save", "@TMP@/sub/"]),
    ("--save whose NAME.tmp passes NAME_MAX", GOOD + ["--save", "@TMP@/" + "a" * 249 + ".h5"]),
    # the caps of a spec's axes (shared with spec.c, not copied)
    ("--steps 2^63 - 1, over the specs' cap 1e15", with_(steps="9223372036854775807")),
    ("--steps 1e15 + 1", with_(steps="1000000000000001")),
    ("--d over the specs' cap 1e9", with_(d="1000000001", n="3")),
    ("--kappa over the specs' cap 1e9", with_(d="1000000000", n="2", kappa="1000000001")),
    # plan's per-task admission: the instance's and the dynamics' memory
    ("--d 99999999 --n 10 over --memory-limit 1GiB", with_(d="99999999", n="10") + ["--memory-limit", "1GiB"]),
    ("the flow at d = 1e8 over --memory-limit 4GiB",
     with_(algo="riemannian_flow", d="100000000", n="10") + ["--memory-limit", "4GiB"]),
    ("malformed --memory-limit", GOOD + ["--memory-limit", "lots"]),
    # one value per option
    ("--d given twice", GOOD + ["--d", "20"]),
    ("--json given twice", GOOD + ["--json", "--json"]),
    ("--steps given twice (= form)", GOOD + ["--steps=10", "--steps", "20"]),
]
# the default limit (physical memory / cores): 14.3 GiB at d = 99999999, n = 10 exceeds it here
if os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / os.sysconf("SC_NPROCESSORS_ONLN") < 14 * 2 ** 30:
    BAD.append(("--d 99999999 --n 10 over the default memory limit", with_(d="99999999", n="10")))
with tempfile.TemporaryDirectory() as tmp:
    for what, args in BAD:
        for save in (False, True):
            a = [x.replace("@TMP@", tmp) for x in args]
            target = os.path.join(tmp, "bad.h5")
            if save and "--save" not in a:
                a += ["--save", target]
            rc, out, err = run_one(*a)
            tag = "%s%s" % (what, " (with --save)" if save else "")
            check(rc == 2, "%s: exit status 2 (got %d; stderr %r)" % (tag, rc, err))
            check(out == "", "%s: nothing on stdout (%r)" % (tag, out[:80]))
            lines = err.splitlines()
            check(len(lines) == 1 and err.endswith("\n") and lines[0].startswith("biasweep run-one: "),
                  "%s: exactly one line on stderr (%r)" % (tag, err))
            check(os.listdir(tmp) == [], "%s: nothing written (%s)" % (tag, os.listdir(tmp)))
# the words of those refusals: the spec's limits and plan's memory message (14.3 GiB = 9 n d + 8 (n + 3d) + 8 d
# + 24 d + 8 (n + d) bytes at n = 10, d = 99999999, plus 256 checkpoints)
for args, want in [(with_(steps="9223372036854775807"), "biasweep run-one: --steps must be <= 1000000000000000\n"),
                   (with_(d="99999999", n="10") + ["--memory-limit", "1GiB"],
                    "biasweep run-one: the task (gd d=99999999 n=10) needs 14.3 GiB, more than the memory limit per "
                    "rank 1.0 GiB\n"),
                   (GOOD + ["--d", "20"], "biasweep run-one: option --d given twice\n")]:
    rc, out, err = run_one(*args)
    check(rc == 2 and err == want, "%s: %r (exit %d), want %r" % (" ".join(args), err, rc, want))
rc, out, err = run(["no-such-command"])
check(rc == 2 and out == "" and len(err.splitlines()) == 1, "unknown command: exit 2, one line")
rc, out, err = run([])
check(rc == 2 and out == "", "no command: exit 2")

finish("test_run_one")
