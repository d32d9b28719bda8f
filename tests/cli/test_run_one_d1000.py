"""test_run_one_d1000.py - `biasweep run-one` at d = 1000 completes for every
dynamics (the flow included, never skipped) with its default budget, on both
designs, and the outcome is sane:
 - exit 0, valid JSON, status converged or budget;
 - converged gd/sgd runs meet their documented tolerance L/(|y|^2/n) <= 1e-10
   (|y|^2/n read from the first checkpoint, where w = 0);
 - n = 150 is far above the l1 phase transition at (d, kappa) = (1000, 5)
   (n50 ~ 35, docs/model.md), so the dynamics whose limit is an l1 minimizer
   (riemannian_flow, label_noise_sgd) recover w*: test error <= eps = 0.1,
   and the flow's to 1e-3."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run_one  # noqa: E402

require_binary()
ALGOS = ["gd", "sgd", "label_noise_sgd", "riemannian_flow"]
for design in ("rademacher", "gaussian"):
    for algo in ALGOS:
        t0 = time.time()
        rc, out, err = run_one("--algo", algo, "--design", design, "--d", 1000, "--n", 150, "--kappa", 5,
                               "--alpha", 0.1, "--json", timeout=300)
        tag = "%s %s d=1000" % (algo, design)
        if not check(rc == 0 and err == "", "%s: exit 0 (got %d, %r)" % (tag, rc, err)):
            continue
        j = json.loads(out)
        print("%s: %s after %d steps, t=%.4g, loss %.3g, test error %.3g, %.2f s" %
              (tag, j["status"], j["steps"], j["t"], j["train_loss"], j["test_error"], time.time() - t0))
        check(j["d"] == 1000 and j["algorithm"] == algo, "%s: echoes d and algorithm" % tag)
        check(j["status"] in ("converged", "budget"), "%s: status %s" % (tag, j["status"]))
        l0 = j["trajectory"]["loss"][0] if algo != "riemannian_flow" else None
        if algo in ("gd", "sgd") and j["status"] == "converged":
            check(j["train_loss"] <= 1e-10 * l0 * (1 + 1e-9), "%s: relative loss %.3g <= 1e-10" %
                  (tag, j["train_loss"] / l0))
        if algo in ("label_noise_sgd", "riemannian_flow"):
            check(j["success"] and j["test_error"] <= 0.1, "%s: recovers w* (test error %.3g)" % (tag, j["test_error"]))
            check(j["support_recovered"], "%s: support recovered" % tag)
        if algo == "riemannian_flow":
            check(j["test_error"] < 1e-3, "%s: the flow ends at w* (test error %.3g)" % (tag, j["test_error"]))
finish("test_run_one_d1000")
