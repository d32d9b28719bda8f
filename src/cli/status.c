/* status.c - `biasweep status`: per sweep and algorithm, how far it got. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"

#include <stdio.h>
#include <string.h>

static const char summary[] =
	"Print every sweep recorded in the catalog (id, name, state, start and end, ranks, shard) and, per\n"
	"algorithm of its planned tasks: planned, done (an outcome exists, from this or an earlier run of the\n"
	"same tasks), pending (planned without an outcome), diverged, failed, ran (outcomes this sweep row\n"
	"recorded) and wall_s (the summed wall seconds of the done tasks).";

static const char epilog[] =
	"The catalog is opened read-only.  csv and json print one row per (sweep, algorithm) with the sweep's\n"
	"fields repeated; table prints one block per sweep.\n"
	"exit status: 0 ok, 2 bad flags or not a catalog, 1 other errors.\n";

/* columns of bw_query_status */
enum { C_SWEEP, C_NAME, C_STATE, C_STARTED, C_ENDED, C_RANKS, C_SHARD, C_ALGO, C_PLANNED, C_DONE, C_PENDING,
       C_DIVERGED, C_FAILED, C_RAN, C_WALL, C_COUNT };

static const char *text_or(const struct bw_value *v, const char *dflt)
{
	return v->type == BW_VAL_TEXT && v->s ? v->s : dflt;
}

static int print_blocks(struct bw_table *t)
{
	static const char *const names[] = {"algorithm", "planned", "done", "pending", "diverged", "failed", "ran",
					    "wall_s"};
	const int src[] = {C_ALGO, C_PLANNED, C_DONE, C_PENDING, C_DIVERGED, C_FAILED, C_RAN, C_WALL};
	const size_t nc = sizeof names / sizeof names[0];
	int rc = BW_OK;
	if (!t->nrows) {
		printf("no sweeps in the catalog\n");
		return fflush(stdout) ? RAISE(BW_EIO, "writing the output failed") : BW_OK;
	}
	for (size_t r = 0; r < t->nrows && rc == BW_OK;) {
		int64_t id = bw_table_at(t, r, C_SWEEP)->i;
		const struct bw_value *ranks = bw_table_at(t, r, C_RANKS);
		printf("%ssweep %lld  %s  %s  started %s  ended %s  ranks %lld  shard %s\n", r ? "\n" : "", (long long)id,
		       text_or(bw_table_at(t, r, C_NAME), "?"), text_or(bw_table_at(t, r, C_STATE), "?"),
		       text_or(bw_table_at(t, r, C_STARTED), "-"), text_or(bw_table_at(t, r, C_ENDED), "-"),
		       ranks->type == BW_VAL_INT ? (long long)ranks->i : 0LL, text_or(bw_table_at(t, r, C_SHARD), "-"));
		struct bw_table sub;
		int64_t tot[6] = {0};
		double wall = 0;
		if ((rc = bw_table_init(&sub, nc, names)) != BW_OK)
			break;
		size_t row;
		for (; r < t->nrows && bw_table_at(t, r, C_SWEEP)->i == id; r++) {
			if (bw_table_at(t, r, C_ALGO)->type == BW_VAL_NULL)
				continue; /* a sweep without planned tasks */
			if ((rc = bw_table_add_row(&sub, &row)) != BW_OK)
				break;
			bw_table_set_text(&sub, row, 0, bw_table_at(t, r, C_ALGO)->s);
			for (size_t c = 1; c + 1 < nc; c++) {
				int64_t x = bw_table_at(t, r, src[c])->i;
				bw_table_set_int(&sub, row, c, x);
				tot[c - 1] += x;
			}
			const struct bw_value *w = bw_table_at(t, r, C_WALL);
			double ws = w->type == BW_VAL_REAL ? w->r : w->type == BW_VAL_INT ? (double)w->i : 0;
			bw_table_set_real(&sub, row, nc - 1, ws);
			wall += ws;
		}
		if (rc == BW_OK && sub.nrows > 1 && (rc = bw_table_add_row(&sub, &row)) == BW_OK) {
			bw_table_set_text(&sub, row, 0, "total");
			for (size_t c = 1; c + 1 < nc; c++)
				bw_table_set_int(&sub, row, c, tot[c - 1]);
			bw_table_set_real(&sub, row, nc - 1, wall);
		}
		if (rc == BW_OK) {
			if (sub.nrows)
				rc = bw_table_print(stdout, &sub, BW_FMT_TABLE);
			else
				printf("(no planned tasks)\n");
		}
		bw_table_release(&sub);
	}
	if (rc == BW_OK && fflush(stdout))
		rc = RAISE(BW_EIO, "writing the output failed");
	return rc;
}

int cmd_status(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite";
	int fmt = BW_FMT_TABLE;
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT_FORMAT(&fmt),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "status", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	struct bw_query *q;
	CHECK(bw_query_open(catalog, &q));
	struct bw_table t;
	rc = bw_query_status(q, &t);
	bw_query_close(q);
	CHECK(rc);
	rc = fmt == BW_FMT_TABLE ? print_blocks(&t) : bw_table_print(stdout, &t, fmt);
	bw_table_release(&t);
	return rc;
}
