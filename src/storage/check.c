/* check.c - the one check of a catalog file (contract in check.h).
 *
 * The expected schema is not a list kept here: it is the schema schema.c
 * holds (catalog.c creates it), built into a private in-memory database and compared with the
 * file object by object (kind, column names) and, for the links, foreign
 * key by foreign key.  A table or column added to the schema is checked
 * without a change here.  Names pasted into SQL come from that schema or
 * from the caller's constant alias, quoted with %w.
 */
#include "check.h"

#include "biasweep/catalog.h"
#include "biasweep/error.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------- */

/* A failed read of the file: what kind of file it is, when that is the cause. */
static int read_error(sqlite3 *db, const char *path, const char *what)
{
	int ext = sqlite3_extended_errcode(db) & 0xff;
	if (ext == SQLITE_NOTADB)
		return RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (not an SQLite database)", path);
	if (ext == SQLITE_CORRUPT)
		return RAISE(BW_EINVAL, "catalog '%s' is corrupt (%s): truncated or damaged", path, sqlite3_errmsg(db));
	if (ext == SQLITE_CANTOPEN)
		return RAISE(BW_EIO, "cannot open catalog '%s': %s", path, sqlite3_errmsg(db));
	if (ext == SQLITE_NOMEM)
		return RAISE(BW_ENOMEM, "out of memory reading catalog '%s'", path);
	return RAISE(BW_ESTORE, "catalog '%s': %s: %s", path, what, sqlite3_errmsg(db));
}

/* Prepares sqlite3_mprintf's result (and frees it); *s = NULL on failure. */
static int prepare_owned(sqlite3 *db, char *sql, sqlite3_stmt **s)
{
	*s = NULL;
	if (!sql)
		return SQLITE_NOMEM;
	int rc = sqlite3_prepare_v2(db, sql, -1, s, NULL);
	sqlite3_free(sql);
	return rc;
}

