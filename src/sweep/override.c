/* override.c - command-line overrides of a spec's settings (`--set d=[64,128]`,
 * `--set algorithms.sgd.batch=8`) applied to libconfig's tree before it is
 * checked, and the effective spec text written back from the tree.
 *
 * Each VALUE is parsed by libconfig itself, as the text "x = VALUE;", so it has
 * the file's syntax; the setting at PATH is then replaced (or added, with the
 * groups on its way).  The settings that came from override k carry the line
 * SPEC_LINE_OVERRIDE + k, which spec_fail (parse.c) turns into "--set TEXT: ". */
#include "parse.h"

#include "biasweep/error.h"
#include "biasweep/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the value of src (a setting of the same type) into dst, recursively. */
static int copy_value(config_setting_t *dst, const config_setting_t *src, unsigned line)
{
	dst->line = line;
	switch (config_setting_type(src)) {
	case CONFIG_TYPE_INT:
		return config_setting_set_int(dst, config_setting_get_int(src)) == CONFIG_TRUE ? BW_OK : BW_EINVAL;
	case CONFIG_TYPE_INT64:
		return config_setting_set_int64(dst, config_setting_get_int64(src)) == CONFIG_TRUE ? BW_OK : BW_EINVAL;
	case CONFIG_TYPE_FLOAT:
		return config_setting_set_float(dst, config_setting_get_float(src)) == CONFIG_TRUE ? BW_OK : BW_EINVAL;
	case CONFIG_TYPE_STRING:
		return config_setting_set_string(dst, config_setting_get_string(src)) == CONFIG_TRUE ? BW_OK : BW_EINVAL;
	case CONFIG_TYPE_BOOL:
		return config_setting_set_bool(dst, config_setting_get_bool(src)) == CONFIG_TRUE ? BW_OK : BW_EINVAL;
	default: /* group, array, list */
		for (int i = 0; i < config_setting_length(src); i++) {
			const config_setting_t *e = config_setting_get_elem(src, (unsigned)i);
			config_setting_t *c = config_setting_add(dst, config_setting_name(e), config_setting_type(e));
			if (!c || copy_value(c, e, line) != BW_OK)
				return BW_EINVAL;
		}
		return BW_OK;
	}
}

static int set_fail(const char *set, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg);
	return RAISE(BW_EINVAL, "--set %s: %s", set, msg);
}

/* One override "PATH=VALUE" into root; line marks what it sets. */
static int apply_one(config_setting_t *root, const char *set, unsigned line)
{
	const char *eq = strchr(set, '=');
	if (!eq)
		return set_fail(set, "expected KEY=VALUE (e.g. d=[64,128], algorithms.sgd.batch=8)%s", "");
	char path[256];
	size_t plen = (size_t)(eq - set);
	while (plen && (set[plen - 1] == ' ' || set[plen - 1] == '\t'))
		plen--;
	if (!plen || plen >= sizeof path)
		return set_fail(set, "expected KEY=VALUE with a setting's name before '='%s", "");
	memcpy(path, set, plen);
	path[plen] = 0;

	if (strstr(eq + 1, "@include"))
		return set_fail(set, "@include is not supported%s", "");
	size_t vlen = strlen(eq + 1);
	char *text = malloc(vlen + 16);
	if (!text)
		return RAISE(BW_ENOMEM, "out of memory");
	snprintf(text, vlen + 16, "x = %s\n;", eq + 1);
	config_t val;
	config_init(&val);
	int ok = config_read_string(&val, text) == CONFIG_TRUE;
	free(text);
	config_setting_t *v = ok ? config_lookup(&val, "x") : NULL;
	int rc = BW_OK;
	if (!ok) {
		char why[160];
		snprintf(why, sizeof why, "'%s' is not a value of the spec's syntax (%s)", eq + 1, config_error_text(&val));
		rc = set_fail(set, "%s", why);
	} else if (!v || config_setting_length(config_root_setting(&val)) != 1) {
		rc = set_fail(set, "the value must be one value, a list [..] or a group {..}, not several settings%s", "");
	}

	/* walk to the parent group, adding the groups on the way */
	config_setting_t *parent = root;
	char *name = path;
	for (char *dot; rc == BW_OK && (dot = strchr(name, '.')); name = dot + 1) {
		*dot = 0;
		config_setting_t *g = config_setting_get_member(parent, name);
		if (!g) {
			g = config_setting_add(parent, name, CONFIG_TYPE_GROUP);
			if (g)
				g->line = line;
		}
		if (!g)
			rc = set_fail(set, "'%s' is not a setting's name (letters, digits, '_' and '-', starting with a letter)",
				      name);
		else if (!config_setting_is_group(g))
			rc = set_fail(set, "'%s' is not a group, so it has no settings to set", name);
		parent = g;
	}
	if (rc == BW_OK) {
		if (config_setting_get_member(parent, name))
			config_setting_remove(parent, name);
		config_setting_t *s = config_setting_add(parent, name, config_setting_type(v));
		if (!s)
			rc = set_fail(set, "'%s' is not a setting's name (letters, digits, '_' and '-', starting with a letter)",
				      name);
		else if (copy_value(s, v, line) != BW_OK)
			rc = RAISE(BW_ENOMEM, "--set %s: out of memory", set);
	}
	config_destroy(&val);
	return rc;
}

