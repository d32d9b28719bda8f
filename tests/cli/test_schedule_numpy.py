"""test_schedule_numpy.py - label_noise_sgd's schedule sharpness against a NumPy
reimplementation written here from docs/model.md ("The step schedule") and the
documented noise stream, not from src/numerics/sgd.c.

The run: `run-one --algo label_noise_sgd --schedule sharpness --no-project --save`
on a tiny Rademacher instance (d = 16, n = 6, kappa = 2, alpha = 0.5; S starts at
2 d alpha^2 = 8 and falls to the floor kappa = 2, so the max matters) for a few
thousand steps.  From the saved instance (Z, y) alone this test recomputes:
  - the automatic step eta_0 = 0.25 / (8 max(d alpha^2, kappa)) (run-one --help);
  - the noise stream: MT19937 seeded (init_genrand) with the 32-bit fold of
    FNV-1a-64 + SplitMix64 of "bw-noise/1 instance=<instance seed> algo=label_noise_sgd",
    the instance seed the same hash of "bw-instance/1 seed=<sweep seed> design=<name>
    d=<d> kappa=<kappa> wstar=<name> index=<seed index>"; samples by GSL's
    uniform_int (k = raw / (0xffffffff // n), redrawn while k >= n) through a
    partial Fisher-Yates of a persistent permutation; the sign of the label noise
    from the low bit (1: y + sigma is the target, the residual r - sigma);
  - the schedule: every 32 steps B_k = max(sum_j (c_j/n)(u_j^2 + v_j^2), kappa),
    c_j = sum_i z_ij^2, and eta_k = eta_0 B_0 / B_k; the step
    u <- u (1 - 4 eta_k r z), v <- v (1 + 4 eta_k r z), r = z.w - y - noise;
    t += eta_k^2 sigma^2 / 2.
Checked: the steps taken and t, every checkpoint's t, and the final u, v equal
the C's within 1e-9 relative; and the stopping rule's projections (`stop_checks`)
are as many as its checks in time (docs/model.md, rule phi3 under the schedule
sharpness): the first step k >= 100 at or after t_j = 100 dt_0 r^j (r = 10^(1/10))
and at least ceil(12 n^2 (d + n/3) / d) steps after the previous check, on
NumPy's clock.  The same comparison against a constant step
(the schedule ignored) fails by far (a control that the run did change its step)."""
import json
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run_one, skip  # noqa: E402

try:
    import h5py
    import numpy as np
except ImportError as e:  # the environment, not the code
    skip("needs h5py and numpy: %s" % e)

require_binary()
M64 = (1 << 64) - 1


def hash_str(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & M64
    z = h  # SplitMix64's finalizer
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)


def seed32(h):
    s = (h ^ (h >> 32)) & 0xffffffff
    return s if s else 0x9e3779b9


def mt19937(seed):
    """numpy's MT19937 put in the state of init_genrand(seed) (GSL's gsl_rng_set)."""
    key = [seed & 0xffffffff]
    for i in range(1, 624):
        key.append((1812433253 * (key[-1] ^ (key[-1] >> 30)) + i) & 0xffffffff)
    bg = np.random.MT19937()
    bg.state = {"bit_generator": "MT19937", "state": {"key": np.array(key, dtype=np.uint32), "pos": 624}}
    return bg


class Stream:
    def __init__(self, seed, n):
        self.bg, self.n = mt19937(seed), n
        self.perm = list(range(n))

    def raw(self):
        return int(self.bg.random_raw())

    def uniform_int(self, m):
        scale = 0xffffffff // m
        while True:
            k = self.raw() // scale
            if k < m:
                return k

    def sample(self):  # a batch of 1: the first entry of a partial Fisher-Yates
        k = self.uniform_int(self.n)
        self.perm[0], self.perm[k] = self.perm[k], self.perm[0]
        return self.perm[0]


def simulate(Z, y, kappa, alpha, sigma, eta0, noise_seed, steps, schedule=True, refresh=32):
    n, d = Z.shape
    c = (Z * Z).sum(axis=0)
    u = np.full(d, alpha)
    v = np.full(d, alpha)
    bound = lambda: max(float(np.sum(c / n * (u * u + v * v))), float(kappa))  # noqa: E731
    B0 = bound()
    st = Stream(noise_seed, n)
    i = st.sample()
    t, times, eta = 0.0, [], eta0
    for k in range(steps):
        if schedule and k % refresh == 0:
            eta = eta0 * (B0 / bound())
        times.append(t)
        r = Z[i] @ (u * u - v * v) - y[i]
        r -= sigma if st.raw() & 1 else -sigma
        s = 4 * eta * r * Z[i]
        i = st.sample()
        u, v = u - u * s, v + v * s
        t += eta * eta * sigma * sigma / 2
    times.append(t)
    return u, v, t, times


