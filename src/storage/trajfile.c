/* trajfile.c - one parallel HDF5 file of trajectories per sweep run (see trajfile.h). */
#include "biasweep/trajfile.h"

#include "biasweep/error.h"
#include "h5.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { COL_T, COL_LOSS, COL_ERR, COL_R, NCOL };
static const char *const col_names[NCOL] = {"t", "loss", "test_error", "R"};

enum { P_D, P_N, P_KAPPA, P_SEED, P_BATCH, NIPAR };
enum { P_ALPHA, P_ETA, P_SIGMA, NDPAR };
static const char *const ipar_names[NIPAR] = {"d", "n", "kappa", "seed", "batch"};
static const char *const dpar_names[NDPAR] = {"alpha", "eta", "sigma"};

struct bw_trajfile {
	hid_t file;
	hid_t step, cols[NCOL], count, w;
	hid_t key, algo, design, ipar[NIPAR], dpar[NDPAR], s17, s24;
	int64_t *w_offset;
	size_t nrows, slots; /* slots: checkpoints per row (the trajectory tables' second dimension) */
};

static size_t traj_slots(size_t slots)
{
	return slots < BW_TRAJ_MAXCK ? BW_TRAJ_MAXCK : slots > BW_TRAJ_SLOTS_MAX ? BW_TRAJ_SLOTS_MAX : slots;
}

static const char zeros[32]; /* the fill value of the string tables */

static hid_t mkds(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims, const void *fill)
{
	hid_t sp = H5Screate_simple(rank, dims, NULL);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_layout(dcpl, H5D_CONTIGUOUS);
	H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
	if (fill) {
		H5Pset_fill_value(dcpl, type, fill);
		H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC);
	} else {
		H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
	}
	hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	H5Pclose(dcpl);
	H5Sclose(sp);
	return ds;
}

static int attr_i64(hid_t loc, const char *name, int64_t x)
{
	return bw_h5_attr_put(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &x);
}

