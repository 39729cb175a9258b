/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-json.h"
#include "util.h"

DLOPEN_JSON_SYMS(DLOPEN_DEFINE)

DLOPEN_NOTE(note_json,
	    "[{\"soname\":[\"libjson-c.so.5\"],\"feature\":\"json\","
	    "\"description\":\"Write the probe report as JSON\","
	    "\"priority\":\"recommended\"}]");

static const struct dlopen_sym json_syms[] = {DLOPEN_JSON_SYMS(DLOPEN_SYM)};

static struct dlopen_lib json = {
	.soname = "libjson-c.so.5",
	.feature = "JSON output",
	.syms = json_syms,
	.n_syms = ELEMENTSOF(json_syms),
};

int dlopen_json(struct pt_error *err) { return dlopen_lib_load(&json, err); }
