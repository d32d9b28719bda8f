/* test_trajfile.c - where a sweep run's trajectory file lives (the one rule,
 * bw_trajfile_name and bw_trajfile_path) and that bw_trajfile_reserve makes a
 * new file, never one over an existing file (issue 10, item 1).
 *
 * The expected names are written out by hand from the rule in trajfile.h:
 * "<catalog stem>-<sweep>-<run>[-shard<i>][.<k>].h5" beside the catalog,
 * the stem cut (at a whole UTF-8 character) to fit a file name. */
#include "biasweep/error.h"
#include "biasweep/trajfile.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void name_is(const char *catalog, const char *sweep, int64_t run, int shard, int attempt, const char *want)
{
	char buf[256] = "";
	int rc = bw_trajfile_name(catalog, sweep, run, shard, attempt, buf, sizeof buf);
	TU_CHECK(rc == BW_OK && !strcmp(buf, want), "name of (%s, %s, %lld, %d, %d): got '%s' (rc %d), want '%s'",
		 catalog, sweep, (long long)run, shard, attempt, buf, rc, want);
}

static void path_is(const char *catalog, const char *file, const char *want)
{
	char buf[256] = "";
	int rc = bw_trajfile_path(catalog, file, buf, sizeof buf);
	TU_CHECK(rc == BW_OK && !strcmp(buf, want), "path of (%s, %s): got '%s' (rc %d), want '%s'", catalog, file, buf,
		 rc, want);
}

/* Whole UTF-8 characters only: no continuation byte without its lead. */
static int utf8_whole(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			return 0;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

static size_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

int main(void)
{
	/* ---- names ---- */
	name_is("results/catalog.sqlite", "default", 1, -1, 1, "catalog-default-1.h5");
	name_is("t/a.sqlite", "smoke", 12, -1, 1, "a-smoke-12.h5");
	name_is("t/b.sqlite", "smoke", 12, -1, 1, "b-smoke-12.h5"); /* two catalogs, one directory: two files */
	name_is("t/a.bak.sqlite", "smoke", 1, -1, 1, "a.bak-smoke-1.h5");
	name_is("t/a.sqlite.bak", "smoke", 1, -1, 1, "a.sqlite-smoke-1.h5");
	name_is("catalog", "smoke", 1, -1, 1, "catalog-smoke-1.h5");
	name_is("dir.d/.hidden", "smoke", 1, -1, 1, ".hidden-smoke-1.h5");
	name_is("results/shards/smoke/shard-0.sqlite", "smoke", 1, 0, 1, "shard-0-smoke-1-shard0.h5");
	name_is("results/shards/smoke/shard-7.sqlite", "smoke", 3, 7, 2, "shard-7-smoke-3-shard7.2.h5");
	name_is("a.sqlite", "smoke", 1, -1, 3, "a-smoke-1.3.h5");

	/* a long catalog name: the stem is cut, at a whole character, to fit a file name */
	char cat[1200] = "d/", want[256];
	for (int i = 0; i < 300; i++)
		strcat(cat, "\xc3\xa9"); /* é: two bytes */
	strcat(cat, ".sqlite");
	char got[256];
	int rc = bw_trajfile_name(cat, "smoke", 1, -1, 1, got, sizeof got);
	TU_CHECK(rc == BW_OK && strlen(got) <= 255 && utf8_whole(got), "long stem: rc %d, %zu bytes, whole UTF-8 %d", rc,
		 strlen(got), utf8_whole(got));
	snprintf(want, sizeof want, "-smoke-1.h5");
	TU_CHECK(rc == BW_OK && strlen(got) > strlen(want) && !strcmp(got + strlen(got) - strlen(want), want) &&
			 !strncmp(got, "\xc3\xa9\xc3\xa9", 4),
		 "long stem: '%s' is a cut stem then -smoke-1.h5", got);
	/* a sweep name that cannot fit at all is bad input */
	char sweep[400];
	memset(sweep, 'x', 300);
	sweep[300] = 0;
	rc = bw_trajfile_name("a.sqlite", sweep, 1, -1, 1, got, sizeof got);
	TU_CHECK(rc == BW_EINVAL && strstr(bw_error_message(), "too long"), "a 300-byte sweep name: rc %d (%s)", rc,
		 bw_error_message());
	bw_error_clear();

	/* ---- paths: beside the catalog, or absolute ---- */
	path_is("results/catalog.sqlite", "catalog-default-1.h5", "results/catalog-default-1.h5");
	path_is("a.sqlite", "a-smoke-1.h5", "a-smoke-1.h5");
	path_is("/x/y/out.sqlite", "shards/smoke/shard-0-smoke-1-shard0.h5", "/x/y/shards/smoke/shard-0-smoke-1-shard0.h5");
	path_is("x/out.sqlite", "../b/f.h5", "x/../b/f.h5");
	path_is("x/out.sqlite", "/abs/f.h5", "/abs/f.h5");
	char small[8];
	rc = bw_trajfile_path("results/catalog.sqlite", "catalog-default-1.h5", small, sizeof small);
	TU_CHECK(rc == BW_EINVAL, "a path that does not fit: rc %d", rc);
	bw_error_clear();

	/* ---- reserve: a new file, never over an existing one ---- */
	char dir[] = "/tmp/bw-trajfile-XXXXXX";
	if (!mkdtemp(dir)) {
		TU_CHECK(0, "mkdtemp");
		return tu_summary("test_trajfile");
	}
	char catalog[128], taken[160], name[256], path[512];
	snprintf(catalog, sizeof catalog, "%s/a.sqlite", dir);
	snprintf(taken, sizeof taken, "%s/a-smoke-1.h5", dir);
	FILE *f = fopen(taken, "w");
	fputs("what another catalog points at\n", f);
	fclose(f);
	size_t row_d[2] = {20, 30};
	rc = bw_trajfile_reserve(catalog, "smoke", 1, -1, row_d, 2, 0, name, sizeof name, path, sizeof path);
	TU_CHECK(rc == BW_OK && !strcmp(name, "a-smoke-1.2.h5"), "reserve next to a taken name: rc %d, name '%s'", rc,
		 name);
	TU_CHECK(file_size(taken) == strlen("what another catalog points at\n"), "the taken file is untouched (%zu bytes)",
		 file_size(taken));
	char want_path[256];
	snprintf(want_path, sizeof want_path, "%s/a-smoke-1.2.h5", dir);
	TU_CHECK(!strcmp(path, want_path) && file_size(path) > 0, "reserved '%s' exists (%zu bytes)", path,
		 file_size(path));
	rc = bw_trajfile_reserve(catalog, "smoke", 1, -1, row_d, 2, 0, name, sizeof name, path, sizeof path);
	TU_CHECK(rc == BW_OK && !strcmp(name, "a-smoke-1.3.h5"), "and again: rc %d, name '%s'", rc, name);
	rc = bw_trajfile_reserve(catalog, "smoke", 2, 4, row_d, 2, 0, name, sizeof name, path, sizeof path);
	TU_CHECK(rc == BW_OK && !strcmp(name, "a-smoke-2-shard4.h5"), "a free name is taken as it is: '%s'", name);
	const char *made[] = {"a-smoke-1.h5", "a-smoke-1.2.h5", "a-smoke-1.3.h5", "a-smoke-2-shard4.h5"};
	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, made[i]);
		unlink(path);
	}
	rmdir(dir);
	return tu_summary("test_trajfile");
}
