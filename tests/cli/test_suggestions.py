"""test_suggestions.py - "did you mean" wherever a name comes from the user
(issue 13, item 6): a command, an algorithm (run-one, a spec, a query value), a
design or w* name, a query column (--where, --group-by, --columns), a value of
a categorical column, a choice option (--format) and a plot kind.

Oracle: the name a person who typed the misspelt word meant, written here by
hand; every refusal is exit 2, one line on stderr, nothing on stdout.  A word
near nothing keeps the list of what is allowed."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run  # noqa: E402

require_binary()
RUN_ONE = ["run-one", "--d", "8", "--n", "4", "--kappa", "1", "--alpha", "0.5"]


def refused(args, want, what):
    rc, out, err = run(args)
    ok = rc == 2 and out == "" and len(err.splitlines()) == 1
    check(ok and want in err, "%s: exit 2, one line with %r (exit %d, %r)" % (what, want, rc, err))
    return err


with tempfile.TemporaryDirectory() as tmp:
    # ---- commands ----
    refused(["stats"], "unknown command 'stats' (did you mean 'status'?)", "command 'stats'")
    refused(["run_one"], "(did you mean 'run-one'?)", "command 'run_one'")
    refused(["PLOT"], "(did you mean 'plot'?)", "command 'PLOT'")
    refused(["frobnicate"], "unknown command 'frobnicate' (see biasweep --help)", "command far from any")

    # ---- run-one's names ----
    refused(RUN_ONE + ["--algo", "label_noise"], "unknown algorithm 'label_noise' (did you mean 'label_noise_sgd'?)",
            "run-one --algo label_noise")
    refused(RUN_ONE + ["--algo", "GD"], "unknown algorithm 'GD' (did you mean 'gd'?)", "run-one --algo GD")
    refused(RUN_ONE + ["--algo", "riemannian"], "(did you mean 'riemannian_flow'?)", "run-one --algo riemannian")
    refused(RUN_ONE + ["--algo", "adam"], "unknown algorithm 'adam' (expected gd, label_noise_sgd, sgd, riemannian_flow or gaussian_noise_gd)",
            "run-one --algo adam (far from any)")
    refused(RUN_ONE + ["--algo", "gd", "--design", "Gaussian"], "unknown design 'Gaussian' (did you mean 'gaussian'?)",
            "run-one --design Gaussian")
    refused(RUN_ONE + ["--algo", "gd", "--design", "rad"], "(did you mean 'rademacher'?)", "run-one --design rad")
    refused(RUN_ONE + ["--algo", "gd", "--wstar", "sign"], "unknown w* distribution 'sign' (did you mean 'signs'?)",
            "run-one --wstar sign")
    refused(RUN_ONE + ["--algo", "gd", "--wstar", "uniform"], "(expected signs or gaussian)", "run-one --wstar uniform")
    refused(RUN_ONE + ["--algo", "gd", "--Eta", "0.1"], "unknown option '--Eta' (did you mean --eta?)", "run-one --Eta")

    # ---- a spec's names (plan and run read them alike) ----
    spec = os.path.join(tmp, "s.cfg")
    for text, want, what in [
        ('d = 8;\nn = 4;\nkappa = 1;\nalgorithm = "label_noise";\n', "s.cfg:4: unknown algorithm 'label_noise' "
         "(did you mean 'label_noise_sgd'?)", "spec algorithm"),
        ('d = 8;\nn = 4;\nkappa = 1;\nalgorithm = "GD";\n', "(did you mean 'gd'?)", "spec algorithm GD"),
        ('d = 8;\nn = 4;\nkappa = 1;\nalgorithm = "gd";\ndesign = "Gaussian";\n', "s.cfg:5: unknown design 'Gaussian' "
         "(did you mean 'gaussian'?)", "spec design"),
        ('d = 8;\nn = 4;\nkappa = 1;\nalgorithm = "gd";\nwstar = "SIGNS";\n', "(did you mean 'signs'?)", "spec wstar"),
        ('d = 8;\nn = 4;\nkappa = 1;\nalgorithms = { sgd = { Batch = 2; }; };\n', "(did you mean 'batch'?)",
         "spec key in a group"),
    ]:
        with open(spec, "w") as f:
            f.write(text)
        refused(["plan", spec], want, what)

    # ---- a catalog's columns and values ----
    cat = os.path.join(tmp, "c.sqlite")
    with open(spec, "w") as f:
        f.write('name = "tiny";\nd = 8;\nn = 4;\nkappa = 1;\nalgorithm = "gd";\nsteps = 100;\n')
    rc, out, err = run(["run", spec, "--catalog", cat, "--quiet"])
    check(rc == 0, "a one-task catalog (exit %d, %r)" % (rc, err))
    C = ["--catalog", cat]
    png = os.path.join(tmp, "x.png")
    for args, want, what in [
        (["query", *C, "--where", "algo=gd"], "--where: unknown column 'algo' (did you mean 'algorithm'?)", "--where algo="),
        (["query", *C, "--group-by", "algo"], "--group-by: unknown column 'algo' (did you mean 'algorithm'?)", "--group-by"),
        (["query", *C, "--columns", "d,Kappa_"], "unknown column 'Kappa_' (did you mean 'kappa'?)", "--columns"),
        (["curve", *C, "--where", "algo=gd"], "(did you mean 'algorithm'?)", "curve --where algo="),
        (["query", *C, "--where", "zzz=1"], "unknown column 'zzz' (columns: key, algorithm,", "a column far from any"),
        (["query", *C, "--where", "algorithm=GD"], "unknown algorithm 'GD' (did you mean 'gd'?)", "algorithm=GD"),
        (["query", *C, "--where", "algorithm=label_noise"], "(did you mean 'label_noise_sgd'?)", "algorithm=label_noise"),
        (["query", *C, "--where", "design=gausian"], "unknown design 'gausian' (did you mean 'gaussian'?)", "design="),
        (["query", *C, "--where", "wstar=Signs"], "(did you mean 'signs'?)", "wstar=Signs"),
        (["query", *C, "--where", "status=converge"], "(did you mean 'converged'?)", "status=converge"),
        (["query", *C, "--where", "status=done"], "unknown status 'done' (converged, budget, diverged, failed)",
         "a status far from any"),
        # choices and plot kinds
        (["query", *C, "--format", "jsno"], "--format: 'jsno' is not table, csv or json (did you mean 'json'?)", "jsno"),
        (["query", *C, "--format", "xml"], "--format: 'xml' is not table, csv or json", "--format xml"),
        (["plot", "nstar_d", *C, "-o", png], "unknown plot 'nstar_d' (did you mean 'nstar-d'?)", "plot nstar_d"),
        (["plot", "Phase", *C, "-o", png], "(did you mean 'phase'?)", "plot Phase"),
        (["plot", "histogram", *C, "-o", png], "unknown plot 'histogram' (nstar-d, nstar-klnd, phase, trajectory, pesme, wojtowytsch)",
         "a plot far from any"),
    ]:
        refused(args, want, what)
    check(not os.path.exists(os.path.join(tmp, "x.png")), "no figure written")

finish("test_suggestions")
