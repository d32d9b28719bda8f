/* spec.c - job specs: read a file (a regular file of bounded size, all
 * text), parse it with libconfig (the settings: parse.c), check the sweep's
 * name, select the algorithms and expand the grid (grid.c).  The format is
 * documented at the top of jobs/smoke.cfg and in `biasweep plan --help`; the
 * contract (keys, costs, ownership) in spec.h and task.h. */
#include "parse.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"
#include "biasweep/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the sweep's name ---- */

/* The next code point of valid UTF-8 at *s (advanced), or -1: a stray or
 * missing continuation byte, an overlong form, a surrogate, beyond U+10FFFF. */
static long utf8_next(const unsigned char **s)
{
	const unsigned char *c = *s;
	static const long least[4] = {0, 0x80, 0x800, 0x10000};
	int more = c[0] < 0x80 ? 0 : (c[0] & 0xe0) == 0xc0 ? 1 : (c[0] & 0xf0) == 0xe0 ? 2 : (c[0] & 0xf8) == 0xf0 ? 3 : -1;
	if (more < 0)
		return -1;
	long cp = more ? c[0] & (0x3f >> more) : c[0];
	for (int i = 1; i <= more; i++) {
		if ((c[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (c[i] & 0x3f);
	}
	if (cp < least[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*s = c + more + 1;
	return cp;
}

/* The name names files and a directory (<catalog>-<name>-<run>.h5,
 * results/shards/<name>/): 1..BW_SPEC_NAME_MAX bytes of UTF-8, not "." or
 * "..", no '/', no control characters (C0, DEL, C1), no bidirectional
 * controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) that would show
 * a listing of the files in another order than their bytes.  1 when s is
 * such a name, else 0 and why. */
int spec_name_ok(const char *s, char *why, size_t len)
{
	size_t n = strlen(s);
	if (n == 0 || n > BW_SPEC_NAME_MAX) {
		snprintf(why, len, "1 to %d bytes (it has %zu)", BW_SPEC_NAME_MAX, n);
		return 0;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(why, len, "not '.' or '..'");
		return 0;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c;) {
		long cp = utf8_next(&c);
		if (cp < 0) {
			snprintf(why, len, "it must be valid UTF-8");
			return 0;
		}
		if (cp == '/' || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			snprintf(why, len, "no '/' or control characters");
			return 0;
		}
		if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(why, len, "no bidirectional controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)");
			return 0;
		}
	}
	return 1;
}

static char *basename_without_cfg(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t len = strlen(b);
	if (len > 4 && !strcmp(b + len - 4, ".cfg"))
		len -= 4;
	return strndup(b, len);
}

/* *eff: the effective text when there are overrides (else left NULL) */
static int load(struct parse *p, const char *text, struct bw_spec *out, char **eff)
{
	/* the spec's text is stored with the results, so it must be all of it */
	unsigned lineno = 1;
	for (const char *c = text; *c; c++) {
		if (c == text || c[-1] == '\n') {
			const char *q = c + strspn(c, " \t");
			if (!strncmp(q, "@include", 8))
				return spec_fail(p, lineno, "@include is not supported: a spec is one self-contained file");
		}
		lineno += *c == '\n';
	}
	config_t cfg;
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		const char *why = config_error_text(&cfg);
		int rc = spec_fail(p, (unsigned)config_error_line(&cfg), "%s%s", why,
			      strstr(why, "mismatched element type") ? " (numbers in [ ] need one type: [1.0, 2.5], "
								       "or use a list ( ... ))"
								     : "");
		config_destroy(&cfg);
		return rc;
	}
	int rc = spec_apply_overrides(&cfg, p->sets, p->nsets);
	if (rc == BW_OK)
		rc = spec_parse_top(p, config_root_setting(&cfg));
	if (rc == BW_OK && p->nsets)
		rc = spec_effective_text(&cfg, p->path, p->sets, p->nsets, eff);
	config_destroy(&cfg);
	CHECK(rc);

	if (!p->have_selection)
		for (int a = 0; a < BW_ALGO_COUNT; a++)
			p->selected[a] = p->algo[a].present;
	int any = 0;
	for (int a = 0; a < BW_ALGO_COUNT; a++)
		any |= p->selected[a];
	if (!any)
		return spec_fail(p, 0, "no algorithm to run: set 'algorithm = [...]' or an 'algorithms' group");

	return spec_expand(p, out);
}

int bw_spec_load_string_with(const char *path, const char *text, const char *const *sets, size_t nsets,
			     struct bw_spec *out)
{
	memset(out, 0, sizeof *out);
	struct parse p;
	memset(&p, 0, sizeof p);
	p.path = path;
	p.sets = sets;
	p.nsets = nsets;
	char *eff = NULL;
	int rc = load(&p, text, out, &eff);
	if (rc == BW_OK) {
		out->path = strdup(path);
		out->name = p.name ? strdup(p.name) : basename_without_cfg(path);
		out->name_line = p.name_line;
		out->text = eff ? eff : strdup(text);
		eff = NULL;
		if (!out->path || !out->name || !out->text)
			rc = RAISE(BW_ENOMEM, "out of memory");
		else
			out->text_hash = bw_hash_str(out->text);
	}
	char why[128];
	if (rc == BW_OK && !p.name && !spec_name_ok(out->name, why, sizeof why))
		rc = spec_fail(&p, 0, "the file name (without .cfg) is the spec's name and cannot name the trajectory files: %s "
			  "(set name = \"...\";)", why);
	spec_parse_release(&p);
	free(eff);
	if (rc != BW_OK)
		bw_spec_release(out);
	return rc;
}

int bw_spec_load_string(const char *path, const char *text, struct bw_spec *out)
{
	return bw_spec_load_string_with(path, text, NULL, 0, out);
}

int bw_spec_load(const char *path, struct bw_spec *out)
{
	return bw_spec_load_with(path, NULL, 0, out);
}

int bw_spec_load_with(const char *path, const char *const *sets, size_t nsets, struct bw_spec *out)
{
	memset(out, 0, sizeof *out);
	/* O_NONBLOCK: opening a FIFO does not wait for a writer; only a regular
	 * file of bounded size is read (not /dev/zero, a FIFO or a directory) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return RAISE(BW_EINVAL, "cannot open spec '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return RAISE(BW_EIO, "cannot read spec '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return RAISE(BW_EINVAL, "cannot open spec '%s': %s", path,
			     S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file (a device, FIFO or socket)");
	}
	if (st.st_size > BW_SPEC_FILE_MAX) {
		close(fd);
		return RAISE(BW_EINVAL, "spec '%s' is %lld bytes, more than a spec may have (%ld MiB)", path,
			     (long long)st.st_size, BW_SPEC_FILE_MAX >> 20);
	}
	/* read to the end, which may differ from st_size when the file changes meanwhile */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *text = malloc(cap + 1);
	int rc = text ? BW_OK : RAISE(BW_ENOMEM, "out of memory reading '%s'", path);
	while (rc == BW_OK) {
		if (len == cap) {
			cap = cap * 2 > (size_t)BW_SPEC_FILE_MAX + 1 ? (size_t)BW_SPEC_FILE_MAX + 1 : cap * 2;
			char *t = len < cap ? realloc(text, cap + 1) : NULL;
			if (!t) {
				rc = len < cap ? RAISE(BW_ENOMEM, "out of memory reading '%s'", path)
					       : RAISE(BW_EINVAL, "spec '%s' is more than a spec may have (%ld MiB)", path,
						       BW_SPEC_FILE_MAX >> 20);
				break;
			}
			text = t;
		}
		ssize_t got = read(fd, text + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = RAISE(BW_EIO, "cannot read spec '%s': %s", path, strerror(errno));
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (rc == BW_OK) {
		text[len] = 0;
		if (strlen(text) != len)
			rc = RAISE(BW_EINVAL, "%s: the spec holds a NUL byte (not a text file?)", path);
	}
	if (rc == BW_OK)
		rc = bw_spec_load_string_with(path, text, sets, nsets, out);
	free(text);
	return rc;
}

void bw_spec_release(struct bw_spec *spec)
{
	BW_FREE_ALL(spec->path, spec->name, spec->text, spec->tasks, spec->searches);
	memset(spec, 0, sizeof *spec);
}
