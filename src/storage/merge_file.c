/* merge_file.c - the file-system side of merge (merge_file.h): URIs, paths
 * relative to OUT, and a new OUT built as a temporary file and put in place. */
#include "merge_file.h"

#include "biasweep/error.h"

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "file:" URI of a path with every byte outside [A-Za-z0-9/._~-] escaped,
 * so that '?', '#' and '%' in a name are just characters; mode "ro"/"rw". */
char *bw_mf_file_uri(const char *path, const char *mode)
{
	size_t n = strlen(path);
	char *u = malloc(3 * n + 32);
	if (!u)
		return NULL;
	char *p = u;
	p += sprintf(p, "file:%s", path[0] == '/' ? "//" : ""); /* empty authority before an absolute path */
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    strchr("/._~-", *c))
			*p++ = (char)*c;
		else
			p += sprintf(p, "%%%02X", *c);
	}
	sprintf(p, "?mode=%s", mode);
	return u;
}

/* realpath of the directory that holds `path` (which need not exist). */
int bw_mf_dir_of(const char *path, char out[PATH_MAX])
{
	char copy[PATH_MAX];
	if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
		return RAISE(BW_EINVAL, "path too long: '%.64s...'", path);
	const char *dir = dirname(copy);
	if (!realpath(dir, out))
		return RAISE(BW_EINVAL, "directory '%s' of '%s': %s", dir, path, strerror(errno));
	return BW_OK;
}

/* The path from directory `from` to directory `to` (both absolute, canonical),
 * with a trailing '/', or "" when they are the same. */
int bw_mf_relative_dir(const char *from, const char *to, char *buf, size_t len)
{
	size_t i = 0, common = 0;
	while (from[i] && from[i] == to[i]) {
		if (from[i] == '/')
			common = i;
		i++;
	}
	if (!from[i] && !to[i]) {
		buf[0] = 0;
		return BW_OK;
	}
	if (!from[i] && to[i] == '/')
		common = i;
	else if (!to[i] && from[i] == '/')
		common = i;
	/* from[common] and to[common] are the '/' (or end) after the shared part */
	size_t used = 0;
	buf[0] = 0;
	for (const char *c = from + common; *c; c++)
		if (*c == '/' && c[1]) {
			if (used + 4 > len)
				return RAISE(BW_EINVAL, "relative path from '%s' to '%s' too long", from, to);
			memcpy(buf + used, "../", 4);
			used += 3;
		}
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		int k = snprintf(buf + used, len - used, "%s/", rest);
		if (k < 0 || (size_t)k >= len - used)
			return RAISE(BW_EINVAL, "relative path from '%s' to '%s' too long", from, to);
	}
	return BW_OK;
}

/* This host's name for temporary file names ([A-Za-z0-9._-] only). */
void bw_mf_host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "host");
	buf[len - 1] = 0;
	for (char *c = buf; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("._-", *c)))
			*c = '_';
}

/* "DIR/.NAME.merge-HOST-" for OUT = "DIR/NAME" (what follows: a process id). */
int bw_mf_temp_prefix(const char *out, char *buf, size_t len)
{
	char host[65];
	bw_mf_host_name(host, sizeof host);
	const char *slash = strrchr(out, '/');
	int dlen = slash ? (int)(slash - out + 1) : 0;
	int n = snprintf(buf, len, "%.*s.%s.merge-%s-", dlen, out, slash ? slash + 1 : out, host);
	if (n < 0 || (size_t)n + 24 >= len)
		return RAISE(BW_EINVAL, "path too long: '%.64s...'", out);
	return BW_OK;
}

void bw_mf_temp_remove(const char *tmp)
{
	static const char *const side[] = {"", "-journal", "-wal", "-shm"};
	char p[PATH_MAX + 16];
	for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
		snprintf(p, sizeof p, "%s%s", tmp, side[i]);
		unlink(p);
	}
}

int bw_mf_sync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return RAISE(BW_EIO, "syncing '%s': %s", path, strerror(e));
	}
	close(fd);
	return BW_OK;
}

/* Puts the finished file `tmp` in place as OUT unless OUT exists by now
 * (*raced: another merge made it meanwhile; tmp is left). */
int bw_mf_put_in_place(const char *tmp, const char *out, int *raced)
{
	*raced = 0;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) == 0)
		return BW_OK;
	if (errno != EEXIST && errno != EINVAL && errno != ENOSYS && errno != ENOTSUP && errno != EOPNOTSUPP)
		return RAISE(BW_EIO, "putting the merged catalog in place as '%s': %s", out, strerror(errno));
	/* no RENAME_NOREPLACE on this file system (NFS): a second name, then the temporary one goes */
	if (errno != EEXIST && link(tmp, out) == 0) {
		unlink(tmp);
		return BW_OK;
	}
	if (errno != EEXIST)
		return RAISE(BW_EIO, "putting the merged catalog in place as '%s': %s", out, strerror(errno));
	*raced = 1;
	return BW_OK;
}

/* Removes the temporary files that merges of this host into OUT, killed
 * before they put theirs in place, left behind (their process is gone). */
void bw_mf_temp_sweep(const char *out, const char *out_dir)
{
	char prefix[PATH_MAX], path[PATH_MAX + 260];
	if (bw_mf_temp_prefix(out, prefix, sizeof prefix) != BW_OK)
		return;
	const char *slash = strrchr(prefix, '/');
	const char *base = slash ? slash + 1 : prefix;
	size_t blen = strlen(base);
	DIR *d = opendir(out_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end = NULL;
		if (strncmp(e->d_name, base, blen))
			continue;
		long pid = strtol(e->d_name + blen, &end, 10);
		if (end == e->d_name + blen || pid <= 0 || pid == (long)getpid() ||
		    (*end && strcmp(end, "-journal") && strcmp(end, "-wal") && strcmp(end, "-shm")))
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its merge may still be running */
		snprintf(path, sizeof path, "%s/%s", out_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

int bw_mf_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}
