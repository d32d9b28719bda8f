/* test_error.c - the error path (src/util/error.c) against its contract in
 * include/biasweep/error.h:
 *  - RAISE returns its code and records the code, the formatted message and
 *    "file:line" of the RAISE (the line taken from __LINE__ here);
 *  - CHECK returns a failing status from the enclosing function at once,
 *    through several levels, evaluates its argument once, and goes on after BW_OK;
 *  - bw_error_context prefixes "context: " and keeps the first code and origin;
 *  - messages and origins too long for the record are truncated, terminated,
 *    and keep their beginning; bw_error_clear empties the record;
 *  - bw_error_exit_code: bad input 2, interrupted 3, OK 0, every other code 1;
 *  - the record is per thread;
 *  - the GSL handler records a GSL error as BW_ENUMERIC "gsl: REASON (gsl_strerror)"
 *    with GSL's file:line, instead of aborting. */
#include "biasweep/error.h"
#include "testutil.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* s ends with "FILE:LINE" where FILE's name is `base` (meson passes a path). */
static int origin_is(const char *origin, const char *base, int line)
{
	char want[64];
	snprintf(want, sizeof want, "%s:%d", base, line);
	size_t lo = strlen(origin), lw = strlen(want);
	return lo >= lw && !strcmp(origin + lo - lw, want) && (lo == lw || origin[lo - lw - 1] == '/');
}

static int raise_line;
static int level3(int code)
{
	raise_line = __LINE__ + 1;
	return RAISE(code, "level %d failed: %s", 3, "disk full");
}
static int after2, after1;
static int level2(int code)
{
	CHECK(level3(code));
	after2++;
	return BW_OK;
}
static int level1(int code)
{
	CHECK(level2(code));
	after1++;
	return BW_OK;
}
static int evaluations;
static int counted(int rc)
{
	evaluations++;
	return rc;
}
static int check_once(int rc)
{
	CHECK(counted(rc));
	return 42;
}

static void test_raise_check(void)
{
	bw_error_clear();
	TU_CHECK(bw_error_code() == BW_OK && !strcmp(bw_error_message(), "") && !strcmp(bw_error_origin(), ""),
		 "a clear record: code 0, empty message and origin");
	int line = __LINE__ + 1;
	int rc = RAISE(BW_EINVAL, "'%s' must be > %d, got %.3g", "eta", 0, -0.5);
	TU_CHECK(rc == BW_EINVAL, "RAISE returns its code (got %d)", rc);
	TU_CHECK(bw_error_code() == BW_EINVAL, "the code is recorded");
	TU_CHECK(!strcmp(bw_error_message(), "'eta' must be > 0, got -0.5"), "the message is formatted: '%s'",
		 bw_error_message());
	TU_CHECK(origin_is(bw_error_origin(), "test_error.c", line), "origin '%s' is test_error.c:%d", bw_error_origin(),
		 line);
	/* a second RAISE replaces the record */
	rc = RAISE(BW_EIO, "%s", "100% done");
	TU_CHECK(rc == BW_EIO && bw_error_code() == BW_EIO && !strcmp(bw_error_message(), "100% done"),
		 "a second RAISE replaces code and message ('%s')", bw_error_message());

	/* CHECK through two levels: the code comes back, nothing after the failing call runs */
	bw_error_clear();
	after1 = after2 = 0;
	rc = level1(BW_ESTORE);
	TU_CHECK(rc == BW_ESTORE, "CHECK propagates BW_ESTORE through two levels (got %d)", rc);
	TU_CHECK(after1 == 0 && after2 == 0, "CHECK returns at once: %d, %d statements ran after the failure", after1,
		 after2);
	TU_CHECK(!strcmp(bw_error_message(), "level 3 failed: disk full") &&
			 origin_is(bw_error_origin(), "test_error.c", raise_line),
		 "the record names the innermost RAISE: '%s' at %s", bw_error_message(), bw_error_origin());
	/* a code that is not an enum value still propagates, unchanged */
	TU_CHECK(level1(77) == 77, "CHECK propagates any non-zero status");
	/* BW_OK goes on */
	bw_error_clear();
	after1 = after2 = 0;
	TU_CHECK(level1(BW_OK) == BW_OK && after1 == 1 && after2 == 1, "CHECK(BW_OK) goes on (%d, %d)", after1, after2);
	evaluations = 0;
	TU_CHECK(check_once(BW_OK) == 42 && evaluations == 1, "CHECK evaluates a passing call once (%d)", evaluations);
	evaluations = 0;
	TU_CHECK(check_once(BW_ENOMEM) == BW_ENOMEM && evaluations == 1, "CHECK evaluates a failing call once (%d)",
		 evaluations);
}