int spec_apply_overrides(config_t *cfg, const char *const *sets, size_t nsets)
{
	if (nsets > SPEC_MAX_OVERRIDES)
		return RAISE(BW_EINVAL, "more than %d --set overrides", SPEC_MAX_OVERRIDES);
	for (size_t k = 0; k < nsets; k++)
		CHECK(apply_one(config_root_setting(cfg), sets[k], SPEC_LINE_OVERRIDE + (unsigned)k));
	return BW_OK;
}

/* ---- the tree as spec text ---- */

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_value(FILE *f, const config_setting_t *s, int depth)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		fprintf(f, "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		fprintf(f, "%lldL", (long long)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT: { /* shortest text that reads back as the same double, always a float */
		double x = config_setting_get_float(s);
		char buf[40];
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, x);
			if (strtod(buf, NULL) == x)
				break;
		}
		fputs(buf, f);
		if (!strpbrk(buf, ".eEin"))
			fputs(".0", f);
		break;
	}
	case CONFIG_TYPE_STRING:
		put_string(f, config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		fputs(config_setting_get_bool(s) ? "true" : "false", f);
		break;
	case CONFIG_TYPE_GROUP:
		fputs("{\n", f);
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			fprintf(f, "%*s%s = ", 2 * (depth + 1), "", config_setting_name(e));
			put_value(f, e, depth + 1);
			fputs(";\n", f);
		}
		fprintf(f, "%*s}", 2 * depth, "");
		break;
	default: { /* array [..] or list (..) */
		int list = config_setting_type(s) == CONFIG_TYPE_LIST;
		fputc(list ? '(' : '[', f);
		for (int i = 0; i < config_setting_length(s); i++) {
			fputs(i ? ", " : "", f);
			put_value(f, config_setting_get_elem(s, (unsigned)i), depth);
		}
		fputc(list ? ')' : ']', f);
	}
	}
}

int spec_effective_text(const config_t *cfg, const char *path, const char *const *sets, size_t nsets, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return RAISE(BW_ENOMEM, "out of memory");
	fputs("# the effective spec: ", f);
	fputs(path, f);
	for (size_t k = 0; k < nsets; k++) {
		fputs(" --set ", f);
		for (const char *c = sets[k]; *c; c++) /* one comment line */
			fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
	}
	fputs("\n", f);
	const config_setting_t *root = config_root_setting(cfg);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *e = config_setting_get_elem(root, (unsigned)i);
		fprintf(f, "%s = ", config_setting_name(e));
		put_value(f, e, 0);
		fputs(";\n", f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	*out = buf;
	return BW_OK;
}
