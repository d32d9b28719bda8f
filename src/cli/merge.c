/* merge.c - `biasweep merge OUT SHARD...`: join shard catalogs (Slurm array
 * elements) into one catalog.  Flags and printing only; the merge itself is
 * bw_merge (src/storage/merge.c). */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/merge.h"
#include "biasweep/opts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char summary[] =
	"Merge shard catalogs (one per Slurm array element: results/shards/<sweep>/shard-I.sqlite) into OUT\n"
	"(created when missing, e.g. results/catalog.sqlite), in one transaction.  Sweeps, tasks and outcomes\n"
	"are copied once (by key: rerunning the merge changes nothing), each outcome's traj_file is rewritten\n"
	"relative to OUT's directory, and table sweep_sources records which shard each sweep came from.\n"
	"Refused, with nothing written: inputs that are not (whole) catalogs, differing schema versions, a shard\n"
	"whose rows do not hold together (an outcome without its task row), two inputs (shards, or a shard and\n"
	"OUT) holding different parameters or outcomes for the same task (an edited file, nondeterminism), and\n"
	"an OUT that cannot be written.  A new OUT is built beside it and appears only once it is complete.";

static const char epilog[] =
	"Missing and unfinished shards do not stop the merge: a SHARD that does not exist is skipped, one\n"
	"whose runs left tasks pending (still running, interrupted, cancelled) is merged as far as it got, and\n"
	"shards I/N of a sweep that no SHARD holds are listed; each gets a 'warning:' line on stderr.  Rerun\n"
	"the merge once they are finished: it adds what is new.\n"
	"exit status: 0 merged (complete, or incomplete with warnings), 3 merged but incomplete with --strict,\n"
	"2 bad input (nothing written), 1 other errors.\n";

static const char *state_name(int s)
{
	return s == BW_SHARD_COMPLETE ? "complete" : s == BW_SHARD_PARTIAL ? "partial" : "missing";
}

int cmd_merge(int argc, char **argv)
{
	int strict = 0, quiet = 0;
	struct bw_option opts[] = {
		BW_OPT("strict", BW_OPT_FLAG, &strict, NULL, "exit 3 when a shard is missing or unfinished (after merging the rest)"),
		BW_OPT("quiet", BW_OPT_FLAG, &quiet, NULL, "no per-shard lines (warnings and the summary still print)"),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "merge", .args = "OUT SHARD...", .minpos = 2, .maxpos = -1,
				 .pos_missing = "expected OUT and at least one SHARD catalog (see --help)",
				 .summary = summary, .epilog = epilog, .opts = opts};
	int npos;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	char **pos = argv;

	struct bw_merge_report rep;
	int rc = bw_merge(pos[0], (const char *const *)(pos + 1), (size_t)(npos - 1), &rep);
	if (rc != BW_OK) {
		bw_merge_report_release(&rep);
		return rc;
	}
	size_t missing = 0, partial = 0;
	for (size_t i = 0; i < rep.nshards; i++) {
		const struct bw_merge_shard *s = &rep.shards[i];
		missing += s->state == BW_SHARD_MISSING;
		partial += s->state == BW_SHARD_PARTIAL;
		if (!quiet && s->state != BW_SHARD_MISSING)
			printf("  %-8s %s: shard %s of '%s', %" PRId64 " outcome%s (%" PRId64 " new), %" PRId64
			       " pending, latest run %" PRId64 " %s\n",
			       state_name(s->state), s->path, s->label[0] ? s->label : "-", s->name, s->outcomes,
			       s->outcomes == 1 ? "" : "s", s->added, s->pending, s->latest_id,
			       s->latest_state[0] ? s->latest_state : "-");
	}
	printf("merged %zu of %zu shard%s into %s: %" PRId64 " outcome%s added, %" PRId64 " in the catalog; %" PRId64
	       " task%s added; %" PRId64 " sweep run%s added, %" PRId64 " updated\n",
	       rep.nshards - missing, rep.nshards, rep.nshards == 1 ? "" : "s", pos[0], rep.outcomes_added,
	       rep.outcomes_added == 1 ? "" : "s", rep.outcomes_total, rep.tasks_added, rep.tasks_added == 1 ? "" : "s",
	       rep.sweeps_added, rep.sweeps_added == 1 ? "" : "s", rep.sweeps_updated);
	fflush(stdout);
	for (size_t i = 0; i < rep.nshards; i++) {
		const struct bw_merge_shard *s = &rep.shards[i];
		if (s->state == BW_SHARD_MISSING)
			fprintf(stderr, "warning: shard %s is missing (skipped)\n", s->path);
		else if (s->state == BW_SHARD_PARTIAL && !s->sweeps)
			fprintf(stderr, "warning: shard %s holds no sweep run\n", s->path);
		else if (s->state == BW_SHARD_PARTIAL)
			fprintf(stderr,
				"warning: shard %s is unfinished: %" PRId64 " of %" PRId64 " tasks pending, latest run %" PRId64
				" is '%s'%s\n",
				s->path, s->pending, s->planned, s->latest_id, s->latest_state,
				!strcmp(s->latest_state, "running") ? " (still running, or killed)" : "");
	}
	if (rep.absent[0])
		fprintf(stderr, "warning: no input holds shard%s %s\n", strchr(rep.absent, ',') ? "s" : "", rep.absent);
	if (!rep.complete)
		fprintf(stderr, "merge incomplete (%zu missing, %zu unfinished%s): finish or resubmit those shards, then "
			"rerun this merge; it only adds what is new\n",
			missing, partial, rep.absent[0] ? ", some shards not given" : "");
	fflush(stderr);
	int complete = rep.complete;
	bw_merge_report_release(&rep);
	if (strict && !complete)
		return RAISE(BW_EINTR, "incomplete merge (--strict)");
	return BW_OK;
}
