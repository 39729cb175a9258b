/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: building JSON with json-c (loaded lazily, dlopen-json.h). json-c
 * returns NULL when out of memory, and NULL is also how it writes null: the
 * builder remembers a failure, so one check at the end does. One copy for
 * the probe, the doctor, CDI specs and the report sections. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dlopen-json.h"
#include "passthru/error.h"

struct jb {
	bool failed;
};

/* v, remembering a NULL (out of memory). */
struct json_object *jnew(struct jb *b, struct json_object *v);
/* Adds v (NULL: null) under key; takes v. */
void jadd(struct jb *b, struct json_object *o, const char *key, struct json_object *v);
/* A string, or null for NULL. */
void jadd_str(struct jb *b, struct json_object *o, const char *key, const char *s);
void jadd_int(struct jb *b, struct json_object *o, const char *key, int64_t v);
void jadd_bool(struct jb *b, struct json_object *o, const char *key, bool v);
/* Appends v to an array; takes v. */
void jpush(struct jb *b, struct json_object *arr, struct json_object *v);
struct json_object *jstr(struct jb *b, const char *s);
struct json_object *jint(struct jb *b, int64_t v);

/* The document as pretty text ending in a newline (caller frees), and
 * root released; NULL with err ("WHAT: json: …") after any failure. */
char *jb_finish(struct jb *b, struct json_object *root, const char *what, struct pt_error *err);
