/* test_output.c - the JSON the commands print (src/cli/output.c): run-one's
 * outcome object and a table as an array of rows (query, status, curve,
 * dt --format json), on hand-made values whose strings hold what JSON must
 * escape (quotes, backslashes, control characters) and bytes that are not
 * UTF-8 (each invalid sequence becomes U+FFFD, as json.h says); sgd reads no
 * sigma (null), and an outcome not projected is the last iterate's throughout.  The oracle
 * is the expected text written out by hand from RFC 8259 and output.h. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/instance.h"
#include "biasweep/output.h"
#include "biasweep/query.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* what print writes into a memory stream */
static char *capture(int (*print)(FILE *, const void *), const void *arg, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*rc = print(f, arg);
	fclose(f);
	return buf;
}

struct run_one {
	struct bw_instance inst;
	struct bw_run_params p;
	struct bw_outcome o;
};

static int print_outcome(FILE *f, const void *arg)
{
	const struct run_one *r = arg;
	return bw_outcome_print_json(f, &r->inst, &r->p, &r->o);
}

static int print_table(FILE *f, const void *arg) { return bw_table_print(f, arg, BW_FMT_JSON); }

static void test_outcome(void)
{
	struct bw_checkpoint traj[2] = {{0, 0, 1.5, 1, 2.5}, {10, 0.25, NAN, 0.5, INFINITY}};
	struct run_one r = {0};
	r.inst.spec = (struct bw_instance_spec){BW_DESIGN_GAUSSIAN, BW_WSTAR_SIGNS, 20, 8, 2, 7, 3};
	r.inst.d = 20;
	r.inst.n = 8;
	r.p.algo = BW_SGD;
	r.p.alpha = 0.5;
	r.p.sigma = 1;
	r.p.batch = 4;
	r.p.eps = 0.125;
	r.o = (struct bw_outcome){.status = BW_RUN_FAILED, .train_loss = 0.75, .test_error = NAN, .R = 3, .l1 = 2,
				  .support_recovered = 1, .success = 0, .steps = 10, .t = 0.25, .wall_s = 0,
				  .eta_used = 0.0625, .loss_rate = -0.5, .alpha_inf = INFINITY, .alpha_inf_pred = 0.375,
				  .int_loss_dt = 1, .ntraj = 2, .traj = traj};
	/* a quote, a backslash, LF, TAB, 0x01, DEL, valid UTF-8 (e acute), 0xFF, a truncated sequence at the end */
	strcpy(r.o.message, "say \"hi\"\\ \n\t\x01\x7f caf\xc3\xa9 \xff \xc3");
	static const char want[] =
		"{\"algorithm\":\"sgd\",\"design\":\"gaussian\",\"wstar\":\"signs\",\"d\":20,\"n\":8,\"kappa\":2,"
		"\"seed\":3,\"sweep_seed\":7,\"alpha\":0.5,\"eta\":0.0625,\"sigma\":null,\"batch\":4,\"schedule\":null,\"eps\":0.125,"
		"\"projected\":false,\"values_of\":{\"train_loss\":\"last_iterate\",\"test_error\":\"last_iterate\","
		"\"R\":\"last_iterate\",\"l1\":\"last_iterate\",\"support_recovered\":\"last_iterate\","
		"\"success\":\"last_iterate\",\"steps\":\"last_iterate\",\"t\":\"last_iterate\","
		"\"trajectory\":\"iterates\"},"
		"\"status\":\"failed\",\"train_loss\":0.75,\"test_error\":null,\"R\":3,\"l1\":2,"
		"\"support_recovered\":true,\"success\":false,\"steps\":10,\"t\":0.25,\"wall_s\":0,\"steps_per_s\":null,"
		"\"loss_rate\":-0.5,\"alpha_inf\":null,\"alpha_inf_pred\":0.375,\"int_loss_dt\":1,\"stop_checks\":0,"
		"\"message\":\"say \\\"hi\\\"\\\\ \\n\\t\\u0001\\u007f caf\xc3\xa9 \\ufffd \\ufffd\","
		"\"trajectory\":{\"step\":[0,10],\"t\":[0,0.25],\"loss\":[1.5,null],\"test_error\":[1,0.5],"
		"\"R\":[2.5,null]}}\n";
	int rc;
	char *got = capture(print_outcome, &r, &rc);
	TU_CHECK(rc == BW_OK, "outcome: status %d", rc);
	TU_CHECK(got && !strcmp(got, want), "outcome JSON\n got %s\nwant %s", got, want);
	free(got);

	/* an empty message, no trajectory, 17 significant digits */
	r.o.message[0] = 0;
	r.o.ntraj = 0;
	r.p.eps = 0.1;
	r.o.wall_s = 2;
	got = capture(print_outcome, &r, &rc);
	TU_CHECK(got && strstr(got, "\"eps\":0.10000000000000001,") && strstr(got, "\"steps_per_s\":5,") &&
			 strstr(got, "\"message\":\"\",\"trajectory\":{\"step\":[],\"t\":[],\"loss\":[],\"test_error\":[],"
				     "\"R\":[]}}\n"),
		 "outcome without message or trajectory: %s", got);
	free(got);
}

static void test_table(void)
{
	static const char *const names[] = {"name", "n", "x", "q\"uote"};
	struct bw_table t;
	size_t row;
	TU_CHECK(bw_table_init(&t, 4, names) == BW_OK, "table init");
	bw_table_add_row(&t, &row);
	bw_table_set_text(&t, row, 0, "gd");
	bw_table_set_int(&t, row, 1, -12);
	bw_table_set_real(&t, row, 2, 0.1);
	bw_table_set_text(&t, row, 3, "a\\b\r\n");
	bw_table_add_row(&t, &row);
	bw_table_set_text(&t, row, 0, "\x80lone \xe2\x82 cut \xf0\x9f\x99\x82 ok");
	bw_table_set_real(&t, row, 2, 1e20); /* n stays NULL; x integral but large */
	bw_table_set_real(&t, row, 3, NAN);  /* NULL */
	static const char want[] = "[\n"
				   "{\"name\":\"gd\",\"n\":-12,\"x\":0.1,\"q\\\"uote\":\"a\\\\b\\r\\n\"},\n"
				   "{\"name\":\"\\ufffdlone \\ufffd cut \xf0\x9f\x99\x82 ok\",\"n\":null,\"x\":1e+20,"
				   "\"q\\\"uote\":null}\n"
				   "]\n";
	int rc;
	char *got = capture(print_table, &t, &rc);
	TU_CHECK(rc == BW_OK, "table: status %d", rc);
	TU_CHECK(got && !strcmp(got, want), "table JSON\n got %s\nwant %s", got, want);
	free(got);
	bw_table_release(&t);

	TU_CHECK(bw_table_init(&t, 1, names) == BW_OK, "empty table init");
	got = capture(print_table, &t, &rc);
	TU_CHECK(rc == BW_OK && got && !strcmp(got, "[]\n"), "empty table: '%s'", got);
	free(got);
	bw_table_release(&t);
}

int main(void)
{
	test_outcome();
	test_table();
	return tu_summary("test_output");
}
