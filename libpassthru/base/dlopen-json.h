/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c, loaded on first use (see dlopen-lib.h): only a report written as
 * JSON needs it. Include this instead of <json-c/json.h>; the json_* names
 * below then call through the table. A json_* function missing from the
 * list fails the link (-z defs), since json-c is not linked. */
#pragma once

#include <json-c/json.h>

#include "dlopen-lib.h"

#define DLOPEN_JSON_SYMS(X)                                                    \
	X(json_object_array_add)                                               \
	X(json_object_new_array)                                               \
	X(json_object_new_boolean)                                             \
	X(json_object_new_int64)                                               \
	X(json_object_new_object)                                              \
	X(json_object_new_string)                                              \
	X(json_object_object_add)                                              \
	X(json_object_put)                                                     \
	X(json_object_to_json_string_ext)                                      \
	X(json_object_get_type)                                                \
	X(json_tokener_parse)

DLOPEN_JSON_SYMS(DLOPEN_DECLARE)

/* Loads libjson-c.so.5 once; 0 or -EOPNOTSUPP naming it (see dlopen_lib_load). */
int dlopen_json(struct pt_error *err);

#define json_object_array_add sym_json_object_array_add
#define json_object_new_array sym_json_object_new_array
#define json_object_new_boolean sym_json_object_new_boolean
#define json_object_new_int64 sym_json_object_new_int64
#define json_object_new_object sym_json_object_new_object
#define json_object_new_string sym_json_object_new_string
#define json_object_object_add sym_json_object_object_add
#define json_object_put sym_json_object_put
#define json_object_to_json_string_ext sym_json_object_to_json_string_ext
#define json_object_get_type sym_json_object_get_type
#define json_tokener_parse sym_json_tokener_parse