def checks_in_time(times, n, d, dt0, steps):
    """the checks of rule phi3 under the schedule sharpness, on the clock `times`"""
    gap = math.ceil(12.0 * n * n * (d + n / 3.0) / d)
    tnext, last, count = 100 * dt0, 0, 0
    for k in range(steps + 1):
        if k >= 100 and times[k] >= tnext and k >= last + gap:
            count, last = count + 1, k
            while tnext <= times[k]:
                tnext *= 1.2589254117941673
    return count


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


D, N, KAPPA, ALPHA, SIGMA, STEPS = 16, 6, 2, 0.5, 1.0, 4000
with tempfile.TemporaryDirectory() as tmp:
    h5 = os.path.join(tmp, "run.h5")
    rc, out, err = run_one("--algo", "label_noise_sgd", "--d", D, "--n", N, "--kappa", KAPPA, "--alpha", ALPHA,
                           "--steps", STEPS, "--schedule", "sharpness", "--no-project", "--save", h5, "--json")
    check(rc == 0, "run-one --schedule sharpness (exit %d, %r)" % (rc, err))
    j = json.loads(out)
    with h5py.File(h5, "r") as f:
        Z, y = f["instance/Z"][()], f["instance/y"][()]
        u_c, v_c = f["final/u"][()], f["final/v"][()]
        tr_step, tr_t = f["trajectory/step"][()], f["trajectory/t"][()]
        sched = f.attrs["schedule"]
        sched = sched.decode() if isinstance(sched, bytes) else str(sched)
    check(j["schedule"] == "sharpness" and sched == "sharpness", "--json and the file name the schedule (%r, %r)"
          % (j["schedule"], sched))
    eta0 = 0.25 / (8 * max(D * ALPHA ** 2, KAPPA))
    check(j["eta"] == eta0, "eta_used is the first step eta_0 = %r (got %r)" % (eta0, j["eta"]))
    inst = hash_str("bw-instance/1 seed=0 design=rademacher d=%d kappa=%d wstar=signs index=0" % (D, KAPPA))
    noise = seed32(hash_str("bw-noise/1 instance=%d algo=label_noise_sgd" % inst))
    steps = j["steps"]
    check(steps >= 1000, "the run took a few thousand steps (%d; the stopping rule may end it early)" % steps)
    u, v, t, times = simulate(Z, y, KAPPA, ALPHA, SIGMA, eta0, noise, steps)
    check(rel(u, u_c) <= 1e-9 and rel(v, v_c) <= 1e-9,
          "final u, v equal NumPy's within 1e-9 relative (u %.3g, v %.3g)" % (rel(u, u_c), rel(v, v_c)))
    check(rel(t, j["t"]) <= 1e-9, "t = sum eta_k^2 sigma^2 / 2: %r vs NumPy's %r" % (j["t"], t))
    check(rel([times[s] for s in tr_step], tr_t) <= 1e-9, "every checkpoint's t is NumPy's clock at its step")
    check(t > 4 * steps * eta0 ** 2 / 2, "the step grew: t %.4g is above 4x the constant step's %.4g"
          % (t, steps * eta0 ** 2 / 2))
    want = checks_in_time(times, N, D, eta0 * eta0 * SIGMA * SIGMA / 2.0, steps)
    check(want >= 2 and j["stop_checks"] == want, "the rule's checks follow the time schedule: %d projections, "
          "NumPy's schedule %d" % (j["stop_checks"], want))
    uc, vc, tc, _ = simulate(Z, y, KAPPA, ALPHA, SIGMA, eta0, noise, steps, schedule=False)
    check(rel(uc, u_c) > 1e-3 and rel(tc, j["t"]) > 0.5,
          "control: the constant step does not give the C's state (%.3g) or time (%.3g)" % (rel(uc, u_c), rel(tc, j["t"])))
    # the same stream with the constant schedule: the reimplementation of the stream is right too
    h5c = os.path.join(tmp, "const.h5")
    rc, out, err = run_one("--algo", "label_noise_sgd", "--d", D, "--n", N, "--kappa", KAPPA, "--alpha", ALPHA,
                           "--steps", STEPS, "--no-project", "--save", h5c, "--json")
    jc = json.loads(out)
    with h5py.File(h5c, "r") as f:
        u_k, v_k = f["final/u"][()], f["final/v"][()]
    uc, vc, tc, _ = simulate(Z, y, KAPPA, ALPHA, SIGMA, eta0, noise, jc["steps"], schedule=False)
    check(rc == 0 and jc["schedule"] == "constant" and rel(uc, u_k) <= 1e-9 and rel(vc, v_k) <= 1e-9,
          "the constant schedule is NumPy's constant step (u %.3g)" % rel(uc, u_k))
print("steps %d, t %.6g, max rel u %.2g v %.2g" % (steps, j["t"], rel(u, u_c), rel(v, v_c)))
finish("test_schedule_numpy")