static void test_context(void)
{
	bw_error_clear();
	int line = __LINE__ + 1;
	RAISE(BW_EINVAL, "unknown column 'dd'");
	int rc = bw_error_context(BW_EINVAL, "--where %s", "dd=3");
	TU_CHECK(rc == BW_EINVAL, "bw_error_context returns its code");
	TU_CHECK(!strcmp(bw_error_message(), "--where dd=3: unknown column 'dd'"), "context prefix: '%s'",
		 bw_error_message());
	rc = bw_error_context(BW_EIO, "query");
	TU_CHECK(!strcmp(bw_error_message(), "query: --where dd=3: unknown column 'dd'"), "contexts nest: '%s'",
		 bw_error_message());
	TU_CHECK(rc == BW_EIO && bw_error_code() == BW_EINVAL, "the recorded code stays the first one (%d)",
		 bw_error_code());
	TU_CHECK(origin_is(bw_error_origin(), "test_error.c", line), "the origin stays the RAISE's: %s",
		 bw_error_origin());
	/* on a clear record the context sets the code */
	bw_error_clear();
	bw_error_context(BW_EMPI, "rank %d", 3);
	TU_CHECK(bw_error_code() == BW_EMPI, "context on a clear record sets the code (%d)", bw_error_code());
	TU_CHECK(!strncmp(bw_error_message(), "rank 3", 6), "context on a clear record: '%s'", bw_error_message());
}

static void test_truncation(void)
{
	/* the record holds 1023 bytes of message and 127 of origin */
	static char big[5000];
	memset(big, 'm', sizeof big - 1);
	big[0] = '<';
	big[sizeof big - 1] = 0;
	bw_error_clear();
	int rc = RAISE(BW_EINTERNAL, "%s", big);
	const char *m = bw_error_message();
	TU_CHECK(rc == BW_EINTERNAL && bw_error_code() == BW_EINTERNAL, "a long message keeps its code");
	TU_CHECK(strlen(m) == 1023 && !strncmp(m, big, 1023), "a 4999-byte message keeps its first 1023 bytes (%zu)",
		 strlen(m));
	static char file[300];
	memset(file, 'f', sizeof file - 1);
	file[sizeof file - 1] = 0;
	bw_error_raise(BW_EIO, file, 12345, "x");
	const char *o = bw_error_origin();
	TU_CHECK(strlen(o) == 127 && !strncmp(o, file, 127), "a 299-byte file name: the origin keeps 127 bytes (%zu)",
		 strlen(o));
	TU_CHECK(!strcmp(bw_error_message(), "x"), "the message after a long origin: '%s'", bw_error_message());
	/* the context keeps the beginning of both parts: 500 bytes each */
	static char head[800];
	memset(head, 'h', sizeof head - 1);
	head[sizeof head - 1] = 0;
	RAISE(BW_EIO, "%s", big);
	bw_error_context(BW_EIO, "%s", head);
	m = bw_error_message();
	int ok = strlen(m) == 1002 && !strncmp(m, head, 500) && !strncmp(m + 500, ": ", 2) && !strncmp(m + 502, big, 500);
	TU_CHECK(ok, "context of 799 bytes on a full message: 500 + ': ' + 500 bytes (got %zu)", strlen(m));
	/* clear empties everything */
	bw_error_clear();
	TU_CHECK(bw_error_code() == 0 && bw_error_message()[0] == 0 && bw_error_origin()[0] == 0,
		 "bw_error_clear empties the record");
}

static void test_exit_codes(void)
{
	TU_CHECK(bw_error_exit_code(BW_OK) == 0, "BW_OK exits 0");
	TU_CHECK(bw_error_exit_code(BW_EINVAL) == 2, "bad input exits 2");
	TU_CHECK(bw_error_exit_code(BW_EINTR) == 3, "interrupted exits 3");
	const int others[] = {BW_ENOMEM, BW_EIO, BW_ENUMERIC, BW_ESTORE, BW_EMPI, BW_EINTERNAL, 99, -1};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		TU_CHECK(bw_error_exit_code(others[i]) == 1, "code %d exits 1 (got %d)", others[i],
			 bw_error_exit_code(others[i]));
}

