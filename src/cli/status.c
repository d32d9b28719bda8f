/* status.c - `biasweep status`: per sweep and algorithm, how far it got. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"
#include "biasweep/scheduler.h"
#include "biasweep/spec.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"First, per spec the catalog's sweeps ran (and per shard of it when only some shards are here):\n"
	"complete or not, its outcomes, its static tasks done k of N, its n-searches resolved k of N (each\n"
	"replayed from the catalog's outcomes as a rerun would) and what is pending, per algorithm.  Then\n"
	"every sweep run recorded in the catalog (id, name, state, start and end, ranks, shard) and, per\n"
	"algorithm of its planned tasks: planned, done (an outcome exists, from this or an earlier run of the\n"
	"same tasks), pending (planned without an outcome), diverged, failed, ran (outcomes this sweep row\n"
	"recorded) and wall_s (the summed wall seconds of the done tasks).";

static const char epilog[] =
	"The catalog is opened read-only.  csv and json print one row per (sweep, algorithm) with the sweep's\n"
	"fields repeated; table prints the specs, then one block per sweep run.  A run's line ends with\n"
	"'no-op' when it ran nothing (everything was in the catalog) and, for an interrupted or failed run,\n"
	"'superseded: the spec is complete' once a later run finished the work.\n"
	"SHARD...  catalogs of a Slurm array's elements (or --shards DIR: its shard-*.sqlite): one line per\n"
	"          element (complete, incomplete, missing or unreadable) and the slurm/submit command that\n"
	"          resubmits the unfinished ones.\n"
	"exit status: 0 ok, 2 bad flags or not a catalog, 1 other errors.\n";

/* columns of bw_query_status */
enum { C_SWEEP, C_NAME, C_STATE, C_STARTED, C_ENDED, C_RANKS, C_SHARD, C_ALGO, C_PLANNED, C_DONE, C_PENDING,
       C_DIVERGED, C_FAILED, C_RAN, C_WALL, C_HASH, C_COUNT };

static const char *text_or(const struct bw_value *v, const char *dflt)
{
	return v->type == BW_VAL_TEXT && v->s ? v->s : dflt;
}

/* "I/N" into *index, *count (0/1 for NULL or anything else). */
static void parse_shard(const struct bw_value *v, int *index, int *count)
{
	*index = 0;
	*count = 1;
	if (v->type == BW_VAL_TEXT && v->s && sscanf(v->s, "%d/%d", index, count) != 2) {
		*index = 0;
		*count = 1;
	}
}

/* One spec of the catalog (a spec_hash) and the share of it to count. */
struct spec_row {
	const char *hash, *name, *path, *text;
	int index, count;   /* count 1: the whole spec */
	int loaded;         /* its text loads with this biasweep */
	char why[256];      /* why not */
	struct bw_spec_state st;
};

static size_t pending_of(const struct bw_spec_state *st, int a)
{
	return st->tasks[a] - st->tasks_done[a] + st->searches[a] - st->searches_done[a];
}

static int complete(const struct bw_spec_state *st) { return pending_of(st, BW_ALGO_COUNT) == 0; }

/* The specs of t (bw_query_specs): one entry per spec_hash when a run covered
 * the whole spec or every shard of it is here, else one per shard present. */
