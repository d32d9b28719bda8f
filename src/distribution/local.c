/* local.c - rank 0's compute thread: numerics only (no MPI, no HDF5), fed
 * by the coordinator through a small ring of tasks (coord.h). */
#include "coord.h"

#include "biasweep/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

enum { PREFETCH_MAX = BW_PREFETCH_MAX };

struct bw_local {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* to the thread: a task, or quit */
	pthread_cond_t done_cv; /* to the coordinator: a task finished */
	const volatile int *cancel;
	struct bw_finished in[PREFETCH_MAX]; /* ring of tasks to run */
	size_t in_head, in_n;
	struct bw_finished out[PREFETCH_MAX]; /* finished, in order */
	size_t out_n;
	int quit;
};

static void *local_main(void *arg)
{
	struct bw_local *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->in_n && !l->quit)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->quit)
			break;
		struct bw_finished x = l->in[l->in_head];
		l->in_head = (l->in_head + 1) % PREFETCH_MAX;
		l->in_n--;
		pthread_mutex_unlock(&l->mu);
		x.cancelled = bw_task_execute(&x.task, l->cancel, &x.out) == BW_EINTR;
		if (x.cancelled)
			bw_error_clear(); /* this thread's error state */
		pthread_mutex_lock(&l->mu);
		l->out[l->out_n++] = x;
		pthread_cond_signal(&l->done_cv);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void local_destroy(struct bw_local *l)
{
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	pthread_cond_destroy(&l->done_cv);
	free(l);
}

struct bw_local *bw_local_start(const volatile int *cancel)
{
	struct bw_local *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->cancel = cancel;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_cond_init(&l->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&l->thread, NULL, local_main, l) != 0) {
		local_destroy(l);
		return NULL;
	}
	return l;
}

void bw_local_give(struct bw_local *l, int32_t row, const struct bw_task *t)
{
	pthread_mutex_lock(&l->mu);
	struct bw_finished *x = &l->in[(l->in_head + l->in_n) % PREFETCH_MAX];
	x->row = row;
	x->task = *t;
	l->in_n++;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

size_t bw_local_take(struct bw_local *l, struct bw_finished *got)
{
	pthread_mutex_lock(&l->mu);
	size_t n = l->out_n;
	for (size_t i = 0; i < n; i++)
		got[i] = l->out[i];
	l->out_n = 0;
	pthread_mutex_unlock(&l->mu);
	return n;
}

void bw_local_wait(struct bw_local *l, const struct timespec *ts)
{
	pthread_mutex_lock(&l->mu);
	if (!l->out_n)
		pthread_cond_timedwait(&l->done_cv, &l->mu, ts);
	pthread_mutex_unlock(&l->mu);
}

void bw_local_stop(struct bw_local *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->quit = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	local_destroy(l);
}
