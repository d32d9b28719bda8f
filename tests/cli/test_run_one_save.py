"""test_run_one_save.py - `biasweep run-one --save FILE.h5` (needs h5py and
numpy; skipped when this python lacks them).

The file is read back with h5py and checked against numpy recomputations
(independent of the C code): layout and shapes (h5run.h), Z @ w_star == y,
w = u*u - v*v, and the outcome attributes train_loss = |Z w - y|^2/n,
test_error = |w - w*|/|w*|, R = (8/n) sum_j c_j (u_j^2 + v_j^2) with c_j the
column sums of Z^2, l1 = |w|_1; the parameters as root attributes; the
trajectory equal to the one printed by --json; the n-row instance the prefix
of the (n+1)-row one; `h5dump -H` reads the file; nothing but the file is left
in its directory."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, require_binary, run_one, skip  # noqa: E402

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    skip("python3 %s lacks h5py/numpy (%s)" % (sys.executable, e))

require_binary()
ALGOS = ["gd", "label_noise_sgd", "sgd", "riemannian_flow"]
H5DUMP = shutil.which("h5dump")
if not H5DUMP:
    print("NOTE h5dump not found (hdf5-tools): its check is skipped")


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def attr(f, k):
    v = f.attrs[k]
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, np.generic):
        v = v.item()
    return v.decode() if isinstance(v, bytes) else v


def save_run(tmp, name, args):
    path = os.path.join(tmp, name)
    rc, out, err = run_one(*(list(args) + ["--save", path, "--json"]))
    ok = check(rc == 0 and err == "", "%s: run-one --save exits 0 (%d, %r)" % (name, rc, err))
    return path, (json.loads(out) if ok else None)


with tempfile.TemporaryDirectory() as tmp:
    cases = []
    for algo in ALGOS:
        cases.append((algo, "rademacher", ["--algo", algo, "--d", 24, "--n", 10, "--kappa", 2, "--alpha", 0.3,
                                           "--seed", 3, "--sweep-seed", 9]))
    cases.append(("gd", "gaussian", ["--algo", "gd", "--design", "gaussian", "--wstar", "gaussian", "--d", 20,
                                     "--n", 9, "--kappa", 3, "--alpha", 0.5, "--eps", 0.25, "--steps", 30000]))
    cases.append(("sgd", "gaussian", ["--algo", "sgd", "--design", "gaussian", "--d", 20, "--n", 9, "--kappa", 3,
                                      "--alpha", 0.5, "--batch", 3, "--eta", 0.002, "--steps", 60000]))
    for k, (algo, design, args) in enumerate(cases):
        name = "%s_%s_%d.h5" % (algo, design, k)
        path, j = save_run(tmp, name, args)
        if j is None:
            continue
        check(os.path.isfile(path) and name + ".tmp" not in os.listdir(tmp), "%s: the file, no temporary" % name)
        with h5py.File(path, "r") as f:
            for ds in ("instance/Z", "instance/y", "instance/w_star", "final/u", "final/v", "final/w",
                       "trajectory/step", "trajectory/t", "trajectory/loss", "trajectory/test_error",
                       "trajectory/R"):
                check(ds in f, "%s: dataset /%s" % (name, ds))
            d, n = j["d"], j["n"]
            Z = f["instance/Z"][()]
            y = f["instance/y"][()]
            ws = f["instance/w_star"][()]
            u, v, w = f["final/u"][()], f["final/v"][()], f["final/w"][()]
            check(Z.shape == (n, d) and y.shape == (n,) and ws.shape == (d,), "%s: instance shapes %s %s %s" %
                  (name, Z.shape, y.shape, ws.shape))
            check(u.shape == v.shape == w.shape == (d,), "%s: final shapes" % name)
            check(Z.dtype == np.float64 and u.dtype == np.float64, "%s: doubles" % name)
            if design == "rademacher":
                check(np.all(np.abs(Z) == 1), "%s: Rademacher entries are +-1" % name)
                check(np.array_equal(Z @ ws, y), "%s: Z @ w_star == y exactly" % name)
            else:
                check(np.allclose(Z @ ws, y, rtol=1e-13, atol=1e-13), "%s: Z @ w_star == y" % name)
            check(np.count_nonzero(ws) == j["kappa"], "%s: w* is kappa-sparse" % name)
            check(np.array_equal(w, u * u - v * v), "%s: w = u*u - v*v" % name)
            # the outcome attributes, recomputed with numpy
            c = (Z * Z).sum(axis=0)
            r = Z @ w - y
            want = {
                "train_loss": float(r @ r / n),
                "test_error": float(np.linalg.norm(w - ws) / np.linalg.norm(ws)),
                "R": float(8.0 / n * (c * (u * u + v * v)).sum()),
                "l1": float(np.abs(w).sum()),
            }
            for key, val in want.items():
                got = attr(f, key)
                tolr = 1e-6 if key == "train_loss" else 1e-12
                check(abs(got - val) <= tolr * max(abs(val), 1e-300) + (1e-20 if key == "train_loss" else 0),
                      "%s: attribute %s = %r, numpy %r" % (name, key, got, val))
            # parameters as root attributes, equal to what was asked / reported
            params = {"algorithm": algo, "design": design, "d": d, "n": n, "kappa": j["kappa"],
                      "seed": j["seed"], "sweep_seed": j["sweep_seed"], "alpha": j["alpha"], "eta": j["eta"],
                      "sigma": j["sigma"], "batch": j["batch"], "eps": j["eps"], "status": j["status"],
                      "steps": j["steps"], "t": j["t"], "success": int(j["success"]),
                      "support_recovered": int(j["support_recovered"])}
            for key, val in params.items():
                check(key in f.attrs, "%s: root attribute %s" % (name, key))
                if key in f.attrs and val is not None:  # None: --json's null, a parameter the dynamics does not read
                    got = attr(f, key)
                    check(got == val or (isinstance(val, float) and rel(got, val) < 1e-15),
                          "%s: attribute %s = %r, expected %r" % (name, key, got, val))
            for key in ("tol", "max_steps", "max_time", "wstar"):
                check(key in f.attrs, "%s: root attribute %s" % (name, key))
            if "--seed" in args:
                check(attr(f, "seed") == 3 and attr(f, "sweep_seed") == 9, "%s: seeds as given" % name)
            # the trajectory is the one printed by --json
            tr = j["trajectory"]
            for col in ("step", "t", "loss", "test_error", "R"):
                got = f["trajectory/" + col][()]
                exp = np.array([np.nan if x is None else x for x in tr[col]], dtype=float)
                check(got.shape == exp.shape and np.allclose(got, exp, rtol=1e-15, atol=0, equal_nan=True),
                      "%s: /trajectory/%s equals the JSON trajectory" % (name, col))
            check(np.issubdtype(f["trajectory/step"].dtype, np.integer), "%s: steps are integers" % name)
        if H5DUMP:
            p = subprocess.run([H5DUMP, "-H", path], capture_output=True, text=True)
            check(p.returncode == 0 and 'GROUP "instance"' in p.stdout and 'DATASET "Z"' in p.stdout,
                  "%s: h5dump -H succeeds (%d, %r)" % (name, p.returncode, p.stderr[:200]))

    # nesting in n, seen through the files: the n=10 instance is the prefix of n=11
    for design in ("rademacher", "gaussian"):
        common = ["--algo", "gd", "--design", design, "--d", 33, "--kappa", 3, "--alpha", 1, "--steps", 10,
                  "--seed", 4]
        p10, _ = save_run(tmp, "nest10_%s.h5" % design, common + ["--n", 10])
        p11, _ = save_run(tmp, "nest11_%s.h5" % design, common + ["--n", 11])
        with h5py.File(p10, "r") as a, h5py.File(p11, "r") as b:
            check(np.array_equal(a["instance/Z"][()], b["instance/Z"][()][:10]) and
                  np.array_equal(a["instance/y"][()], b["instance/y"][()][:10]) and
                  np.array_equal(a["instance/w_star"][()], b["instance/w_star"][()]),
                  "%s: the n=10 instance is the prefix of the n=11 one" % design)
    # another seed, another instance; another algorithm, the same instance
    pa, _ = save_run(tmp, "seed5.h5", ["--algo", "gd", "--d", 24, "--n", 10, "--kappa", 2, "--alpha", 0.3,
                                       "--seed", 5, "--sweep-seed", 9, "--steps", 10])
    with h5py.File(pa, "r") as a, h5py.File(os.path.join(tmp, "gd_rademacher_0.h5"), "r") as b:
        check(not np.array_equal(a["instance/Z"][()], b["instance/Z"][()]), "seed index 5 gives another Z")
    with h5py.File(os.path.join(tmp, "gd_rademacher_0.h5"), "r") as a, \
            h5py.File(os.path.join(tmp, "sgd_rademacher_2.h5"), "r") as b:
        check(np.array_equal(a["instance/Z"][()], b["instance/Z"][()]) and
              np.array_equal(a["instance/w_star"][()], b["instance/w_star"][()]),
              "gd and sgd see the same instance")
    # overwriting an existing file replaces it
    path, j = save_run(tmp, "gd_rademacher_0.h5", ["--algo", "gd", "--d", 24, "--n", 10, "--kappa", 2,
                                                   "--alpha", 0.3, "--seed", 3, "--sweep-seed", 9, "--steps", 7])
    with h5py.File(path, "r") as f:
        check(attr(f, "steps") == 7, "--save replaces an existing file")
    check(not any(x.endswith(".tmp") for x in os.listdir(tmp)), "no .tmp files left: %s" % os.listdir(tmp))

finish("test_run_one_save")