/* Write a whole 1-D dataset from rank 0 only (independent I/O). */
static int put_all(hid_t ds, hid_t memtype, const void *buf, int rank0)
{
	if (!rank0)
		return BW_OK;
	return H5Dwrite(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0
		       ? RAISE(BW_ESTORE, "hdf5: cannot write a table")
		       : BW_OK;
}

/* The per-row parameter tables, filled row by row as tasks finish. */
static int create_params(struct bw_trajfile *tf, hsize_t nr)
{
	hsize_t dims[1] = {nr};
	int64_t zero = 0;
	double nan = NAN;
	hid_t g = H5Gcreate2(tf->file, "params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	tf->s17 = bw_h5_str_type(17);
	tf->s24 = bw_h5_str_type(24);
	tf->key = mkds(tf->file, "task_key", tf->s17, 1, dims, zeros);
	tf->algo = mkds(g, "algorithm", tf->s24, 1, dims, zeros);
	tf->design = mkds(g, "design", tf->s24, 1, dims, zeros);
	int bad = g < 0 || tf->key < 0 || tf->algo < 0 || tf->design < 0;
	for (int i = 0; i < NIPAR; i++)
		bad |= (tf->ipar[i] = mkds(g, ipar_names[i], H5T_STD_I64LE, 1, dims, &zero)) < 0;
	for (int i = 0; i < NDPAR; i++)
		bad |= (tf->dpar[i] = mkds(g, dpar_names[i], H5T_IEEE_F64LE, 1, dims, &nan)) < 0;
	if (g >= 0)
		H5Gclose(g);
	return bad ? RAISE(BW_ESTORE, "hdf5: cannot create the parameter tables") : BW_OK;
}

/* ---- where the files live ---------------------------------------------------- */

int bw_trajfile_path(const char *catalog, const char *traj_file, char *buf, size_t len)
{
	const char *slash = strrchr(catalog, '/');
	int dirlen = traj_file[0] == '/' || !slash ? 0 : (int)(slash - catalog) + 1;
	int n = snprintf(buf, len, "%.*s%s", dirlen, catalog, traj_file);
	if (n < 0 || (size_t)n >= len)
		return RAISE(BW_EINVAL, "the path of trajectory file '%s' beside catalog '%s' is too long", traj_file,
			     catalog);
	return BW_OK;
}

int bw_trajfile_name(const char *catalog, const char *sweep, int64_t run, int shard, int attempt, char *buf,
		     size_t len)
{
	/* the stem: the catalog's file name without its last extension */
	const char *slash = strrchr(catalog, '/'), *base = slash ? slash + 1 : catalog;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	char rest[160], sh[24] = "", alt[16] = "";
	if (shard >= 0)
		snprintf(sh, sizeof sh, "-shard%d", shard);
	if (attempt > 1)
		snprintf(alt, sizeof alt, ".%d", attempt);
	int nrest = snprintf(rest, sizeof rest, "-%" PRId64 "%s%s.h5", run, sh, alt);
	/* it must fit in a file name, in outcomes.traj_file (struct bw_result) and in buf */
	size_t cap = len < NAME_MAX + 1 ? len : NAME_MAX + 1, fixed = strlen(sweep) + (size_t)nrest;
	if (fixed + 2 > cap)
		return RAISE(BW_EINVAL, "sweep name '%.40s...' is too long to name its trajectory file (%zu bytes)", sweep,
			     strlen(sweep));
	if (stem > cap - 2 - fixed)
		stem = cap - 2 - fixed;
	while (stem > 0 && ((unsigned char)base[stem] & 0xC0) == 0x80) /* whole UTF-8 characters */
		stem--;
	snprintf(buf, len, "%.*s-%s%s", (int)stem, base, sweep, rest);
	return BW_OK;
}

int bw_trajfile_reserve(const char *catalog, const char *sweep, int64_t run, int shard, const size_t *row_d,
			size_t nrows, size_t slots, char *name, size_t namelen, char *path, size_t pathlen)
{
	slots = traj_slots(slots);
	/* every dataset is contiguous and allocated at creation: the file's size is known now */
	double r = (double)(nrows ? nrows : 1), w = 0;
	for (size_t i = 0; i < nrows; i++)
		w += (double)row_d[i];
	double bytes = r * (double)slots * (double)(sizeof(int64_t) + NCOL * sizeof(double)) + r * sizeof(int32_t) +
		       (w > 0 ? w : 1) * sizeof(double) + r * sizeof(int64_t) + r * (17 + 24 + 24) +
		       r * (NIPAR * sizeof(int64_t) + NDPAR * sizeof(double)) + 65536.0 /* metadata */;
	/* O_EXCL: a file of that name may be what some catalog points at (a copy's, a restored one's) */
	int fd = -1;
	for (int attempt = 1; fd < 0; attempt++) {
		CHECK(bw_trajfile_name(catalog, sweep, run, shard, attempt, name, namelen));
		CHECK(bw_trajfile_path(catalog, name, path, pathlen));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || attempt >= 1000))
			return RAISE(BW_EIO, "cannot create the trajectory file '%s': %s", path, strerror(errno));
	}
	int e = bytes < 9e18 ? posix_fallocate(fd, 0, (off_t)bytes) : EFBIG;
	close(fd);
	if (e == EINVAL || e == EOPNOTSUPP)
		return BW_OK; /* a file system without fallocate: HDF5 finds out as it writes */
	if (e) {
		unlink(path);
		return RAISE(BW_EIO, "no room for the trajectory file '%s' (%.0f bytes): %s", path, bytes, strerror(e));
	}
	return BW_OK;
}

/* ---- writing ------------------------------------------------------------------ */

