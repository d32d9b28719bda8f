/* protocol.h - the coordinator/worker messages (one tag each, fixed structs,
 * sent as bytes between identical binaries). */
#ifndef BIASWEEP_PROTOCOL_H
#define BIASWEEP_PROTOCOL_H

#include "biasweep/result.h"
#include "biasweep/spec.h"

#include <stdint.h>

enum bw_tag {
	BW_TAG_TASK = 11, /* coordinator -> worker: struct bw_task_msg, row -1 = stop */
	BW_TAG_MSG = 12,  /* worker -> coordinator: struct bw_msg */
};

enum bw_msg_kind {
	BW_MSG_READY = 1,     /* worker wants its first task */
	BW_MSG_RESULT = 2,    /* task finished, row written, result attached */
	BW_MSG_CANCELLED = 3, /* task dropped after a signal */
	BW_MSG_ERROR = 4,     /* fatal error (trajectory write failed, ...): text attached */
};

struct bw_task_msg {
	int32_t row;          /* the task's row in the run's trajectory file; -1 = stop */
	int32_t pad;
	struct bw_task task;  /* sent by value: search probes exist only at run time */
};

struct bw_msg {
	int32_t kind;
	int32_t row;
	int32_t code;         /* bw_code for ERROR */
	int32_t pad;
	struct bw_result result;
	char error[512];
};

#endif
