/* h5run.c - serial HDF5 file of one run (see h5run.h). */
#include "biasweep/h5run.h"

#include "biasweep/error.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/stat.h>

int bw_h5run_check_writable(const char *path)
{
	/* Checks without creating anything: the directory must be writable and
	 * the path must not be a directory. A stale PATH.tmp is overwritten. */
	struct stat st;
	if (!*path)
		return RAISE(BW_EINVAL, "cannot write '': an empty file name");
	if (strlen(path) + 5 > 4096)
		return RAISE(BW_EINVAL, "path too long: '%s'", path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base)
		return RAISE(BW_EINVAL, "cannot write '%s': it names a directory", path);
	if (strlen(base) + strlen(".tmp") > NAME_MAX) /* it is written as PATH.tmp, then renamed */
		return RAISE(BW_EINVAL, "cannot write '%s': its file name has %zu bytes, more than %d (it is written as "
			     "NAME.tmp first)", path, strlen(base), NAME_MAX - 4);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return RAISE(BW_EINVAL, "cannot write '%s': it is a directory", path);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	const char *d = dirname(dir);
	if (access(d, W_OK) != 0)
		return RAISE(BW_EINVAL, "cannot write '%s': %s", path, strerror(errno));
	return BW_OK;
}

static int wr(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims, const void *buf)
{
	hid_t sp = H5Screate_simple(rank, dims, NULL);
	hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	herr_t st = ds < 0 ? -1 : H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	if (ds >= 0)
		H5Dclose(ds);
	H5Sclose(sp);
	return st < 0 ? RAISE(BW_ESTORE, "hdf5: cannot write dataset '%s'", name) : BW_OK;
}

static int attr_d(hid_t loc, const char *name, double x)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(loc, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_DOUBLE, &x);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	return st < 0 ? RAISE(BW_ESTORE, "hdf5: cannot write attribute '%s'", name) : BW_OK;
}

static int attr_l(hid_t loc, const char *name, long long x)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(loc, name, H5T_NATIVE_LLONG, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_LLONG, &x);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	return st < 0 ? RAISE(BW_ESTORE, "hdf5: cannot write attribute '%s'", name) : BW_OK;
}