/* The schema of this version in a private in-memory database. */
static int reference_open(sqlite3 **ref)
{
	*ref = NULL;
	if (sqlite3_open_v2(":memory:", ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(*ref);
		*ref = NULL;
		return RAISE(BW_ENOMEM, "out of memory building the reference schema");
	}
	if (sqlite3_exec(*ref, bw_catalog_schema(NULL), NULL, NULL, NULL) != SQLITE_OK) {
		int e = RAISE(BW_EINTERNAL, "the catalog schema does not build: %s", sqlite3_errmsg(*ref));
		sqlite3_close(*ref);
		*ref = NULL;
		return e;
	}
	return BW_OK;
}

static int added_later(const char *name)
{
	const char *const *added;
	bw_catalog_schema(&added);
	for (; added && *added; added++)
		if (!sqlite3_stricmp(*added, name))
			return 1;
	return 0;
}

/* A column the schema gained after files were made (check.h): a table of a
 * file may lack it, and so may every view (they show the tables' columns). */
static int added_column(const char *kind, const char *name, const char *column)
{
	for (const struct bw_schema_column *c = bw_catalog_schema_added_columns(); c->table; c++)
		if (!sqlite3_stricmp(c->column, column) && (!strcmp(kind, "view") || !sqlite3_stricmp(c->table, name)))
			return 1;
	return 0;
}

struct names {
	size_t n;
	char **v;
};

static void names_release(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int names_has(const struct names *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!sqlite3_stricmp(s->v[i], x))
			return 1;
	return 0;
}

/* The column names of PRAGMA table_info, in the table's order (pk_only: those of its primary key). */
static int columns(sqlite3 *db, const char *schema, const char *table, int pk_only, struct names *out)
{
	sqlite3_stmt *s;
	int rc;
	size_t cap = 0;
	out->n = 0;
	out->v = NULL;
	if (prepare_owned(db, sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", schema, table), &s) != SQLITE_OK)
		return SQLITE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		if (!name || (pk_only && sqlite3_column_int(s, 5) < 1))
			continue;
		if (out->n == cap) {
			char **nv = realloc(out->v, (cap ? 2 * cap : 32) * sizeof *nv);
			if (!nv) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->v = nv;
			cap = cap ? 2 * cap : 32;
		}
		if (!(out->v[out->n] = strdup(name))) {
			rc = SQLITE_NOMEM;
			break;
		}
		out->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		names_release(out);
		return rc == SQLITE_NOMEM ? rc : SQLITE_ERROR;
	}
	return SQLITE_OK;
}

/* ---- the version ----------------------------------------------------------- */

int bw_catalog_version(sqlite3 *db, const char *schema, const char *path, long *version)
{
	sqlite3_stmt *s;
	int rc, has_meta = 0, other = 0;
	*version = 0;
	if (prepare_owned(db, sqlite3_mprintf("SELECT name FROM \"%w\".sqlite_master WHERE type = 'table'", schema),
			  &s) == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			if (name && !strcmp(name, "meta"))
				has_meta = 1;
			else if (name && strncmp(name, "sqlite_", 7))
				other++;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return read_error(db, path, "reading the schema");
	} else {
		return read_error(db, path, "reading the schema");
	}
	if (!has_meta)
		return other ? RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (an SQLite database with other tables)", path)
			     : BW_OK;

	if (prepare_owned(db, sqlite3_mprintf("SELECT value FROM \"%w\".meta WHERE key = 'schema_version'", schema),
			  &s) != SQLITE_OK) {
		int ext = sqlite3_extended_errcode(db) & 0xff;
		if (ext == SQLITE_CORRUPT || ext == SQLITE_NOTADB || ext == SQLITE_NOMEM)
			return read_error(db, path, "reading schema_version");
		return RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (unreadable meta table: %s)", path,
			     sqlite3_errmsg(db));
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		char *end = NULL;
		long x = v ? strtol(v, &end, 10) : 0;
		int bad = !v || end == v || *end || x < 1;
		sqlite3_finalize(s);
		if (bad)
			return RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (bad schema_version in meta)", path);
		*version = x;
		return BW_OK;
	}
	int e = rc == SQLITE_DONE ? RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (meta has no schema_version)", path)
				  : read_error(db, path, "reading schema_version");
	sqlite3_finalize(s);
	return e;
}

/* ---- the objects and their columns -------------------------------------------- */

/* That `name` (a `kind` of the reference) has the reference's columns in the file. */
static int same_columns(sqlite3 *ref, sqlite3 *db, const char *schema, const char *path, const char *kind,
			const char *name)
{
	struct names want, have;
	if (columns(ref, "main", name, 0, &want) != SQLITE_OK)
		return RAISE(BW_EINTERNAL, "reading the reference schema of %s: %s", name, sqlite3_errmsg(ref));
	int rc = columns(db, schema, name, 0, &have);
	if (rc != SQLITE_OK || !have.n) {
		int ext = sqlite3_extended_errcode(db) & 0xff;
		names_release(&want);
		if (rc == SQLITE_NOMEM || ext == SQLITE_CORRUPT || ext == SQLITE_NOTADB || ext == SQLITE_NOMEM)
			return read_error(db, path, "reading the columns");
		return RAISE(BW_EINVAL, "'%s': not a complete biasweep catalog (%s %s does not read: %s)", path, kind, name,
			     rc != SQLITE_OK ? sqlite3_errmsg(db) : "no columns");
	}
	rc = BW_OK;
	for (size_t i = 0; rc == BW_OK && i < want.n; i++)
		if (!names_has(&have, want.v[i]) && !added_column(kind, name, want.v[i]))
			rc = RAISE(BW_EINVAL, "'%s': not a complete biasweep catalog (%s %s has no column %s)", path, kind,
				   name, want.v[i]);
	for (size_t i = 0; rc == BW_OK && i < have.n; i++)
		if (!names_has(&want, have.v[i]))
			rc = RAISE(BW_EINVAL,
				   "'%s': not a biasweep catalog of schema version %d (%s %s has an unexpected column %s)",
				   path, BW_SCHEMA_VERSION, kind, name, have.v[i]);
	names_release(&want);
	names_release(&have);
	return rc;
}

int bw_catalog_check(sqlite3 *db, const char *schema, const char *path, unsigned flags, long *version)
{
	CHECK(bw_catalog_version(db, schema, path, version));
	if (!*version)
		return (flags & BW_CHECK_EMPTY_OK) ? BW_OK
						   : RAISE(BW_EINVAL, "'%s' is not a biasweep catalog (empty database)", path);
	if (*version > BW_SCHEMA_VERSION)
		return RAISE(BW_EINVAL, "catalog '%s' has schema_version %ld, newer than this biasweep (%d): upgrade biasweep",
			     path, *version, BW_SCHEMA_VERSION);
	if (*version < BW_SCHEMA_VERSION)
		return RAISE(BW_EINVAL, "catalog '%s' has schema_version %ld, older than this biasweep (%d), and no "
			     "migration exists", path, *version, BW_SCHEMA_VERSION);

	sqlite3 *ref;
	sqlite3_stmt *objs = NULL, *kind = NULL;
	CHECK(reference_open(&ref));
	int rc = BW_OK;
	if (sqlite3_prepare_v2(ref, "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY rowid",
			       -1, &objs, NULL) != SQLITE_OK)
		rc = RAISE(BW_EINTERNAL, "listing the reference schema: %s", sqlite3_errmsg(ref));
	else if (prepare_owned(db,
			       sqlite3_mprintf("SELECT type FROM \"%w\".sqlite_master WHERE name = ?1 COLLATE NOCASE"
					       " AND type IN ('table', 'view')", schema),
			       &kind) != SQLITE_OK)
		rc = read_error(db, path, "reading the schema");
	while (rc == BW_OK && sqlite3_step(objs) == SQLITE_ROW) {
		const char *want = (const char *)sqlite3_column_text(objs, 0);
		const char *name = (const char *)sqlite3_column_text(objs, 1);
		sqlite3_reset(kind);
		sqlite3_bind_text(kind, 1, name, -1, SQLITE_TRANSIENT);
		int st = sqlite3_step(kind);
		if (st == SQLITE_DONE) {
			if (!added_later(name))
				rc = RAISE(BW_EINVAL, "'%s': not a complete biasweep catalog (missing %s %s)", path, want, name);
		} else if (st != SQLITE_ROW) {
			rc = read_error(db, path, "reading the schema");
		} else if (strcmp((const char *)sqlite3_column_text(kind, 0), want)) {
			rc = RAISE(BW_EINVAL, "'%s': not a complete biasweep catalog (%s is a %s, not a %s)", path, name,
				   (const char *)sqlite3_column_text(kind, 0), want);
		} else {
			rc = same_columns(ref, db, schema, path, want, name);
		}
	}
	sqlite3_finalize(kind);
	sqlite3_finalize(objs);
	sqlite3_close(ref);
	return rc;
}

/* ---- the links --------------------------------------------------------------- */

/* "sweep_tasks" -> "sweep_task" (the noun of one row) */
static void noun(const char *table, char *buf, size_t len)
{
	size_t n = strlen(table);
	if (n > 1 && table[n - 1] == 's')
		n--;
	snprintf(buf, len, "%.*s", (int)n, table);
}

/* The first row of `child` whose column `from` names no row of parent(`to`). */
static int one_link(sqlite3 *ref, sqlite3 *db, const char *schema, const char *path, const char *child,
		    const char *from, const char *parent, const char *to)
{
	struct names pk, ppk;
	char *ident = NULL, *sql;
	sqlite3_stmt *s;
	int rc, from_in_key = 0;
	if (columns(ref, "main", child, 1, &pk) != SQLITE_OK)
		return RAISE(BW_EINTERNAL, "reading the reference schema of %s", child);
	if (!to) { /* REFERENCES parent: its primary key */
		if (columns(ref, "main", parent, 1, &ppk) != SQLITE_OK || ppk.n != 1) {
			names_release(&pk);
			return RAISE(BW_EINTERNAL, "the reference schema: %s without a one-column key", parent);
		}
	} else {
		ppk.n = 0;
		ppk.v = NULL;
	}
	for (size_t i = 0; i < pk.n; i++) {
		ident = sqlite3_mprintf("%z%sc.\"%w\"", ident, i ? ", " : "", pk.v[i]);
		from_in_key |= !sqlite3_stricmp(pk.v[i], from);
	}
	if (!pk.n)
		ident = sqlite3_mprintf("c.rowid");
	sql = ident ? sqlite3_mprintf("SELECT c.\"%w\", %s FROM \"%w\".\"%w\" AS c WHERE c.\"%w\" IS NOT NULL AND NOT EXISTS"
				      " (SELECT 1 FROM \"%w\".\"%w\" AS p WHERE p.\"%w\" = c.\"%w\") LIMIT 1",
				      from, ident, schema, child, from, schema, parent, to ? to : ppk.v[0], from)
		    : NULL;
	sqlite3_free(ident);
	size_t nkey = pk.n ? pk.n : 1;
	names_release(&pk);
	names_release(&ppk);
	if (prepare_owned(db, sql, &s) != SQLITE_OK)
		return read_error(db, path, "checking the links between tables");
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return BW_OK;
	}
	if (rc != SQLITE_ROW) {
		int e = read_error(db, path, "checking the links between tables");
		sqlite3_finalize(s);
		return e;
	}
	char who[256] = "", c[64], p[64];
	size_t used = 0;
	for (size_t i = 0; i < nkey && used < sizeof who; i++) {
		const char *v = (const char *)sqlite3_column_text(s, 1 + (int)i);
		used += (size_t)snprintf(who + used, sizeof who - used, "%s%.64s", i ? ", " : nkey > 1 ? "(" : "",
					 v ? v : "NULL");
	}
	if (nkey > 1 && used < sizeof who)
		snprintf(who + used, sizeof who - used, ")");
	noun(child, c, sizeof c);
	noun(parent, p, sizeof p);
	const char *v = (const char *)sqlite3_column_text(s, 0);
	if (from_in_key)
		rc = RAISE(BW_EINVAL, "'%s': not a consistent catalog: %s %s has no %s row", path, c, who, p);
	else
		rc = RAISE(BW_EINVAL, "'%s': not a consistent catalog: %s %s has no %s row (%s %.64s)", path, c, who, p,
			   from, v ? v : "NULL");
	sqlite3_finalize(s);
	return rc;
}

