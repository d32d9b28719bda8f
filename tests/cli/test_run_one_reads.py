"""test_run_one_reads.py - `biasweep run-one` says what it did (issue 13, item 4).

Oracles: the documented readers of each parameter (plan --help and docs/model.md:
eta is read by gd, sgd and label_noise_sgd, sigma and project by label_noise_sgd,
batch by sgd), the spec's own refusal of the same setting (`biasweep plan` on a
spec whose group sets it: run-one and specs share one rule), and the meaning of
the projection Phi: a point of the zero-loss manifold (train loss ~ 0), while
the raw last iterate of label-noise SGD is not (its loss is the last
checkpoint's, the same with and without --no-project since the iterates are)."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run, run_one  # noqa: E402

require_binary()
ALGOS = ["gd", "label_noise_sgd", "sgd", "riemannian_flow"]
READERS = {"eta": {"gd", "sgd", "label_noise_sgd"}, "sigma": {"label_noise_sgd"}, "batch": {"sgd"},
           "project": {"label_noise_sgd"}, "schedule": {"label_noise_sgd"}}
OPTION = {"eta": ["--eta", "0.002"], "sigma": ["--sigma", "2"], "batch": ["--batch", "2"],
          "project": ["--no-project"], "schedule": ["--schedule", "sharpness"]}
SPEC_VALUE = {"eta": "0.002", "sigma": "2.0", "batch": "2", "project": "false", "schedule": '"sharpness"'}
BASE = ["--d", "20", "--n", "10", "--kappa", "2", "--alpha", "0.5"]
BUDGET = {"gd": ["--steps", "3000"], "sgd": ["--steps", "3000"], "label_noise_sgd": ["--steps", "3000"],
          "riemannian_flow": ["--time", "1"]}

# ---- an option the dynamics does not read: refused like the spec's group ----
with tempfile.TemporaryDirectory() as tmp:
    for param, readers in READERS.items():
        for algo in ALGOS:
            rc, out, err = run_one("--algo", algo, *BASE, *BUDGET[algo], *OPTION[param])
            tag = "%s %s" % (algo, " ".join(OPTION[param]))
            if algo in readers:
                check(rc == 0 and err == "", "%s: read, accepted (exit %d, %r)" % (tag, rc, err))
                continue
            check(rc == 2 and out == "" and len(err.splitlines()) == 1,
                  "%s: exit 2, one line, nothing on stdout (exit %d, %r)" % (tag, rc, err))
            prefix = "biasweep run-one: %s: " % OPTION[param][0]
            check(err.startswith(prefix) and "%s does not read '%s'" % (algo, param) in err,
                  "%s: says the dynamics does not read it: %r" % (tag, err))
            others = sorted(readers)
            check(all(r in err for r in others), "%s: names the dynamics that read it (%s): %r" % (tag, others, err))
            # the spec's refusal of the same setting in the group of this dynamics
            spec = os.path.join(tmp, "s.cfg")
            with open(spec, "w") as f:
                f.write('d = 20;\nn = 10;\nkappa = 2;\nalgorithms = {\n  %s = {\n    %s = %s;\n  };\n};\n'
                        % (algo, param, SPEC_VALUE[param]))
            prc, pout, perr = run(["plan", spec])
            m = re.match(r"biasweep plan: .*s\.cfg:6: (.*)\n$", perr)
            check(prc == 2 and m is not None, "%s: the spec is refused at line 6 (%d, %r)" % (tag, prc, perr))
            if m:
                check(err[len(prefix):].rstrip("\n") == m.group(1),
                      "%s: run-one's rule is the spec's: %r vs %r" % (tag, err, m.group(1)))

# ---- only the parameters read are printed: the table and --json ----------
for algo in ALGOS:
    rc, out, err = run_one("--algo", algo, *BASE, *BUDGET[algo])
    m = re.search(r"^parameters\s+(.*)$", out, re.M)
    check(rc == 0 and m is not None, "%s: a parameters line (%d, %r)" % (algo, rc, err))
    names = re.findall(r"(\w+)=", m.group(1)) if m else []
    want = ["alpha"] + [p for p in ("eta", "sigma", "batch", "schedule") if algo in READERS[p]] + ["eps"]
    check(names == want, "%s: parameters printed %s, the ones it reads %s" % (algo, names, want))
    if algo in READERS["eta"]:
        check("(auto)" in m.group(1), "%s: an automatic eta says so: %r" % (algo, m.group(1)))
    rc, out, err = run_one("--algo", algo, *BASE, *BUDGET[algo], "--json")
    j = json.loads(out)
    for p in ("eta", "sigma", "batch", "schedule"):
        check((j[p] is not None) == (algo in READERS[p]),
              "%s --json: %s is %r (null exactly when not read)" % (algo, p, j[p]))
    if algo == "riemannian_flow":
        # its start Phi(x0) is gd's limit at gd's automatic step (run-one --help)
        st = j.get("start") or {}
        check(st.get("descent") == "gd" and isinstance(st.get("eta"), float) and st["eta"] > 0,
              "riemannian_flow --json: start = Phi(x0) by gd at a step (%r)" % st)
rc, out, _ = run_one("--algo", "gd", *BASE, *BUDGET["gd"], "--eta", "0.002")
check(re.search(r"^parameters\s+alpha=0\.5 eta=0\.002 eps=0\.1$", out, re.M) is not None,
      "an eta given is printed without '(auto)': %r" % re.findall(r"^parameters.*$", out, re.M))

# ---- which values are of the projection Phi, which of the last iterate ----
SCORED = ["train_loss", "test_error", "R", "l1", "support_recovered", "success"]
LNS = ["--algo", "label_noise_sgd", "--d", "30", "--n", "14", "--kappa", "2", "--alpha", "0.3", "--steps", "4000"]
rc, out, err = run_one(*LNS, "--json")
jp = json.loads(out)
rc, out, err = run_one(*(LNS + ["--no-project", "--json"]))
jr = json.loads(out)
check(jp["projected"] is True and jr["projected"] is False, "projected: true by default, false with --no-project")
check(all(jp["values_of"][k] == "projection" for k in SCORED) and
      all(jr["values_of"][k] == "last_iterate" for k in SCORED),
      "values_of: the scores of the projection, or of the last iterate with --no-project (%r, %r)" %
      (jp["values_of"], jr["values_of"]))
check(all(j["values_of"][k] == "last_iterate" for j in (jp, jr) for k in ("steps", "t"))
      and jp["values_of"]["trajectory"] == "iterates", "values_of: steps and t are the iterates'")
check(jp["trajectory"] == jr["trajectory"] and jp["steps"] == jr["steps"],
      "the iterates are the same with and without the projection")
last_loss = jr["trajectory"]["loss"][-1]
check(abs(jr["train_loss"] - last_loss) <= 1e-12 * max(last_loss, 1e-300),
      "--no-project: the train loss is the last iterate's (%r vs last checkpoint %r)" % (jr["train_loss"], last_loss))
check(last_loss > 1e-6 and jp["train_loss"] < 1e-20,
      "the projection lies on the zero-loss manifold (%r), the noisy last iterate does not (%r)"
      % (jp["train_loss"], last_loss))
rc, out, err = run_one(*LNS)
for label in ("train loss", "test error", "R = tr Hessian", "||w||_1", "support recovered"):
    check(re.search(r"^%s\s+\S.*\[Phi\]$" % re.escape(label), out, re.M) is not None,
          "table: '%s' is labelled [Phi]" % label)
for label in ("steps", "simulated time t"):
    check(re.search(r"^%s\s+\S+\s+\[x_K\]$" % re.escape(label), out, re.M) is not None,
          "table: '%s' is labelled [x_K] (the last iterate)" % label)
check(re.search(r"^values\s+\[Phi\] of Phi\(x_K\)", out, re.M) is not None, "table: a line says what [Phi] means")
check(re.search(r"^trajectory \(.*the iterates, before the projection\)$", out, re.M) is not None,
      "table: the trajectory is said to be the raw iterates")
for args in (LNS + ["--no-project"], ["--algo", "gd"] + BASE + BUDGET["gd"]):
    rc, out, err = run_one(*args)
    check("[Phi]" not in out and re.search(r"^values\s+of the last iterate x_K", out, re.M) is not None,
          "%s: no [Phi] labels; the values are the last iterate's" % " ".join(args[:2] + args[-1:]))

# ---- the header's checkpoint count is the rows shown ----------------------
for args in (["--algo", "gd", "--d", "40", "--n", "16", "--kappa", "3", "--alpha", "0.4", "--steps", "200000"],
             ["--algo", "gd", "--d", "8", "--n", "6", "--kappa", "1", "--alpha", "0.5", "--steps", "30"]):
    rc, out, _ = run_one(*args)
    rc2, jout, _ = run_one(*(args + ["--json"]))
    total = len(json.loads(jout)["trajectory"]["step"])
    m = re.search(r"^trajectory \((?:(\d+) of )?(\d+) checkpoints(?: shown[^)]*)?\)\n.*\n((?:\s*\d.*\n?)*)", out, re.M)
    check(m is not None, "%s: a trajectory header" % args[-1])
    if m:
        rows = m.group(3).strip().splitlines()
        shown = int(m.group(1)) if m.group(1) else int(m.group(2))
        check(int(m.group(2)) == total and shown == len(rows),
              "--steps %s: header '%s of %s', %d rows shown, %d checkpoints in --json" %
              (args[-1], m.group(1), m.group(2), len(rows), total))
        check((m.group(1) is not None) == (total > len(rows)), "--steps %s: 'N of M shown' exactly when cut" % args[-1])

finish("test_run_one_reads")
