#!/usr/bin/python3
"""Label-noise SGD on w = u*u - v*v, the way researchers write it in NumPy.

  --variant loop     one run; a Python loop over steps, one sample per step
  --variant batched  --runs R runs in lockstep (same instance, own noise) as (R, d)
                     arrays: one gather, one row-wise dot and four updates per step

Prints one JSON line: ns per coordinate-update (per step, run and coordinate).
"""
import numpy as np

from common import eta_sgd, instance, parser, report


def loop(Z, y, alpha, eta, sigma, rng):
    n, d = Z.shape

    def run(steps):
        u = np.full(d, alpha)
        v = np.full(d, alpha)
        for _ in range(steps):
            i = rng.integers(n)
            delta = sigma if rng.random() < 0.5 else -sigma
            w = u * u - v * v
            r = Z[i] @ w - (y[i] + delta)      # residual against the noisy label
            g = 4.0 * r * Z[i]                 # d/dw of the sample loss, times 2
            u -= eta * g * u                   # grad_u = g * u, grad_v = -g * v
            v += eta * g * v
        return np.concatenate([u, v])

    return run


def batched(Z, y, alpha, eta, sigma, rng, R):
    n, d = Z.shape

    def run(steps):
        U = np.full((R, d), alpha)
        V = np.full((R, d), alpha)
        for _ in range(steps):
            idx = rng.integers(n, size=R)
            delta = np.where(rng.random(R) < 0.5, sigma, -sigma)
            X = Z[idx]                                         # (R, d)
            W = U * U - V * V
            r = np.einsum("rd,rd->r", X, W) - (y[idx] + delta)
            G = 4.0 * r[:, None] * X
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
    eta = eta_sgd(a.d, a.alpha, a.kappa)
    if a.variant == "loop":
        a.runs = 1
        run = loop(Z, y, a.alpha, eta, a.sigma, rng)
    else:
        run = batched(Z, y, a.alpha, eta, a.sigma, rng, a.runs)
    report("lnsgd_" + a.variant, a, run, a.d * a.runs, "coordinate-update")


if __name__ == "__main__":
    main()