static int specs_state(struct bw_table *t, const uint64_t *done, const int8_t *ok, size_t ndone, struct spec_row **out,
		       size_t *n)
{
	struct spec_row *r = calloc(t->nrows ? t->nrows : 1, sizeof *r);
	if (!r)
		return RAISE(BW_ENOMEM, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *hash = text_or(bw_table_at(t, i, 0), "");
		int index, count, dup = 0;
		parse_shard(bw_table_at(t, i, 4), &index, &count);
		/* the whole spec when a whole run or every shard of it is here */
		int shards = 0, whole = 0;
		for (size_t j = 0; j < t->nrows; j++) {
			if (strcmp(text_or(bw_table_at(t, j, 0), ""), hash))
				continue;
			int ij, cj;
			parse_shard(bw_table_at(t, j, 4), &ij, &cj);
			whole |= cj <= 1;
			shards += cj == count && cj > 1;
		}
		if (whole || shards == count) {
			index = 0;
			count = 1;
		}
		for (size_t j = 0; j < k; j++)
			dup |= !strcmp(r[j].hash, hash) && r[j].index == index && r[j].count == count;
		if (dup)
			continue;
		struct spec_row *e = &r[k++];
		e->hash = hash;
		e->name = text_or(bw_table_at(t, i, 1), "?");
		e->path = text_or(bw_table_at(t, i, 2), e->name);
		e->text = text_or(bw_table_at(t, i, 3), NULL);
		e->index = index;
		e->count = count;
		struct bw_spec spec;
		if (!e->text) {
			snprintf(e->why, sizeof e->why, "the catalog has no text of it");
			continue;
		}
		if (bw_spec_load_string(e->path, e->text, &spec) != BW_OK) {
			snprintf(e->why, sizeof e->why, "its text does not load: %s", bw_error_message());
			continue;
		}
		int rc = bw_spec_state(&spec, index, count, done, ok, ndone, &e->st);
		bw_spec_release(&spec);
		if (rc != BW_OK) {
			free(r);
			return rc;
		}
		e->loaded = 1;
	}
	*out = r;
	*n = k;
	return BW_OK;
}

static int print_specs(const struct spec_row *r, size_t n)
{
	static const char *const names[] = {"algorithm", "tasks", "done", "searches", "resolved", "probes", "pending"};
	int rc = BW_OK;
	for (size_t i = 0; i < n && rc == BW_OK; i++) {
		const struct spec_row *e = &r[i];
		char shard[48] = "";
		if (e->count > 1)
			snprintf(shard, sizeof shard, ", shard %d/%d", e->index, e->count);
		if (!e->loaded) {
			printf("spec %s (%s%s): state unknown (%s)\n", e->name, e->hash, shard, e->why);
			continue;
		}
		const struct bw_spec_state *st = &e->st;
		const int T = BW_ALGO_COUNT;
		printf("spec %s (%s%s): %s; outcomes %zu; tasks done %zu of %zu; searches resolved %zu of %zu;"
		       " pending %zu\n",
		       e->name, e->hash, shard, complete(st) ? "complete" : "incomplete",
		       st->tasks_done[T] + st->probes[T], st->tasks_done[T], st->tasks[T], st->searches_done[T],
		       st->searches[T], pending_of(st, T));
		struct bw_table sub;
		if ((rc = bw_table_init(&sub, sizeof names / sizeof *names, names)) != BW_OK)
			break;
		for (int a = 0; a < T && rc == BW_OK; a++) {
			size_t row;
			if (!st->tasks[a] && !st->searches[a])
				continue;
			if ((rc = bw_table_add_row(&sub, &row)) != BW_OK ||
			    (rc = bw_table_set_text(&sub, row, 0, bw_algo_name((enum bw_algo)a))) != BW_OK)
				break;
			const size_t v[] = {st->tasks[a], st->tasks_done[a], st->searches[a], st->searches_done[a],
					    st->probes[a], pending_of(st, a)};
			for (size_t c = 0; c < sizeof v / sizeof *v; c++)
				bw_table_set_int(&sub, row, c + 1, (int64_t)v[c]);
		}
		if (rc == BW_OK)
			rc = bw_table_print(stdout, &sub, BW_FMT_TABLE);
		bw_table_release(&sub);
		printf("\n");
	}
	return rc;
}

/* What a run's line adds: no-op, or superseded by a later run that completed its spec. */
static const char *run_note(struct bw_table *t, size_t r, int64_t ran, const struct spec_row *specs, size_t n)
{
	const char *state = text_or(bw_table_at(t, r, C_STATE), "");
	if (!strcmp(state, "done") && ran == 0)
		return "  no-op";
	if (strcmp(state, "interrupted") && strcmp(state, "failed"))
		return "";
	const char *hash = text_or(bw_table_at(t, r, C_HASH), "");
	int index, count;
	parse_shard(bw_table_at(t, r, C_SHARD), &index, &count);
	for (size_t i = 0; i < n; i++)
		if (specs[i].loaded && !strcmp(specs[i].hash, hash) && complete(&specs[i].st) &&
		    (specs[i].count == 1 || specs[i].index == index))
			return "  superseded: the spec is complete";
	return "";
}