static int attr_s(hid_t loc, const char *name, const char *s)
{
	hid_t ty = H5Tcopy(H5T_C_S1);
	H5Tset_size(ty, strlen(s) + 1);
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(loc, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t st = a < 0 ? -1 : H5Awrite(a, ty, s);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	H5Tclose(ty);
	return st < 0 ? RAISE(BW_ESTORE, "hdf5: cannot write attribute '%s'", name) : BW_OK;
}

static int write_all(hid_t f, const struct bw_instance *inst, const struct bw_run_params *p,
		     const struct bw_outcome *out)
{
	size_t n = inst->n, d = inst->d, m = out->ntraj;
	hsize_t dz[2] = {n, d}, dn[1] = {n}, dd[1] = {d}, dm[1] = {m};
	hid_t gi = H5Gcreate2(f, "instance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	hid_t gf = H5Gcreate2(f, "final", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	hid_t gt = H5Gcreate2(f, "trajectory", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	int rc = (gi < 0 || gf < 0 || gt < 0) ? RAISE(BW_ESTORE, "hdf5: cannot create groups") : BW_OK;
	double *col = malloc((m ? m : 1) * sizeof(double));
	long long *steps = malloc((m ? m : 1) * sizeof(long long));
	if (!col || !steps)
		rc = RAISE(BW_ENOMEM, "out of memory");
	if (!rc)
		rc = wr(gi, "Z", H5T_NATIVE_DOUBLE, 2, dz, inst->Z);
	if (!rc)
		rc = wr(gi, "y", H5T_NATIVE_DOUBLE, 1, dn, inst->y);
	if (!rc)
		rc = wr(gi, "w_star", H5T_NATIVE_DOUBLE, 1, dd, inst->w_star);
	if (!rc)
		rc = wr(gf, "u", H5T_NATIVE_DOUBLE, 1, dd, out->u);
	if (!rc)
		rc = wr(gf, "v", H5T_NATIVE_DOUBLE, 1, dd, out->v);
	if (!rc)
		rc = wr(gf, "w", H5T_NATIVE_DOUBLE, 1, dd, out->w);
	if (!rc) {
		for (size_t c = 0; c < m; c++)
			steps[c] = out->traj[c].step;
		rc = wr(gt, "step", H5T_NATIVE_LLONG, 1, dm, steps);
	}
#define COL(field)                                                      \
	if (!rc) {                                                      \
		for (size_t c = 0; c < m; c++)                          \
			col[c] = out->traj[c].field;                    \
		rc = wr(gt, #field, H5T_NATIVE_DOUBLE, 1, dm, col);     \
	}
	COL(t)
	COL(loss)
	COL(test_error)
	COL(R)
#undef COL
	char times[512], units[768];
	bw_dynamics_time_docs(times, sizeof times); /* each dynamics' t, from the table */
	snprintf(units, sizeof units,
		 "step: iterations; t: simulated time (%s); loss: (1/n)||Zw-y||^2; test_error: ||w-w*||/||w*||; "
		 "R: tr Hessian of L",
		 times);
	if (!rc)
		rc = attr_s(gt, "units", units);
	/* parameters and outcome as root attributes */
	if (!rc) rc = attr_s(f, "algorithm", bw_algo_name(p->algo));
	if (!rc) rc = attr_s(f, "design", bw_design_name(inst->spec.design));
	if (!rc) rc = attr_s(f, "wstar", bw_wstar_name(inst->spec.wstar));
	if (!rc) rc = attr_l(f, "d", (long long)d);
	if (!rc) rc = attr_l(f, "n", (long long)n);
	if (!rc) rc = attr_l(f, "kappa", (long long)inst->spec.kappa);
	if (!rc) rc = attr_l(f, "seed", (long long)inst->spec.seed_index);
	if (!rc) rc = attr_l(f, "sweep_seed", (long long)inst->spec.sweep_seed);
	if (!rc) rc = attr_d(f, "alpha", p->alpha);
	if (!rc) rc = attr_d(f, "eta", out->eta_used);
	if (!rc) rc = attr_d(f, "sigma", p->sigma);
	if (!rc) rc = attr_l(f, "batch", p->batch);
	if (!rc) rc = attr_l(f, "max_steps", p->max_steps);
	if (!rc) rc = attr_d(f, "max_time", p->max_time);
	if (!rc) rc = attr_d(f, "eps", p->eps);
	if (!rc) rc = attr_d(f, "tol", p->tol);
	if (!rc) rc = attr_s(f, "status", bw_run_status_name(out->status));
	if (!rc) rc = attr_d(f, "train_loss", out->train_loss);
	if (!rc) rc = attr_d(f, "test_error", out->test_error);
	if (!rc) rc = attr_d(f, "R", out->R);
	if (!rc) rc = attr_d(f, "l1", out->l1);
	if (!rc) rc = attr_l(f, "support_recovered", out->support_recovered);
	if (!rc) rc = attr_l(f, "success", out->success);
	if (!rc) rc = attr_l(f, "steps", out->steps);
	if (!rc) rc = attr_d(f, "t", out->t);
	if (!rc) rc = attr_d(f, "wall_s", out->wall_s);
	free(col);
	free(steps);
	if (gi >= 0) H5Gclose(gi);
	if (gf >= 0) H5Gclose(gf);
	if (gt >= 0) H5Gclose(gt);
	return rc;
}

int bw_h5run_write(const char *path, const struct bw_instance *inst, const struct bw_run_params *p,
		   const struct bw_outcome *out)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return RAISE(BW_EINVAL, "path too long: '%s'", path);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors come back as statuses, not prints */
	hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0)
		return RAISE(BW_EIO, "cannot create '%s'", tmp);
	int rc = write_all(f, inst, p, out);
	if (H5Fclose(f) < 0 && !rc)
		rc = RAISE(BW_ESTORE, "hdf5: cannot close '%s'", tmp);
	if (!rc && rename(tmp, path) != 0)
		rc = RAISE(BW_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
