/* test_figures.c - the figures module as a library (figures.h), without the
 * CLI, on the hand-made catalog of mkplotcat (argv[1] is that program):
 *  - bw_figure_init refuses, with BW_EINVAL and the header's reasons, an
 *    empty name, no .png/.svg, a control character, a missing directory, a
 *    directory for the image; release is safe after each;
 *  - an emitter renders in memory only: nothing is in the directory until
 *    bw_figure_commit, which writes NAME.gp, NAME.dat, NAME-fit.dat and
 *    NAME-dt.dat (file[0] the script) with exactly the rendered bytes;
 *  - a figure that cannot be drawn (the trajectory of a catalog without
 *    trajectory files, --where conditions matching nothing) is BW_EINVAL and
 *    leaves the directory empty;
 *  - bw_figure_gnuplot: with gnuplot not on PATH BW_EIO naming it, and no
 *    image; with gnuplot the image, non-empty;
 *  - through all of it the library writes nothing on stdout or stderr (both
 *    are redirected to a file around every library call; gnuplot inherits
 *    them, and prints nothing for these scripts). */
#include "biasweep/error.h"
#include "biasweep/figures.h"
#include "biasweep/proc.h"
#include "biasweep/query.h"
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64], capture[96];
static int saved_out = -1, saved_err = -1;

/* stdout and stderr into `capture` (appended) while the library runs */
static void quiet_begin(void)
{
	fflush(stdout);
	fflush(stderr);
	int fd = open(capture, O_WRONLY | O_CREAT | O_APPEND, 0600);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

static void quiet_end(void)
{
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static int same_content(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char *got = malloc(len + 1);
	size_t n = got ? fread(got, 1, len + 1, f) : 0;
	int same = got && n == len && !memcmp(got, buf, len);
	free(got);
	fclose(f);
	return same;
}

static void test_init(void)
{
	char dir_png[96], missing[96];
	snprintf(dir_png, sizeof dir_png, "%s/d.png", tmp);
	mkdir(dir_png, 0755);
	snprintf(missing, sizeof missing, "%s/missing/x.png", tmp);
	const struct {
		const char *image, *reason;
	} bad[] = {
		{"", "is required"},
		{"x.jpg", "does not end in .png or .svg"},
		{"x", "does not end in .png or .svg"},
		{"x\n.png", "control character"},
		{".png", "no file name before the extension"},
		{missing, "No such file or directory"},
		{dir_png, "is a directory"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bw_figure fig;
		quiet_begin();
		int rc = bw_figure_init(&fig, bad[i].image);
		bw_figure_release(&fig);
		quiet_end();
		TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), bad[i].reason), "init '%s': rc %d, '%s'", bad[i].image,
			 rc, bw_error_message());
		bw_error_clear();
	}
	rmdir(dir_png);
}

static int render(const char *catalog, bw_figure_emitter *emit, const char *kind, const char *where,
		  const char *image, struct bw_figure *fig)
{
	struct bw_query *q = NULL;
	struct bw_qfilter f[1];
	struct bw_figure_args a = {kind, catalog, &where, where ? 1 : 0};
	quiet_begin();
	int rc = bw_figure_init(fig, image);
	if (rc == BW_OK)
		rc = bw_query_open(catalog, &q);
	if (rc == BW_OK && where)
		rc = bw_query_parse_filter(q, where, &f[0]);
	if (rc == BW_OK)
		rc = emit(q, f, where ? 1 : 0, &a, fig);
	if (q)
		bw_query_close(q);
	quiet_end();
	return rc;
}