int bw_catalog_check_links(sqlite3 *db, const char *schema, const char *path)
{
	sqlite3 *ref;
	sqlite3_stmt *tables = NULL;
	CHECK(reference_open(&ref));
	int rc = BW_OK;
	if (sqlite3_prepare_v2(ref, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid DESC", -1, &tables,
			       NULL) != SQLITE_OK)
		rc = RAISE(BW_EINTERNAL, "listing the reference schema: %s", sqlite3_errmsg(ref));
	while (rc == BW_OK && sqlite3_step(tables) == SQLITE_ROW) {
		const char *child = (const char *)sqlite3_column_text(tables, 0);
		sqlite3_stmt *fk;
		if (prepare_owned(ref, sqlite3_mprintf("PRAGMA foreign_key_list(\"%w\")", child), &fk) != SQLITE_OK) {
			rc = RAISE(BW_EINTERNAL, "reading the reference schema's foreign keys: %s", sqlite3_errmsg(ref));
			break;
		}
		/* (id, seq, table, from, to, ...): the schema's keys are one column each */
		while (rc == BW_OK && sqlite3_step(fk) == SQLITE_ROW)
			rc = sqlite3_column_int(fk, 1) != 0
				     ? RAISE(BW_EINTERNAL, "the catalog schema has a foreign key of several columns (%s)", child)
				     : one_link(ref, db, schema, path, child, (const char *)sqlite3_column_text(fk, 3),
						(const char *)sqlite3_column_text(fk, 2), (const char *)sqlite3_column_text(fk, 4));
		sqlite3_finalize(fk);
	}
	sqlite3_finalize(tables);
	sqlite3_close(ref);
	return rc;
}
