/* output.c - a figure's files: rendered into memory, committed together
 * (the script last, nothing left behind on a failure), then drawn by
 * gnuplot through bw_proc_run (figures.h). */
#include "emit.h"

#include "biasweep/error.h"
#include "biasweep/proc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void bw_figure_release(struct bw_figure *o)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		if (o->file[i].f)
			fclose(o->file[i].f);
		free(o->file[i].buf);
		free(o->file[i].path);
	}
	free(o->base);
	memset(o, 0, sizeof *o);
}

int bw_figure_init(struct bw_figure *o, const char *image)
{
	memset(o, 0, sizeof *o);
	if (!image || !*image)
		return RAISE(BW_EINVAL, "-o FILE.png or -o FILE.svg is required");
	size_t len = strlen(image);
	for (size_t i = 0; i < len; i++)
		if (iscntrl((unsigned char)image[i]))
			return RAISE(BW_EINVAL, "-o: the file name has a control character");
	if (len < 4 || (strcasecmp(image + len - 4, ".png") && strcasecmp(image + len - 4, ".svg")))
		return RAISE(BW_EINVAL, "-o: '%.200s' does not end in .png or .svg", image);
	o->svg = !strcasecmp(image + len - 4, ".svg");
	o->image = image;
	if (!(o->base = strndup(image, len - 4)))
		return RAISE(BW_ENOMEM, "out of memory");
	const char *slash = strrchr(o->base, '/');
	o->name = slash ? slash + 1 : o->base;
	if (!*o->name)
		return RAISE(BW_EINVAL, "-o: '%.200s' has no file name before the extension", image);
	/* the directory must exist and be writable */
	char *dir = slash ? strndup(o->base, (size_t)(slash - o->base) + 1) : strdup(".");
	if (!dir)
		return RAISE(BW_ENOMEM, "out of memory");
	struct stat st;
	int rc = BW_OK;
	if (stat(dir, &st) != 0)
		rc = RAISE(BW_EINVAL, "-o: cannot write into '%.200s': %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = RAISE(BW_EINVAL, "-o: '%.200s' is not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = RAISE(BW_EINVAL, "-o: cannot write into '%.200s': %s", dir, strerror(errno));
	else if (stat(image, &st) == 0 && S_ISDIR(st.st_mode))
		rc = RAISE(BW_EINVAL, "-o: '%.200s' is a directory", image);
	free(dir);
	return rc;
}

int figure_open(struct bw_figure *o, const char *suffix, FILE **f, const char **name)
{
	if (o->nfiles == BW_FIGURE_MAX_FILES)
		return RAISE(BW_EINTERNAL, "too many output files");
	struct bw_figure_file *of = &o->file[o->nfiles];
	size_t n = strlen(o->base) + strlen(suffix) + 1;
	if (!(of->path = malloc(n)))
		return RAISE(BW_ENOMEM, "out of memory");
	snprintf(of->path, n, "%s%s", o->base, suffix);
	if (!(of->f = open_memstream(&of->buf, &of->len))) {
		free(of->path);
		of->path = NULL;
		return RAISE(BW_ENOMEM, "out of memory");
	}
	o->nfiles++;
	*f = of->f;
	if (name) {
		const char *s = strrchr(of->path, '/');
		*name = s ? s + 1 : of->path;
	}
	return BW_OK;
}

int bw_figure_commit(struct bw_figure *o)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		int bad = ferror(o->file[i].f);
		if (fclose(o->file[i].f) != 0 || bad) {
			o->file[i].f = NULL;
			return RAISE(BW_ENOMEM, "out of memory rendering %s", o->file[i].path);
		}
		o->file[i].f = NULL;
	}
	for (size_t k = 0; k < o->nfiles; k++) {
		size_t i = (k + 1) % o->nfiles; /* script last */
		struct bw_figure_file *of = &o->file[i];
		FILE *f = fopen(of->path, "wb");
		int ok = f && fwrite(of->buf, 1, of->len, f) == of->len;
		int err = errno;
		if (f && fclose(f) != 0 && ok) {
			ok = 0;
			err = errno;
		}
		if (!ok) {
			for (size_t j = 0; j <= k; j++)
				unlink(o->file[(j + 1) % o->nfiles].path);
			return RAISE(BW_EIO, "cannot write '%s': %s", of->path, strerror(err));
		}
	}
	return BW_OK;
}

int bw_figure_gnuplot(const struct bw_figure *o)
{
	const char *script = o->file[0].path;
	size_t n = strlen(script) + 3;
	char *arg = malloc(n);
	if (!arg)
		return RAISE(BW_ENOMEM, "out of memory");
	/* never an argument gnuplot could take for an option */
	snprintf(arg, n, "%s%s", script[0] == '/' ? "" : "./", script);
	char *argv[] = {"gnuplot", arg, NULL};
	unlink(o->image); /* so a stale image cannot pass for a new one */
	int st, rc = bw_proc_run(argv, NULL, NULL, 0, NULL, &st);
	free(arg);
	if (rc == ENOENT && st == -1)
		return RAISE(BW_EIO, "gnuplot not found on PATH (install gnuplot, e.g. gnuplot-nox); the script '%s' and "
				     "its data are written",
			     script);
	if (rc != 0 && st == -1)
		return RAISE(BW_EIO, "cannot start gnuplot: %s", strerror(rc));
	if (rc != 0)
		return RAISE(BW_EIO, "waiting for gnuplot: %s", strerror(rc));
	if (WIFSIGNALED(st))
		return RAISE(BW_EIO, "gnuplot was killed by signal %d on '%s'", WTERMSIG(st), script);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(o->image);
		return RAISE(BW_EIO, "gnuplot failed (exit status %d) on '%s'", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
			     script);
	}
	struct stat sb;
	if (stat(o->image, &sb) != 0 || sb.st_size == 0)
		return RAISE(BW_EIO, "gnuplot ran '%s' but wrote no image '%s'", script, o->image);
	return BW_OK;
}

