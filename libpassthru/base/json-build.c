/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "json-build.h"

struct json_object *jnew(struct jb *b, struct json_object *v)
{
	if (!v)
		b->failed = true;
	return v;
}

void jadd(struct jb *b, struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		b->failed = true;
	}
}

void jadd_str(struct jb *b, struct json_object *o, const char *key, const char *s)
{
	jadd(b, o, key, s ? jnew(b, json_object_new_string(s)) : NULL);
}

void jadd_int(struct jb *b, struct json_object *o, const char *key, int64_t v)
{
	jadd(b, o, key, jnew(b, json_object_new_int64(v)));
}

void jadd_bool(struct jb *b, struct json_object *o, const char *key, bool v)
{
	jadd(b, o, key, jnew(b, json_object_new_boolean(v)));
}

void jpush(struct jb *b, struct json_object *arr, struct json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		b->failed = true;
	}
}

struct json_object *jstr(struct jb *b, const char *s)
{
	return jnew(b, json_object_new_string(s));
}

struct json_object *jint(struct jb *b, int64_t v) { return jnew(b, json_object_new_int64(v)); }

char *jb_finish(struct jb *b, struct json_object *root, const char *what, struct pt_error *err)
{
	char *out = NULL;
	if (!b->failed && root) {
		const char *s = json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				      JSON_C_TO_STRING_NOSLASHESCAPE);
		if (s && asprintf(&out, "%s\n", s) < 0)
			out = NULL;
	}
	json_object_put(root);
	if (!out)
		pt_error_set(err, ENOMEM, "%s: json", what);
	return out;
}