struct thread_view {
	int code_at_start;
	char msg_at_start[64];
	int code_after;
	char msg_after[64];
};

static void *other_thread(void *arg)
{
	struct thread_view *v = arg;
	v->code_at_start = bw_error_code();
	snprintf(v->msg_at_start, sizeof v->msg_at_start, "%s", bw_error_message());
	RAISE(BW_EMPI, "in the thread");
	v->code_after = bw_error_code();
	snprintf(v->msg_after, sizeof v->msg_after, "%s", bw_error_message());
	return NULL;
}

static void test_threads(void)
{
	bw_error_clear();
	RAISE(BW_ESTORE, "in main");
	struct thread_view v = {0};
	pthread_t t;
	int rc = pthread_create(&t, NULL, other_thread, &v);
	TU_CHECK(rc == 0, "pthread_create");
	if (rc)
		return;
	pthread_join(t, NULL);
	TU_CHECK(v.code_at_start == 0 && v.msg_at_start[0] == 0, "a new thread starts with a clear record (%d, '%s')",
		 v.code_at_start, v.msg_at_start);
	TU_CHECK(v.code_after == BW_EMPI && !strcmp(v.msg_after, "in the thread"), "the thread sees its own RAISE");
	TU_CHECK(bw_error_code() == BW_ESTORE && !strcmp(bw_error_message(), "in main"),
		 "main's record is untouched by the thread's RAISE ('%s')", bw_error_message());
}

static void test_gsl_handler(void)
{
	bw_error_install_gsl_handler();
	bw_error_clear();
	/* the handler itself, called as GSL calls it */
	gsl_error_handler_t *h = gsl_set_error_handler(NULL);
	gsl_set_error_handler(h);
	TU_CHECK(h != NULL, "a handler is installed");
	if (h) {
		h("matrix is singular", "lu.c", 321, GSL_ESING);
		char want[128];
		snprintf(want, sizeof want, "gsl: matrix is singular (%s)", gsl_strerror(GSL_ESING));
		TU_CHECK(bw_error_code() == BW_ENUMERIC && !strcmp(bw_error_message(), want),
			 "the handler records BW_ENUMERIC '%s' (got %d '%s')", want, bw_error_code(), bw_error_message());
		TU_CHECK(!strcmp(bw_error_origin(), "lu.c:321"), "the origin is GSL's file:line (%s)", bw_error_origin());
	}
	/* a real GSL failure: Cholesky of a matrix that is not positive definite returns, not aborts */
	bw_error_clear();
	gsl_matrix *a = gsl_matrix_alloc(2, 2);
	TU_CHECK(a != NULL, "matrix");
	if (!a)
		return;
	gsl_matrix_set(a, 0, 0, 1);
	gsl_matrix_set(a, 0, 1, 2);
	gsl_matrix_set(a, 1, 0, 2);
	gsl_matrix_set(a, 1, 1, 1); /* eigenvalues 3 and -1 */
	int rc = gsl_linalg_cholesky_decomp1(a);
	char tail[64];
	snprintf(tail, sizeof tail, "(%s)", gsl_strerror(GSL_EDOM));
	const char *m = bw_error_message();
	size_t lm = strlen(m), lt = strlen(tail);
	TU_CHECK(rc == GSL_EDOM, "cholesky of an indefinite matrix returns GSL_EDOM (got %d)", rc);
	TU_CHECK(bw_error_code() == BW_ENUMERIC && !strncmp(m, "gsl: ", 5) && lm > lt && !strcmp(m + lm - lt, tail),
		 "recorded as BW_ENUMERIC 'gsl: ... %s': '%s'", tail, m);
	TU_CHECK(strstr(bw_error_origin(), ".c:") != NULL, "with GSL's file:line: %s", bw_error_origin());
	gsl_matrix_free(a);
	bw_error_clear();
}

int main(void)
{
	test_raise_check();
	test_context();
	test_truncation();
	test_exit_codes();
	test_threads();
	test_gsl_handler();
	return tu_summary("test_error");
}