static void test_render(const char *catalog)
{
	char out[96], image[128];
	snprintf(out, sizeof out, "%s/out", tmp);
	mkdir(out, 0755);
	snprintf(image, sizeof image, "%s/fig.png", out);
	struct bw_figure fig;
	int rc = render(catalog, bw_figure_nstar_d, "nstar-d", NULL, image, &fig);
	TU_CHECK(rc == BW_OK, "nstar-d: %s", bw_error_message());
	TU_CHECK(entries(out) == 0, "rendered in memory: %d files already", entries(out));
	static const char *const suffix[] = {".gp", ".dat", "-fit.dat", "-dt.dat"};
	TU_CHECK(fig.nfiles == 4, "nstar-d: %zu files", fig.nfiles);
	for (size_t i = 0; i < 4 && i < fig.nfiles; i++) {
		char want[160];
		snprintf(want, sizeof want, "%s/fig%s", out, suffix[i]);
		TU_CHECK(!strcmp(fig.file[i].path, want), "file %zu: '%s', want '%s'", i, fig.file[i].path, want);
	}
	quiet_begin();
	if (rc == BW_OK)
		rc = bw_figure_commit(&fig);
	quiet_end();
	TU_CHECK(rc == BW_OK && entries(out) == (int)fig.nfiles, "commit: rc %d, %d files", rc, entries(out));
	for (size_t i = 0; i < fig.nfiles; i++)
		TU_CHECK(same_content(fig.file[i].path, fig.file[i].buf, fig.file[i].len), "%s: not the rendered bytes",
			 fig.file[i].path);

	/* gnuplot missing: BW_EIO naming it, no image */
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", tmp, 1);
	quiet_begin();
	rc = bw_figure_gnuplot(&fig);
	quiet_end();
	if (path)
		setenv("PATH", path, 1);
	free(path);
	TU_CHECK(rc == BW_EIO && strstr(bw_error_message(), "gnuplot not found on PATH"), "no gnuplot: rc %d '%s'", rc,
		 bw_error_message());
	TU_CHECK(file_size(image) == -1, "no gnuplot: an image");
	bw_error_clear();
	/* gnuplot: the image */
	quiet_begin();
	rc = bw_figure_gnuplot(&fig);
	quiet_end();
	TU_CHECK(rc == BW_OK && file_size(image) > 0, "gnuplot: rc %d '%s', image %ld bytes", rc, bw_error_message(),
		 file_size(image));
	bw_figure_release(&fig);
	for (size_t i = 0; i < 4; i++) {
		char p[160];
		snprintf(p, sizeof p, "%s/fig%s", out, suffix[i]);
		unlink(p);
	}
	unlink(image);

	/* what cannot be drawn: BW_EINVAL, nothing written */
	snprintf(image, sizeof image, "%s/none.svg", out);
	rc = render(catalog, bw_figure_trajectory, "trajectory", "d=32", image, &fig); /* many instances */
	bw_figure_release(&fig);
	TU_CHECK(rc == BW_EINVAL && entries(out) == 0, "trajectory of many instances: rc %d '%s'", rc,
		 bw_error_message());
	bw_error_clear();
	static bw_figure_emitter *const all[] = {bw_figure_nstar_d, bw_figure_nstar_klnd, bw_figure_phase,
						 bw_figure_trajectory};
	for (size_t k = 0; k < 4; k++) {
		rc = render(catalog, all[k], "any", "d=99", image, &fig);
		bw_figure_release(&fig);
		TU_CHECK(rc == BW_EINVAL && entries(out) == 0, "emitter %zu, nothing matching: rc %d '%s'", k, rc,
			 bw_error_message());
		bw_error_clear();
	}
	rmdir(out);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_figures MKPLOTCAT\n");
		return 2;
	}
	snprintf(tmp, sizeof tmp, "/tmp/bw-test-figures-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	char catalog[96];
	snprintf(catalog, sizeof catalog, "%s/catalog.sqlite", tmp);
	char *mk[] = {argv[1], catalog, NULL};
	TU_CHECK(bw_proc_spawn(mk, NULL, NULL, 0, NULL) == 0, "mkplotcat %s", catalog);
	snprintf(capture, sizeof capture, "%s/captured.txt", tmp);
	test_init();
	test_render(catalog);
	long printed = file_size(capture);
	TU_CHECK(printed <= 0, "the library printed %ld bytes (see %s)", printed, capture);
	if (printed <= 0) /* else left for a look */
		bw_proc_rm_tree(tmp);
	return tu_summary("test_figures");
}