static int print_blocks(struct bw_table *t, const struct spec_row *specs, size_t nspecs)
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
		int64_t id = bw_table_at(t, r, C_SWEEP)->i, ran = 0;
		for (size_t q = r; q < t->nrows && bw_table_at(t, q, C_SWEEP)->i == id; q++)
			ran += bw_table_at(t, q, C_RAN)->i;
		const struct bw_value *ranks = bw_table_at(t, r, C_RANKS);
		printf("%ssweep %lld  %s  %s  started %s  ended %s  ranks %lld  shard %s%s\n", r ? "\n" : "", (long long)id,
		       text_or(bw_table_at(t, r, C_NAME), "?"), text_or(bw_table_at(t, r, C_STATE), "?"),
		       text_or(bw_table_at(t, r, C_STARTED), "-"), text_or(bw_table_at(t, r, C_ENDED), "-"),
		       ranks->type == BW_VAL_INT ? (long long)ranks->i : 0LL, text_or(bw_table_at(t, r, C_SHARD), "-"),
		       run_note(t, r, ran, specs, nspecs));
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

/* The specs' state of an open catalog (*specs and *t the caller's, released by specs_release). */
static int catalog_specs(struct bw_query *q, struct bw_table *t, struct spec_row **specs, size_t *n)
{
	uint64_t *done;
	int8_t *ok;
	size_t ndone;
	*specs = NULL;
	*n = 0;
	CHECK(bw_query_done(q, &done, &ok, &ndone));
	int rc = bw_query_specs(q, t);
	if (rc == BW_OK && (rc = specs_state(t, done, ok, ndone, specs, n)) != BW_OK)
		bw_table_release(t);
	free(done);
	free(ok);
	return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The element index of ".../shard-I.sqlite", -1 for another name. */
static int element_of(const char *path)
{
	const char *b = strrchr(path, '/');
	int i, k = -1;
	b = b ? b + 1 : path;
	if (sscanf(b, "shard-%d.sqlite%n", &i, &k) == 1 && k > 0 && !b[k] && i >= 0)
		return i;
	return -1;
}

/* One line per element of a Slurm array, then the command that resubmits the unfinished ones. */
static int shards_status(char **paths, int n)
{
	int count = 0, nbad = 0;
	char spec_path[4096] = "", *only = NULL;
	size_t olen = 0;
	FILE *of = open_memstream(&only, &olen);
	if (!of)
		return RAISE(BW_ENOMEM, "out of memory");
	int *seen = calloc((size_t)n + 1, sizeof *seen);
	for (int i = 0; i < n; i++) {
		struct bw_query *q;
		struct bw_table t;
		struct spec_row *sp = NULL;
		size_t ns = 0;
		int e = element_of(paths[i]);
		if (bw_query_open(paths[i], &q) != BW_OK) {
			printf("element %d  %s  unreadable: %s\n", e, paths[i], bw_error_message());
			if (e >= 0)
				fprintf(of, "%s%d", nbad++ ? "," : "", e);
			continue;
		}
		int rc = catalog_specs(q, &t, &sp, &ns);
		bw_query_close(q);
		if (rc != BW_OK) {
			fclose(of);
			free(only);
			free(seen);
			return rc;
		}
		const struct spec_row *r = ns ? &sp[0] : NULL;
		if (r && r->count > 1) {
			count = r->count;
			e = r->index;
			if (!spec_path[0])
				snprintf(spec_path, sizeof spec_path, "%s", r->path);
		}
		if (!r)
			printf("element %d  %s  no sweep recorded\n", e, paths[i]);
		else if (!r->loaded)
			printf("element %d  %s  state unknown (%s)\n", e, paths[i], r->why);
		else
			printf("element %d  %s  %s: outcomes %zu; tasks done %zu of %zu; searches resolved %zu of %zu;"
			       " pending %zu\n",
			       e, paths[i], complete(&r->st) ? "complete" : "incomplete",
			       r->st.tasks_done[BW_ALGO_COUNT] + r->st.probes[BW_ALGO_COUNT], r->st.tasks_done[BW_ALGO_COUNT],
			       r->st.tasks[BW_ALGO_COUNT], r->st.searches_done[BW_ALGO_COUNT], r->st.searches[BW_ALGO_COUNT],
			       pending_of(&r->st, BW_ALGO_COUNT));
		if (e >= 0 && e < n + 1)
			seen[e] = 1;
		if ((!r || !r->loaded || !complete(&r->st)) && e >= 0)
			fprintf(of, "%s%d", nbad++ ? "," : "", e);
		free(sp);
		bw_table_release(&t);
	}
	for (int e = 0; e < count && e <= n; e++)
		if (!seen[e]) {
			printf("element %d  missing (no shard-%d.sqlite)\n", e, e);
			fprintf(of, "%s%d", nbad++ ? "," : "", e);
		}
	for (int e = n + 1; e < count; e++) {
		printf("element %d  missing (no shard-%d.sqlite)\n", e, e);
		fprintf(of, "%s%d", nbad++ ? "," : "", e);
	}
	free(seen);
	int bad = fclose(of) != 0;
	if (bad) {
		free(only);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	if (!nbad)
		printf("all %d elements complete: merge them (slurm/submit's merge job, or biasweep merge OUT SHARD...)\n",
		       count ? count : n);
	else
		printf("resubmit the unfinished elements (they resume): slurm/submit %s --array %d --only %s [same options]\n",
		       spec_path[0] ? spec_path : "SPEC", count ? count : n, only);
	free(only);
	return fflush(stdout) ? RAISE(BW_EIO, "writing the output failed") : BW_OK;
}

/* The shard-*.sqlite of dir, sorted by name, into *paths (the caller frees each and the array). */
static int list_shards(const char *dir, char ***paths, int *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return RAISE(BW_EINVAL, "--shards: cannot read directory '%s'", dir);
	struct dirent *de;
	char **v = NULL;
	int k = 0, cap = 0;
	while ((de = readdir(d))) {
		if (element_of(de->d_name) < 0)
			continue;
		if (k == cap) {
			char **w = realloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
			if (!w)
				break;
			v = w;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		if (!(v[k] = malloc(len)))
			break;
		snprintf(v[k++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (!k) {
		free(v);
		return RAISE(BW_EINVAL, "--shards: no shard-I.sqlite in '%s'", dir);
	}
	qsort(v, (size_t)k, sizeof *v, cmp_str);
	*paths = v;
	*n = k;
	return BW_OK;
}

int cmd_status(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *shards = NULL;
	int fmt = BW_FMT_TABLE;
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("shards", BW_OPT_STRING, &shards, "DIR",
		       "a Slurm array's shard catalogs (DIR/shard-I.sqlite): each element's state"),
		BW_OPT_FORMAT(&fmt),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "status", .args = "[SHARD...]", .minpos = 0, .maxpos = -1, .summary = summary,
				 .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	if (shards || npos > 0) {
		char **paths = argv;
		int n = npos;
		if (shards && npos > 0)
			return RAISE(BW_EINVAL, "give --shards DIR or SHARD catalogs, not both");
		if (shards)
			CHECK(list_shards(shards, &paths, &n));
		rc = shards_status(paths, n);
		if (shards) {
			for (int i = 0; i < n; i++)
				free(paths[i]);
			free(paths);
		}
		return rc;
	}
	struct bw_query *q;
	CHECK(bw_query_open(catalog, &q));
	struct bw_table t, specs_t = {0};
	struct spec_row *specs = NULL;
	size_t nspecs = 0;
	rc = bw_query_status(q, &t);
	if (rc == BW_OK && fmt == BW_FMT_TABLE && (rc = catalog_specs(q, &specs_t, &specs, &nspecs)) != BW_OK)
		bw_table_release(&t);
	bw_query_close(q);
	CHECK(rc);
	if (fmt == BW_FMT_TABLE && (rc = print_specs(specs, nspecs)) == BW_OK)
		rc = print_blocks(&t, specs, nspecs);
	else if (fmt != BW_FMT_TABLE)
		rc = bw_table_print(stdout, &t, fmt);
	free(specs);
	bw_table_release(&specs_t);
	bw_table_release(&t);
	return rc;
}
