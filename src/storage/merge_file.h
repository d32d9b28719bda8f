/* merge_file.h - merge's helpers for files and paths (internal to src/storage). */
#ifndef BIASWEEP_STORAGE_MERGE_FILE_H
#define BIASWEEP_STORAGE_MERGE_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

/* "file:" URI of a path with every byte outside [A-Za-z0-9/._~-] escaped,
 * so that '?', '#' and '%' in a name are just characters; mode "ro"/"rw". */
char *bw_mf_file_uri(const char *path, const char *mode);

/* realpath of the directory that holds `path` (which need not exist). */
int bw_mf_dir_of(const char *path, char out[PATH_MAX]);

/* The path from directory `from` to directory `to` (both absolute, canonical),
 * with a trailing '/', or "" when they are the same. */
int bw_mf_relative_dir(const char *from, const char *to, char *buf, size_t len);

/* This host's name for temporary file names ([A-Za-z0-9._-] only). */
void bw_mf_host_name(char *buf, size_t len);

/* "DIR/.NAME.merge-HOST-" for OUT = "DIR/NAME" (what follows: a process id). */
int bw_mf_temp_prefix(const char *out, char *buf, size_t len);

void bw_mf_temp_remove(const char *tmp);

int bw_mf_sync_path(const char *path, int dir);

/* Puts the finished file `tmp` in place as OUT unless OUT exists by now
 * (*raced: another merge made it meanwhile; tmp is left). */
int bw_mf_put_in_place(const char *tmp, const char *out, int *raced);

/* Removes the temporary files of merges into OUT (in directory out_dir) whose
 * process is gone. */
void bw_mf_temp_sweep(const char *out, const char *out_dir);

/* The same file (device and inode). */
int bw_mf_same_file(const struct stat *a, const struct stat *b);

#endif
