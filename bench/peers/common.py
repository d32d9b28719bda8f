"""Shared by the NumPy peers of `biasweep bench`: the instance, the timing
loop and the one JSON line each peer prints.

The peers are the code a researcher writes for this model (docs/model.md): a Python
loop over steps with NumPy vector operations per step, or the same with R runs
in lockstep as (R, d) arrays.  They are timed, not checked against the C code
(different random streams).  Run them with Debian's NumPy: /usr/bin/python3.
"""
import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np


def parser(doc):
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--d", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--kappa", type=int, default=2)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--runs", type=int, default=1, help="R runs in lockstep (the batched variants)")
    p.add_argument("--repeats", type=int, default=5, help="timed repetitions; the median is reported")
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    return p


def instance(d, n, kappa, rng):
    """Rademacher design, kappa-sparse +-1 target, noiseless labels."""
    Z = rng.choice([-1.0, 1.0], size=(n, d))
    wstar = np.zeros(d)
    wstar[rng.choice(d, size=kappa, replace=False)] = rng.choice([-1.0, 1.0], size=kappa)
    return Z, Z @ wstar, wstar


def eta_sgd(d, alpha, kappa):
    return 0.25 / (8.0 * max(d * alpha * alpha, kappa))  # the C code's automatic step


def eta_gd(d, n, alpha):
    return 0.25 / (16.0 / n * max(alpha * alpha, 1.0) * (n ** 0.5 + d ** 0.5) ** 2)


def report(name, args, run, units_per_step, unit):
    """Time run() --repeats times (after one warm-up of a tenth of the steps)
    and print one JSON line: the median ns per unit (coordinate-update or
    matrix entry) and every sample."""
    run(max(1, args.steps // 10))
    samples = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        state = run(args.steps)
        samples.append((time.perf_counter() - t) * 1e9 / (args.steps * units_per_step))
    finite = bool(np.all(np.isfinite(state)))
    print(json.dumps({
        "peer": name, "d": args.d, "n": args.n, "steps": args.steps, "runs": args.runs,
        "unit": unit, "ns_per_unit": statistics.median(samples), "samples": samples,
        "finite": finite, "numpy": np.__version__, "python": platform.python_version(),
    }))
    sys.stdout.flush()
