/* h5row.c - `h5row FILE ROW D`: reads row ROW of a sweep's trajectory file
 * with bw_trajfile_read_row (the reader behind `biasweep plot trajectory`)
 * and prints "count C" and the checkpoints, or the error on one line; the
 * exit status is that of the biasweep binary (bw_error_exit_code: 2 for bad
 * input such as a truncated or corrupt file).  Driven by test_h5corrupt.py,
 * which runs it on damaged copies of a real trajectory file (under ASan in
 * build-asan, so an overrun of the caller's buffers would be caught). */
#include "biasweep/error.h"
#include "biasweep/trajfile.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: h5row FILE ROW D\n");
		return 2;
	}
	size_t row = strtoull(argv[2], NULL, 10), d = strtoull(argv[3], NULL, 10);
	struct bw_checkpoint *ck = calloc(BW_TRAJ_SLOTS_MAX, sizeof *ck); /* exactly what the contract promises */
	double *w = calloc(d ? d : 1, sizeof *w);
	int count = -2;
	int rc = bw_trajfile_read_row(argv[1], row, ck, &count, d ? w : NULL, d);
	if (rc != BW_OK) {
		fprintf(stderr, "h5row: %s\n", bw_error_message());
	} else {
		printf("count %d\n", count);
		for (int i = 0; i < count; i++)
			printf("%ld %.17g %.17g %.17g %.17g\n", ck[i].step, ck[i].t, ck[i].loss, ck[i].test_error, ck[i].R);
		if (d)
			printf("w0 %.17g\n", w[0]);
	}
	free(ck);
	free(w);
	return bw_error_exit_code(rc);
}
