/* trajfile.h - the trajectories of one sweep run in one parallel HDF5 file,
 * written through MPI-IO (all HDF5 of the sweep lives in trajfile.c).
 *
 * Layout, for R rows (one per task of the run, in the run's order) and
 * C = BW_TRAJ_MAXCK checkpoint slots:
 *   /task_key      R strings (16 hex digits, the catalog's key)
 *   /params/{algorithm,design} R strings; /params/{d,n,kappa,seed,batch} R int64;
 *   /params/{alpha,eta,sigma}  R doubles (eta 0 = auto), written with the row
 *   /trajectory/{step (int64), t, loss, test_error, R}   R x C, NaN/-1 padded
 *   /trajectory/count            R int32: checkpoints stored, -1 = row not written
 *   /final/w       sum of d over rows, doubles; /final/w_offset R int64
 * Root attributes: sweep, spec_hash, revision, units.  Every dataset is
 * contiguous and allocated at creation, so after bw_trajfile_create (and its
 * flush) no metadata changes: rows are written independently by whichever
 * rank ran the task, straight through MPI-IO (no HDF5 raw-data cache), and a
 * row whose write returned is in the file even if the job is killed later.
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

#define BW_TRAJ_MAXCK 200

struct bw_trajfile;

/* row_d[i] = the dimension d of the task that row i will hold (rows are
 * assigned up front; a row that is never written keeps count -1 and an
 * empty key). */
int bw_trajfile_create(const char *path, MPI_Comm comm, const size_t *row_d, size_t nrows, const char *sweep,
		       const char *spec_hash_hex, const char *revision, struct bw_trajfile **out);
/* Serial, before bw_trajfile_create: makes PATH at the whole size the file
 * will take (posix_fallocate; H5Fcreate truncates it again), so that a disk
 * without room (or a file-size limit) is a clean BW_EIO here, with PATH
 * removed.  HDF5 1.10 cannot close a parallel file whose extension failed
 * (H5Fclose fails and MPI_Finalize then crashes inside HDF5). */
int bw_trajfile_reserve(const char *path, const size_t *row_d, size_t nrows);
/* Writes the task's parameters, checkpoints and final w into its row. */
int bw_trajfile_write_row(struct bw_trajfile *tf, size_t row, const struct bw_task *t, const struct bw_outcome *o);
/* The same for k contiguous rows row0 .. row0+k-1 (task t[i] in row row0+i):
 * one write per table instead of one per table and row. */
int bw_trajfile_write_rows(struct bw_trajfile *tf, size_t row0, size_t k, const struct bw_task *const *t,
			   const struct bw_outcome *const *o);
int bw_trajfile_close(struct bw_trajfile *tf);

/* Serial read-back of one row (for tests and plots): the count of
 * checkpoints and the final w (caller buffers of BW_TRAJ_MAXCK and d).
 * BW_EIO when the file cannot be opened; BW_EINVAL when it is not a
 * trajectory file, is truncated or corrupt, or has no such row (a stored
 * count outside [-1, BW_TRAJ_MAXCK] is corrupt: it never overruns ck). */
int bw_trajfile_read_row(const char *path, size_t row, struct bw_checkpoint *ck, int *count, double *w,
			 size_t d);

#endif
