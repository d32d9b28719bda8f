#!/usr/bin/python3
"""Full-batch gradient descent on w = u*u - v*v, the way researchers write it
in NumPy.

  --variant loop     one run: per step r = Z w - y and g = (4/n) Z^T r (two
                     matrix-vector products through NumPy's BLAS) and the update
  --variant batched  --runs R runs in lockstep as (R, d) arrays: the two
                     products become matrix-matrix products (R, d) x (d, n)

Prints one JSON line: ns per matrix entry (per step, run and entry of Z).
"""
import numpy as np

from common import eta_gd, instance, parser, report


def loop(Z, y, alpha, eta):
    n, d = Z.shape

    def run(steps):
        u = np.full(d, alpha)
        v = np.full(d, alpha)
        for _ in range(steps):
            w = u * u - v * v
            r = Z @ w - y
            g = (4.0 / n) * (Z.T @ r)
            u -= eta * g * u
            v += eta * g * v
        return np.concatenate([u, v])

    return run


def batched(Z, y, alpha, eta, R):
    n, d = Z.shape

    def run(steps):
        U = np.full((R, d), alpha)
        V = np.full((R, d), alpha)
        for _ in range(steps):
            W = U * U - V * V
            Rm = W @ Z.T - y                   # (R, n)
            G = (4.0 / n) * (Rm @ Z)           # (R, d)
            U -= eta * G * U
            V += eta * G * V
        return np.concatenate([U, V])

    return run


def main():
    p = parser(__doc__)
    p.add_argument("--variant", choices=["loop", "batched"], required=True)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    Z, y, _ = instance(a.d, a.n, a.kappa, rng)
    eta = eta_gd(a.d, a.n, a.alpha)
    if a.variant == "loop":
        a.runs = 1
        run = loop(Z, y, a.alpha, eta)
    else:
        run = batched(Z, y, a.alpha, eta, a.runs)
    report("gd_" + a.variant, a, run, a.n * a.d * a.runs, "matrix entry")


if __name__ == "__main__":
    main()
