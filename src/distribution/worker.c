/* worker.c - executing one task (numerics only, thread-safe) and recording
 * it (trajectory row, result record), plus the worker ranks' loop. */
#include "worker.h"

#include "biasweep/error.h"
#include "protocol.h"

#include <stdio.h>
#include <string.h>

int bw_task_execute(const struct bw_task *t, const volatile int *cancel, struct bw_outcome *out)
{
	struct bw_instance inst;
	struct bw_run_params p = t->run;
	p.cancel = cancel;
	memset(out, 0, sizeof *out);
	int rc = bw_instance_init(&inst, &t->inst);
	if (rc == BW_OK) {
		rc = bw_run(&inst, &p, out);
		bw_instance_release(&inst);
	}
	if (rc == BW_EINTR)
		return rc;
	if (rc != BW_OK) {
		/* an error inside a task is that task's outcome, not the sweep's end */
		bw_outcome_release(out);
		out->status = BW_RUN_FAILED;
		out->train_loss = out->test_error = out->R = out->l1 = out->t = NAN;
		out->loss_rate = out->alpha_inf = out->alpha_inf_pred = out->int_loss_dt = NAN;
		snprintf(out->message, sizeof out->message, "%s", bw_error_message());
		bw_error_clear();
	}
	return BW_OK;
}

/* Trajectory rows and result records of k executed tasks (task t[i] in row rows[i]). */
static int record(struct bw_trajfile *tf, const char *trajname, int rank, size_t k, const int32_t *rows,
		  const struct bw_task *const *t, const struct bw_outcome *const *o, struct bw_result *res)
{
	for (size_t i = 0; i < k; i++) {
		bw_result_from_outcome(&res[i], t[i]->key, o[i]);
		res[i].rank = rank;
	}
	/* runs of contiguous rows that hold a trajectory: one write per table and run */
	for (size_t i = 0; i < k;) {
		if (o[i]->status == BW_RUN_FAILED && o[i]->ntraj == 0) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < k && rows[j] == rows[j - 1] + 1 && !(o[j]->status == BW_RUN_FAILED && o[j]->ntraj == 0))
			j++;
		CHECK(bw_trajfile_write_rows(tf, (size_t)rows[i], j - i, t + i, o + i));
		for (size_t q = i; q < j; q++) {
			res[q].traj_row = (int64_t)rows[q];
			snprintf(res[q].traj_file, sizeof res[q].traj_file, "%s", trajname);
		}
		i = j;
	}
	return BW_OK;
}

void bw_finished_report(struct bw_trajfile *tf, const char *trajname, int rank, struct bw_finished *f, size_t n,
			struct bw_msg *msg)
{
	for (; n > BW_PREFETCH_MAX; n -= BW_PREFETCH_MAX, f += BW_PREFETCH_MAX, msg += BW_PREFETCH_MAX)
		bw_finished_report(tf, trajname, rank, f, BW_PREFETCH_MAX, msg);
	const struct bw_task *t[BW_PREFETCH_MAX];
	const struct bw_outcome *o[BW_PREFETCH_MAX];
	int32_t rows[BW_PREFETCH_MAX];
	struct bw_result res[BW_PREFETCH_MAX];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].cancelled)
			continue;
		t[k] = &f[i].task;
		o[k] = &f[i].out;
		rows[k++] = f[i].row;
	}
	memset(res, 0, k * sizeof *res);
	int rc = record(tf, trajname, rank, k, rows, t, o, res);
	for (size_t i = 0, q = 0; i < n; i++) {
		memset(&msg[i], 0, sizeof msg[i]);
		msg[i].row = f[i].row;
		if (f[i].cancelled) {
			msg[i].kind = BW_MSG_CANCELLED;
			continue;
		}
		bw_outcome_release(&f[i].out);
		if (rc != BW_OK) {
			msg[i].kind = BW_MSG_ERROR;
			msg[i].code = rc;
			snprintf(msg[i].error, sizeof msg[i].error, "rank %d: %s", rank, bw_error_message());
		} else {
			msg[i].kind = BW_MSG_RESULT;
			msg[i].result = res[q++];
		}
	}
	if (rc != BW_OK)
		bw_error_clear();
}

/* A worker runs the tasks it is sent in order and reports them in batches:
 * while more tasks wait in its queue (the coordinator sends several ahead
 * when they are cheap) it keeps up to BW_WORKER_BATCH finished tasks, then
 * writes their trajectory rows and only then sends their results, so the
 * catalog never claims a row that is not in the file. */
static void flush(struct bw_trajfile *tf, const char *trajname, int rank, struct bw_finished *f, size_t n)
{
	static struct bw_msg msg[BW_WORKER_BATCH];
	bw_finished_report(tf, trajname, rank, f, n, msg);
	for (size_t i = 0; i < n; i++)
		MPI_Send(&msg[i], sizeof msg[i], MPI_BYTE, 0, BW_TAG_MSG, MPI_COMM_WORLD);
}

void bw_worker_loop(struct bw_trajfile *tf, const char *trajname, int rank, const volatile int *cancel)
{
	struct bw_msg msg;
	struct bw_task_msg tm;
	memset(&msg, 0, sizeof msg);
	msg.kind = BW_MSG_READY;
	MPI_Send(&msg, sizeof msg, MPI_BYTE, 0, BW_TAG_MSG, MPI_COMM_WORLD);
	static struct bw_finished f[BW_WORKER_BATCH];
	size_t n = 0;
	for (;;) {
		if (n > 0) {
			int queued = 0;
			if (n < BW_WORKER_BATCH)
				MPI_Iprobe(0, BW_TAG_TASK, MPI_COMM_WORLD, &queued, MPI_STATUS_IGNORE);
			if (!queued) { /* nothing more to run right now: report what is done */
				flush(tf, trajname, rank, f, n);
				n = 0;
				continue;
			}
		}
		MPI_Recv(&tm, sizeof tm, MPI_BYTE, 0, BW_TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (tm.row < 0)
			break;
		struct bw_finished *x = &f[n++];
		x->row = tm.row;
		x->task = tm.task;
		x->cancelled = bw_task_execute(&tm.task, cancel, &x->out) == BW_EINTR;
		if (x->cancelled)
			bw_error_clear();
	}
	if (n > 0) /* not reached: the stop comes only after every task's result */
		flush(tf, trajname, rank, f, n);
}
