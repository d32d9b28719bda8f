/* trajfile.h - the trajectories of one sweep run in one parallel HDF5 file,
 * written through MPI-IO (all HDF5 of the sweep lives in trajfile.c).
 *
 * Layout, for R rows (one per task of the run, in the run's order) and
 * C checkpoint slots (BW_TRAJ_MAXCK, or the most bw_task_checkpoint_slots of
 * the run's tasks when that is more, up to BW_TRAJ_SLOTS_MAX):
 *   /task_key      R strings (16 hex digits, the catalog's key)
 *   /params/{algorithm,design} R strings; /params/{d,n,kappa,seed,batch} R int64;
 *   /params/{alpha,eta,sigma}  R doubles (eta 0 = auto), written with the row
 *   /trajectory/{step (int64), t, loss, test_error, R}   R x C, NaN/-1 padded
 *   /trajectory/count            R int32: checkpoints stored, -1 = row not written
 *   /final/w       sum of d over rows, doubles; /final/w_offset R int64
 * Root attributes: sweep, spec_hash, revision, units, and the identity of
 * the catalog run that made the file (struct bw_traj_identity): catalog_id,
 * sweep_id, started_at; files made before these existed lack them.  Every
 * dataset is
 * contiguous and allocated at creation, so after bw_trajfile_create (and its
 * flush) no metadata changes: rows are written independently by whichever
 * rank ran the task, straight through MPI-IO (no HDF5 raw-data cache), and a
 * row whose write returned is in the file even if the job is killed later.
 *
 * Where the files live (the one rule, bw_trajfile_name and bw_trajfile_path):
 * outcomes.traj_file names the file relative to the catalog's directory (or
 * absolutely); a run's file is "<catalog stem>-<sweep>-<run>.h5" there
 * ("-shard<i>" before ".h5" for a shard), created exclusively: a file of that
 * name is never truncated, the next free "<...>.<k>.h5" is taken instead.
 *
 * create and close are collective over the communicator; write_row is
 * independent.  The communicator comes from the distribution layer as an
 * opaque MPI_Comm; trajfile.c makes no MPI calls of its own.
 */
#ifndef BIASWEEP_TRAJFILE_H
#define BIASWEEP_TRAJFILE_H

#include "biasweep/dynamics.h"
#include "biasweep/spec.h"

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define BW_TRAJ_MAXCK 200        /* checkpoint slots per row at the default 10 per decade */
#define BW_TRAJ_SLOTS_MAX 17002  /* the most a file has (bw_task_checkpoint_slots at 1000 per decade):
				  * readers' buffers (bw_trajfile_read_row, bw_query_trajectory) */

struct bw_trajfile;

/* Which catalog run a trajectory file belongs to (its root attributes).
 * catalog_id: the catalog's meta catalog_id (random, made with the catalog;
 * a copy of the catalog shares it); sweep_id: the run's id there;
 * started_at: the run's sweeps.started_at (a copy's later runs differ). */
struct bw_traj_identity {
	char catalog_id[17];
	int64_t sweep_id;
	char started_at[32];
};

/* The directory part of CATALOG's path joined with TRAJ_FILE (an
 * outcomes.traj_file; an absolute one is taken as it is).  BW_EINVAL when it
 * does not fit in len. */
int bw_trajfile_path(const char *catalog, const char *traj_file, char *buf, size_t len);
/* The file name (relative to CATALOG's directory) of run RUN of sweep SWEEP,
 * for the given shard (-1: not a shard) and attempt (1 = the plain name, k > 1
 * the k-th alternative), catalog stem cut to fit a file name.  BW_EINVAL when
 * even so it does not fit in len or in a file name. */
int bw_trajfile_name(const char *catalog, const char *sweep, int64_t run, int shard, int attempt, char *buf,
		     size_t len);

/* row_d[i] = the dimension d of the task that row i will hold (rows are
 * assigned up front; a row that is never written keeps count -1 and an
 * empty key).  PATH must be the file bw_trajfile_reserve made.  rank is this
 * process's rank in comm (rank 0 writes the file-wide datasets), passed in by
 * the distribution layer. */
int bw_trajfile_create(const char *path, MPI_Comm comm, int rank, const size_t *row_d, size_t nrows, size_t slots,
		       const char *sweep, const char *spec_hash_hex, const char *revision, const struct bw_traj_identity *id,
		       struct bw_trajfile **out);
/* Serial, before bw_trajfile_create: picks the run's file (the first free
 * bw_trajfile_name, created with O_EXCL: an existing file is never touched)
 * and makes it at the whole size the file will take (posix_fallocate;
 * H5Fcreate truncates it again), so that a disk without room (or a file-size
 * limit) is a clean BW_EIO here, with the file removed.  HDF5 1.10 cannot
 * close a parallel file whose extension failed (H5Fclose fails and
 * MPI_Finalize then crashes inside HDF5).  name gets the file's name relative
 * to the catalog's directory (for outcomes.traj_file), path its path. */
int bw_trajfile_reserve(const char *catalog, const char *sweep, int64_t run, int shard, const size_t *row_d,
			size_t nrows, size_t slots, char *name, size_t namelen, char *path, size_t pathlen);
/* Writes the task's parameters, checkpoints and final w into its row. */
int bw_trajfile_write_row(struct bw_trajfile *tf, size_t row, const struct bw_task *t, const struct bw_outcome *o);
/* The same for k contiguous rows row0 .. row0+k-1 (task t[i] in row row0+i):
 * one write per table instead of one per table and row. */
int bw_trajfile_write_rows(struct bw_trajfile *tf, size_t row0, size_t k, const struct bw_task *const *t,
			   const struct bw_outcome *const *o);
int bw_trajfile_close(struct bw_trajfile *tf);

/* slots: the checkpoints a row holds (BW_TRAJ_MAXCK when less; a row with
 * more keeps an even subsample, first and last included). */
/* Serial read-back of one row (for tests and plots): the count of
 * checkpoints and the final w (caller buffers of BW_TRAJ_SLOTS_MAX and d).
 * BW_EIO when the file cannot be opened; BW_EINVAL when it is not a
 * trajectory file, is truncated or corrupt, or has no such row (a stored
 * count outside [-1, the file's slots] is corrupt: it never overruns ck). */
int bw_trajfile_read_row(const char *path, size_t row, struct bw_checkpoint *ck, int *count, double *w,
			 size_t d);
/* What bw_trajfile_read_task compares with the file's identity attributes. */
enum { BW_TRAJ_CHECK_CATALOG = 1, BW_TRAJ_CHECK_SWEEP = 2, BW_TRAJ_CHECK_STARTED = 4 };
/* The same for the catalog's task KEY (16 hex digits) that the catalog says
 * is in row ROW, refusing a file that does not belong (BW_EINVAL, naming the
 * file): a row that holds another task or was never written, or an identity
 * attribute named in CHECK that differs from *expect.  A file without
 * identity attributes (made before them) is checked by its rows' keys. */
int bw_trajfile_read_task(const char *path, size_t row, const char *key, const struct bw_traj_identity *expect,
			  unsigned check, struct bw_checkpoint *ck, int *count, double *w, size_t d);

#endif
