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

int bw_task_record(struct bw_trajfile *tf, const char *trajname, size_t row, const struct bw_task *t,
		   const struct bw_outcome *out, int rank, struct bw_result *res)
{
	bw_result_from_outcome(res, t->key, out);
	res->rank = rank;
	if (out->status != BW_RUN_FAILED || out->ntraj > 0) {
		CHECK(bw_trajfile_write_row(tf, row, t, out));
		res->traj_row = (int64_t)row;
		snprintf(res->traj_file, sizeof res->traj_file, "%s", trajname);
	}
	return BW_OK;
}

void bw_worker_loop(struct bw_trajfile *tf, const char *trajname, int rank, const volatile int *cancel)
{
	struct bw_msg msg;
	struct bw_task_msg tm;
	memset(&msg, 0, sizeof msg);
	msg.kind = BW_MSG_READY;
	MPI_Send(&msg, sizeof msg, MPI_BYTE, 0, BW_TAG_MSG, MPI_COMM_WORLD);
	for (;;) {
		MPI_Recv(&tm, sizeof tm, MPI_BYTE, 0, BW_TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (tm.row < 0)
			break;
		struct bw_outcome out;
		memset(&msg, 0, sizeof msg);
		msg.row = tm.row;
		int rc = bw_task_execute(&tm.task, cancel, &out);
		if (rc == BW_EINTR) {
			msg.kind = BW_MSG_CANCELLED;
			bw_error_clear();
		} else {
			rc = bw_task_record(tf, trajname, (size_t)tm.row, &tm.task, &out, rank, &msg.result);
			bw_outcome_release(&out);
			if (rc == BW_OK) {
				msg.kind = BW_MSG_RESULT;
			} else {
				msg.kind = BW_MSG_ERROR;
				msg.code = rc;
				snprintf(msg.error, sizeof msg.error, "rank %d: %s", rank, bw_error_message());
				bw_error_clear();
			}
		}
		MPI_Send(&msg, sizeof msg, MPI_BYTE, 0, BW_TAG_MSG, MPI_COMM_WORLD);
	}
}