int bw_trajfile_create(const char *path, MPI_Comm comm, int rank, const size_t *row_d, size_t nrows, size_t slots,
		       const char *sweep, const char *spec_hash_hex, const char *revision, const struct bw_traj_identity *id,
		       struct bw_trajfile **out)
{
	*out = NULL;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	struct bw_trajfile *tf = calloc(1, sizeof *tf);
	if (!tf)
		return RAISE(BW_ENOMEM, "out of memory");
	tf->nrows = nrows;
	tf->slots = traj_slots(slots);
	tf->key = tf->algo = tf->design = tf->s17 = tf->s24 = -1;
	for (int i = 0; i < NIPAR; i++)
		tf->ipar[i] = -1;
	for (int i = 0; i < NDPAR; i++)
		tf->dpar[i] = -1;
	tf->w_offset = malloc((nrows ? nrows : 1) * sizeof(int64_t));
	if (!tf->w_offset) {
		free(tf);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	int64_t total = 0;
	for (size_t r = 0; r < nrows; r++) {
		tf->w_offset[r] = total;
		total += (int64_t)row_d[r];
	}
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
	tf->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
	H5Pclose(fapl);
	if (tf->file < 0) {
		free(tf->w_offset);
		free(tf);
		return RAISE(BW_EIO, "cannot create the trajectory file '%s'", path);
	}
	int rc = BW_OK;
	hsize_t d2[2] = {nrows ? nrows : 1, tf->slots}, d1[1] = {nrows ? nrows : 1},
		dw[1] = {total ? (hsize_t)total : 1};
	double nan = NAN;
	int64_t m1 = -1;
	int32_t c1 = -1;
	hid_t gt = H5Gcreate2(tf->file, "trajectory", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	hid_t gf = H5Gcreate2(tf->file, "final", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	tf->step = mkds(gt, "step", H5T_STD_I64LE, 2, d2, &m1);
	for (int c = 0; c < NCOL; c++)
		tf->cols[c] = mkds(gt, col_names[c], H5T_IEEE_F64LE, 2, d2, &nan);
	tf->count = mkds(gt, "count", H5T_STD_I32LE, 1, d1, &c1);
	tf->w = mkds(gf, "w", H5T_IEEE_F64LE, 1, dw, &nan);
	hid_t wo = mkds(gf, "w_offset", H5T_STD_I64LE, 1, d1, NULL);
	if (gt < 0 || gf < 0 || tf->step < 0 || tf->count < 0 || tf->w < 0 || wo < 0)
		rc = RAISE(BW_ESTORE, "hdf5: cannot create datasets in '%s'", path);
	for (int c = 0; c < NCOL && !rc; c++)
		if (tf->cols[c] < 0)
			rc = RAISE(BW_ESTORE, "hdf5: cannot create datasets in '%s'", path);
	if (!rc)
		rc = put_all(wo, H5T_NATIVE_INT64, tf->w_offset, rank == 0);
	if (!rc)
		rc = create_params(tf, d1[0]);
	if (!rc)
		rc = bw_h5_attr_str(tf->file, "sweep", sweep);
	if (!rc)
		rc = bw_h5_attr_str(tf->file, "spec_hash", spec_hash_hex);
	if (!rc)
		rc = bw_h5_attr_str(tf->file, "revision", revision);
	if (!rc && id) /* which catalog run the file belongs to: every reader checks it */
		rc = bw_h5_attr_str(tf->file, "catalog_id", id->catalog_id);
	if (!rc && id)
		rc = attr_i64(tf->file, "sweep_id", id->sweep_id);
	if (!rc && id)
		rc = bw_h5_attr_str(tf->file, "started_at", id->started_at);
	char times[512], units[1024];
	bw_dynamics_time_docs(times, sizeof times); /* each dynamics' t, from the table */
	snprintf(units, sizeof units,
		 "row r holds the task /task_key[r] (the catalog's key; outcomes.traj_row = r); "
		 "trajectory/*[r, 0:count[r]] are its checkpoints: step in iterations, t in simulated "
		 "time (%s), loss = (1/n)||Zw-y||^2, test_error = ||w-w*||/||w*||, R = tr Hessian of L; "
		 "final/w[w_offset[r] : w_offset[r]+d[r]] is its final predictor w; catalog_id, sweep_id, "
		 "started_at: the catalog run the file belongs to (meta catalog_id, sweeps.id, started_at)",
		 times);
	if (!rc)
		rc = bw_h5_attr_str(tf->file, "units", units);
	if (wo >= 0)
		H5Dclose(wo);
	if (gt >= 0)
		H5Gclose(gt);
	if (gf >= 0)
		H5Gclose(gf);
	/* Collective: every rank's metadata reaches the file before any row is written. */
	if (H5Fflush(tf->file, H5F_SCOPE_GLOBAL) < 0 && !rc)
		rc = RAISE(BW_ESTORE, "hdf5: cannot flush '%s'", path);
	if (rc) {
		bw_trajfile_close(tf);
		return rc;
	}
	*out = tf;
	return BW_OK;
}

/* Rows row0 .. row0+k-1 of a 1-D dataset, or of the first `len` columns of a
 * 2-D one, in one H5Dwrite (one write through MPI-IO for contiguous rows). */
static int write_block(hid_t ds, hid_t memtype, size_t row0, size_t k, size_t len, const void *buf)
{
	hsize_t start[2] = {row0, 0}, count[2] = {k, len}, mdim[2] = {k, len};
	int rank = len ? 2 : 1;
	hid_t fs = H5Dget_space(ds);
	H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
	hid_t ms = H5Screate_simple(rank, mdim, NULL);
	herr_t st = H5Dwrite(ds, memtype, ms, fs, H5P_DEFAULT, buf);
	H5Sclose(ms);
	H5Sclose(fs);
	return st < 0 ? BW_ESTORE : BW_OK;
}

/* The checkpoints a row keeps: all of them, or an even subsample with the
 * first and last included when there are more than the slots. */
static size_t kept_checkpoints(const struct bw_trajfile *tf, const struct bw_outcome *o)
{
	return o->ntraj < tf->slots ? o->ntraj : tf->slots;
}

static const struct bw_checkpoint *kept(const struct bw_trajfile *tf, const struct bw_outcome *o, size_t c)
{
	size_t src = o->ntraj <= tf->slots
			     ? c
			     : (size_t)llround((double)c * (double)(o->ntraj - 1) / (double)(tf->slots - 1));
	return &o->traj[src];
}

static int has_w(const struct bw_task *t, const struct bw_outcome *o)
{
	return o->w && o->d == t->inst.d;
}

int bw_trajfile_write_rows(struct bw_trajfile *tf, size_t row0, size_t k, const struct bw_task *const *t,
			   const struct bw_outcome *const *o)
{
	if (!k)
		return BW_OK;
	if (row0 >= tf->nrows || k > tf->nrows - row0)
		return RAISE(BW_EINTERNAL, "trajectory rows %zu..%zu out of range", row0, row0 + k - 1);
	size_t mmax = 0, wlen = 0;
	int anyw = 0;
	for (size_t i = 0; i < k; i++) {
		size_t m = kept_checkpoints(tf, o[i]);
		if (m > mmax)
			mmax = m;
		anyw |= has_w(t[i], o[i]);
	}
	if (anyw)
		wlen = (size_t)(tf->w_offset[row0 + k - 1] - tf->w_offset[row0]) + t[k - 1]->inst.d;
	/* one buffer for every table: strings, parameters, checkpoints, w, count */
	size_t bytes = k * (17 + 24 + 24) + k * (NIPAR * sizeof(int64_t) + NDPAR * sizeof(double)) +
		       k * mmax * (sizeof(int64_t) + NCOL * sizeof(double)) + wlen * sizeof(double) +
		       k * sizeof(int32_t) + 64;
	char *mem = malloc(bytes);
	if (!mem)
		return RAISE(BW_ENOMEM, "out of memory writing %zu trajectory rows", k);
	double *dv = (double *)mem;                       /* NDPAR x k */
	double *cols = dv + NDPAR * k;                    /* NCOL x k x mmax */
	double *w = cols + NCOL * k * mmax;               /* wlen */
	int64_t *iv = (int64_t *)(w + wlen);              /* NIPAR x k */
	int64_t *steps = iv + NIPAR * k;                  /* k x mmax */
	int32_t *count = (int32_t *)(steps + k * mmax);   /* k */
	char *key = (char *)(count + k), *algo = key + 17 * k, *design = algo + 24 * k;
	for (size_t i = 0; i < k; i++) {
		const struct bw_task *ti = t[i];
		const struct bw_outcome *oi = o[i];
		memcpy(key + 17 * i, ti->key_hex, 17);
		key[17 * i + 16] = 0;
		snprintf(algo + 24 * i, 24, "%s", bw_algo_name(ti->run.algo));
		snprintf(design + 24 * i, 24, "%s", bw_design_name(ti->inst.design));
		int64_t ip[NIPAR] = {(int64_t)ti->inst.d, (int64_t)ti->inst.n, (int64_t)ti->inst.kappa,
				     (int64_t)ti->inst.seed_index, ti->run.batch};
		double dp[NDPAR] = {ti->run.alpha, ti->run.eta, ti->run.sigma};
		for (int j = 0; j < NIPAR; j++)
			iv[(size_t)j * k + i] = ip[j];
		for (int j = 0; j < NDPAR; j++)
			dv[(size_t)j * k + i] = dp[j];
		size_t m = kept_checkpoints(tf, oi);
		for (size_t c = 0; c < mmax; c++) { /* padded with the tables' fill values */
			const struct bw_checkpoint *ck = c < m ? kept(tf, oi, c) : NULL;
			steps[i * mmax + c] = ck ? ck->step : -1;
			cols[(COL_T * k + i) * mmax + c] = ck ? ck->t : NAN;
			cols[(COL_LOSS * k + i) * mmax + c] = ck ? ck->loss : NAN;
			cols[(COL_ERR * k + i) * mmax + c] = ck ? ck->test_error : NAN;
			cols[(COL_R * k + i) * mmax + c] = ck ? ck->R : NAN;
		}
		if (anyw) {
			double *wi = w + (tf->w_offset[row0 + i] - tf->w_offset[row0]);
			for (size_t j = 0; j < ti->inst.d; j++)
				wi[j] = has_w(ti, oi) ? oi->w[j] : NAN;
		}
		count[i] = (int32_t)m;
	}
	int rc = write_block(tf->key, tf->s17, row0, k, 0, key);
	if (!rc)
		rc = write_block(tf->algo, tf->s24, row0, k, 0, algo);
	if (!rc)
		rc = write_block(tf->design, tf->s24, row0, k, 0, design);
	for (int j = 0; j < NIPAR && !rc; j++)
		rc = write_block(tf->ipar[j], H5T_NATIVE_INT64, row0, k, 0, iv + (size_t)j * k);
	for (int j = 0; j < NDPAR && !rc; j++)
		rc = write_block(tf->dpar[j], H5T_NATIVE_DOUBLE, row0, k, 0, dv + (size_t)j * k);
	if (!rc && mmax)
		rc = write_block(tf->step, H5T_NATIVE_INT64, row0, k, mmax, steps);
	for (int c = 0; c < NCOL && !rc && mmax; c++)
		rc = write_block(tf->cols[c], H5T_NATIVE_DOUBLE, row0, k, mmax, cols + (size_t)c * k * mmax);
	if (!rc && anyw) {
		hsize_t start[1] = {(hsize_t)tf->w_offset[row0]}, cnt[1] = {wlen};
		hid_t fs = H5Dget_space(tf->w);
		H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL);
		hid_t ms = H5Screate_simple(1, cnt, NULL);
		if (H5Dwrite(tf->w, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, w) < 0)
			rc = BW_ESTORE;
		H5Sclose(ms);
		H5Sclose(fs);
	}
	/* the counts go last: a row with count >= 0 is complete */
	if (!rc)
		rc = write_block(tf->count, H5T_NATIVE_INT32, row0, k, 0, count);
	free(mem);
	if (rc && k == 1)
		return RAISE(BW_ESTORE, "hdf5: cannot write trajectory row %zu (disk full?)", row0);
	return rc ? RAISE(BW_ESTORE, "hdf5: cannot write trajectory rows %zu..%zu (disk full?)", row0, row0 + k - 1)
		  : BW_OK;
}

int bw_trajfile_write_row(struct bw_trajfile *tf, size_t row, const struct bw_task *t, const struct bw_outcome *o)
{
	return bw_trajfile_write_rows(tf, row, 1, &t, &o);
}

int bw_trajfile_close(struct bw_trajfile *tf)
{
	if (!tf)
		return BW_OK;
	int rc = BW_OK;
	hid_t ids[] = {tf->step, tf->cols[0], tf->cols[1], tf->cols[2], tf->cols[3], tf->count, tf->w,
		       tf->key, tf->algo, tf->design};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (ids[i] > 0)
			H5Dclose(ids[i]);
	for (int i = 0; i < NIPAR; i++)
		if (tf->ipar[i] > 0)
			H5Dclose(tf->ipar[i]);
	for (int i = 0; i < NDPAR; i++)
		if (tf->dpar[i] > 0)
			H5Dclose(tf->dpar[i]);
	if (tf->s17 > 0)
		H5Tclose(tf->s17);
	if (tf->s24 > 0)
		H5Tclose(tf->s24);
	if (tf->file >= 0 && H5Fclose(tf->file) < 0)
		rc = RAISE(BW_ESTORE, "hdf5: cannot close the trajectory file");
	free(tf->w_offset);
	free(tf);
	return rc;
}

/* ---- reading ------------------------------------------------------------------ */

/* A root attribute: 1 when present (read into buf / *x), 0 when absent, -1 unreadable. */
static int attr_get(hid_t f, const char *name, char *buf, size_t len, int64_t *x)
{
	if (H5Aexists(f, name) <= 0)
		return 0;
	hid_t a = H5Aopen(f, name, H5P_DEFAULT);
	if (a < 0)
		return -1;
	herr_t st = -1;
	if (x) {
		st = H5Aread(a, H5T_NATIVE_INT64, x);
	} else {
		hid_t ft = H5Aget_type(a);
		size_t n = ft >= 0 && H5Tget_class(ft) == H5T_STRING && !H5Tis_variable_str(ft) ? H5Tget_size(ft) : 0;
		if (n > 0 && n <= len) {
			hid_t mt = bw_h5_str_type(n);
			st = H5Aread(a, mt, buf);
			H5Tclose(mt);
			buf[n - 1] = 0;
		}
		if (ft >= 0)
			H5Tclose(ft);
	}
	H5Aclose(a);
	return st < 0 ? -1 : 1;
}

/* The file's identity attributes against *expect (those named in check). */
static int check_identity(hid_t f, const char *path, const struct bw_traj_identity *expect, unsigned check)
{
	struct bw_traj_identity got = {"", 0, ""};
	int has_cat = attr_get(f, "catalog_id", got.catalog_id, sizeof got.catalog_id, NULL);
	int has_sweep = attr_get(f, "sweep_id", NULL, 0, &got.sweep_id);
	int has_start = attr_get(f, "started_at", got.started_at, sizeof got.started_at, NULL);
	if (has_cat < 0 || has_sweep < 0 || has_start < 0)
		return RAISE(BW_EINVAL, "trajectory file '%s' has unreadable identity attributes (corrupt?)", path);
	if ((check & BW_TRAJ_CHECK_CATALOG) && has_cat && strcmp(got.catalog_id, expect->catalog_id))
		return RAISE(BW_EINVAL,
			     "trajectory file '%s' belongs to another catalog (catalog_id %s, not %s): it was replaced "
			     "or copied in",
			     path, got.catalog_id, expect->catalog_id[0] ? expect->catalog_id : "(none)");
	if (((check & BW_TRAJ_CHECK_SWEEP) && has_sweep && got.sweep_id != expect->sweep_id) ||
	    ((check & BW_TRAJ_CHECK_STARTED) && has_start && strcmp(got.started_at, expect->started_at)))
		return RAISE(BW_EINVAL,
			     "trajectory file '%s' was written by another run (sweep %" PRId64 " started %s, not %" PRId64
			     " started %s): it was replaced or copied in",
			     path, got.sweep_id, got.started_at, expect->sweep_id, expect->started_at);
	return BW_OK;
}

/* /task_key[row] against key ("" when the row was never written). */
static int check_key(hid_t f, const char *path, size_t row, const char *key)
{
	if (H5Lexists(f, "task_key", H5P_DEFAULT) <= 0)
		return RAISE(BW_EINVAL, "'%s' is not a biasweep trajectory file (no task_key)", path);
	char got[17] = "";
	hsize_t start[1] = {row}, one[1] = {1};
	hid_t ds = H5Dopen2(f, "task_key", H5P_DEFAULT), fs = ds < 0 ? -1 : H5Dget_space(ds);
	hid_t ms = H5Screate_simple(1, one, NULL), ty = bw_h5_str_type(sizeof got);
	int bad = ds < 0 || fs < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL) < 0 ||
		  H5Dread(ds, ty, ms, fs, H5P_DEFAULT, got) < 0;
	H5Tclose(ty);
	H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	if (ds >= 0)
		H5Dclose(ds);
	got[16] = 0;
	if (bad)
		return RAISE(BW_EINVAL, "cannot read task_key of row %zu in '%s' (corrupt file?)", row, path);
	if (!got[0])
		return RAISE(BW_EINVAL, "row %zu of trajectory file '%s' was never written: the file is not the one the "
				     "catalog's run wrote", row, path);
	if (strcmp(got, key))
		return RAISE(BW_EINVAL, "row %zu of trajectory file '%s' holds task %s, not %s: the file does not belong "
				     "to this catalog", row, path, got, key);
	return BW_OK;
}

/* bw_trajfile_read_row, and with key != NULL the checks of bw_trajfile_read_task. */
static int read_row(const char *path, size_t row, const char *key, const struct bw_traj_identity *expect,
		    unsigned check, struct bw_checkpoint *ck, int *count, double *w, size_t d)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		/* a file that is there but does not open is bad input (exit 2), not an I/O error */
		if (access(path, R_OK) == 0)
			return RAISE(BW_EINVAL, "'%s' is not a biasweep trajectory file (not HDF5, truncated or corrupt)",
				     path);
		return RAISE(BW_EIO, "cannot open the trajectory file '%s': %s", path, strerror(errno));
	}
	int rc = BW_OK;
	int32_t cnt = -1;
	int64_t off = 0;
	hsize_t start[2] = {row, 0}, one[1] = {1}, cslab[2] = {1, BW_TRAJ_MAXCK}, mdim[1] = {BW_TRAJ_MAXCK};
	hid_t cds = H5Dopen2(f, "trajectory/count", H5P_DEFAULT), ods = H5Dopen2(f, "final/w_offset", H5P_DEFAULT);
	if (cds < 0 || ods < 0)
		rc = RAISE(BW_EINVAL, "'%s' is not a biasweep trajectory file", path);
	/* the file's checkpoint slots per row: the second dimension of its tables */
	hsize_t slots = 0;
	if (!rc) {
		hid_t sds = H5Dopen2(f, "trajectory/step", H5P_DEFAULT), ss = sds >= 0 ? H5Dget_space(sds) : -1;
		hsize_t dims[2] = {0, 0};
		if (ss < 0 || H5Sget_simple_extent_ndims(ss) != 2 || H5Sget_simple_extent_dims(ss, dims, NULL) != 2 ||
		    dims[1] < 1 || dims[1] > BW_TRAJ_SLOTS_MAX)
			rc = RAISE(BW_EINVAL, "'%s' is not a biasweep trajectory file (its trajectory tables)", path);
		slots = dims[1];
		if (ss >= 0) H5Sclose(ss);
		if (sds >= 0) H5Dclose(sds);
	}
	cslab[1] = mdim[0] = slots;
	for (int which = 0; which < 2 && !rc; which++) {
		hid_t ds = which ? ods : cds, fs = H5Dget_space(ds), ms = H5Screate_simple(1, one, NULL);
		if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL) < 0 ||
		    H5Dread(ds, which ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32, ms, fs, H5P_DEFAULT,
			    which ? (void *)&off : (void *)&cnt) < 0)
			rc = RAISE(BW_EINVAL, "cannot read row %zu of '%s' (no such row, or a corrupt file)", row, path);
		H5Sclose(ms);
		H5Sclose(fs);
	}
	/* the count sizes the caller's buffer (BW_TRAJ_SLOTS_MAX): a corrupt one must not overrun it */
	if (!rc && (cnt < -1 || (hsize_t)cnt > slots || off < 0))
		rc = RAISE(BW_EINVAL, "row %zu of '%s' is corrupt (count %d, w_offset %lld)", row, path, (int)cnt,
			   (long long)off);
	if (!rc && key)
		rc = check_identity(f, path, expect, check);
	if (!rc && key)
		rc = check_key(f, path, row, key);
	*count = rc ? -1 : cnt;
	if (!rc && cnt >= 0) {
		double *buf = malloc(slots * sizeof *buf);
		int64_t *sbuf = malloc(slots * sizeof *sbuf);
		if (!buf || !sbuf)
			rc = RAISE(BW_ENOMEM, "out of memory reading a trajectory");
		const char *names[5] = {"trajectory/step", "trajectory/t", "trajectory/loss", "trajectory/test_error",
					"trajectory/R"};
		for (int c = 0; c < 5 && !rc; c++) {
			hid_t ds = H5Dopen2(f, names[c], H5P_DEFAULT), fs = H5Dget_space(ds),
			      ms = H5Screate_simple(1, mdim, NULL);
			H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cslab, NULL);
			if (H5Dread(ds, c ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT,
				    c ? (void *)buf : (void *)sbuf) < 0)
				rc = RAISE(BW_EINVAL, "cannot read %s of row %zu in '%s' (corrupt file?)", names[c], row, path);
			for (int i = 0; i < cnt && !rc; i++) {
				if (c == 0) ck[i].step = (long)sbuf[i];
				else if (c == 1) ck[i].t = buf[i];
				else if (c == 2) ck[i].loss = buf[i];
				else if (c == 3) ck[i].test_error = buf[i];
				else ck[i].R = buf[i];
			}
			H5Sclose(ms);
			H5Sclose(fs);
			H5Dclose(ds);
		}
		free(buf);
		free(sbuf);
		if (!rc && w) {
			hid_t ds = H5Dopen2(f, "final/w", H5P_DEFAULT), fs = H5Dget_space(ds);
			hsize_t ws[1] = {(hsize_t)off}, wc[1] = {d};
			hid_t ms = H5Screate_simple(1, wc, NULL);
			H5Sselect_hyperslab(fs, H5S_SELECT_SET, ws, NULL, wc, NULL);
			if (H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, w) < 0)
				rc = RAISE(BW_EINVAL, "cannot read final/w of row %zu in '%s' (corrupt file?)", row, path);
			H5Sclose(ms);
			H5Sclose(fs);
			H5Dclose(ds);
		}
	}
	if (cds >= 0) H5Dclose(cds);
	if (ods >= 0) H5Dclose(ods);
	H5Fclose(f);
	return rc;
}

int bw_trajfile_read_row(const char *path, size_t row, struct bw_checkpoint *ck, int *count, double *w, size_t d)
{
	return read_row(path, row, NULL, NULL, 0, ck, count, w, d);
}

int bw_trajfile_read_task(const char *path, size_t row, const char *key, const struct bw_traj_identity *expect,
			  unsigned check, struct bw_checkpoint *ck, int *count, double *w, size_t d)
{
	CHECK(read_row(path, row, key, expect, check, ck, count, w, d));
	if (*count < 0) /* its key went in, its count (written last) did not: the catalog never points there */
		return RAISE(BW_EINVAL, "row %zu of trajectory file '%s' was never completed: the file is not the one "
				     "the catalog's run wrote", row, path);
	return BW_OK;
}
