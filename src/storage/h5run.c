/* h5run.c - serial HDF5 file of one run (see h5run.h). */
#include "biasweep/h5run.h"

#include "biasweep/error.h"
#include "h5.h"

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

/* A root attribute: a string ('s'), an integer ('l') or a double ('d'). */
struct attr {
	const char *name;
	char kind;
	const char *s;
	long long l;
	double d;
};
#define A_S(name, x) {name, 's', .s = (x)}
#define A_L(name, x) {name, 'l', .l = (long long)(x)}
#define A_D(name, x) {name, 'd', .d = (x)}

static int put_attr(hid_t loc, const struct attr *a)
{
	if (a->kind == 's')
		return bw_h5_attr_str(loc, a->name, a->s);
	if (a->kind == 'l')
		return bw_h5_attr_put(loc, a->name, H5T_NATIVE_LLONG, H5T_NATIVE_LLONG, &a->l);
	return bw_h5_attr_put(loc, a->name, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE, &a->d);
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
	const struct {
		hid_t loc;
		const char *name;
		int rank;
		const hsize_t *dims;
		const double *x;
	} vec[] = {{gi, "Z", 2, dz, inst->Z}, {gi, "y", 1, dn, inst->y}, {gi, "w_star", 1, dd, inst->w_star},
		   {gf, "u", 1, dd, out->u},  {gf, "v", 1, dd, out->v},  {gf, "w", 1, dd, out->w}};
	for (size_t i = 0; !rc && i < sizeof vec / sizeof *vec; i++)
		rc = wr(vec[i].loc, vec[i].name, H5T_NATIVE_DOUBLE, vec[i].rank, vec[i].dims, vec[i].x);
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
		rc = bw_h5_attr_str(gt, "units", units);
	/* the task, its parameters and its outcome as root attributes */
	const struct attr root[] = {
		A_S("algorithm", bw_algo_name(p->algo)), A_S("design", bw_design_name(inst->spec.design)),
		A_S("wstar", bw_wstar_name(inst->spec.wstar)), A_L("d", d), A_L("n", n), A_L("kappa", inst->spec.kappa),
		A_L("seed", inst->spec.seed_index), A_L("sweep_seed", inst->spec.sweep_seed),
		A_D("alpha", p->alpha), A_D("eta", out->eta_used), A_D("sigma", p->sigma), A_L("batch", p->batch),
		A_L("max_steps", p->max_steps), A_D("max_time", p->max_time), A_D("eps", p->eps), A_D("tol", p->tol),
		A_S("status", bw_run_status_name(out->status)), A_D("train_loss", out->train_loss),
		A_D("test_error", out->test_error), A_D("R", out->R), A_D("l1", out->l1),
		A_L("support_recovered", out->support_recovered), A_L("success", out->success),
		A_L("steps", out->steps), A_D("t", out->t), A_D("wall_s", out->wall_s),
		A_S("schedule", bw_schedule_name(bw_run_schedule(p))),
	};
	for (size_t i = 0; !rc && i < sizeof root / sizeof *root; i++)
		rc = put_attr(f, &root[i]);
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
