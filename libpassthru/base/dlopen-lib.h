/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Optional libraries loaded on first use, the way systemd loads its own:
 * each library has a table of function pointers, filled once by dlopen +
 * dlsym the first time a feature needs it. A program that never asks for
 * audio, a display or JSON never maps libpulse, the X libraries or json-c
 * (nor what they pull in: libsndfile, FLAC, vorbis, gcrypt, ...), and a
 * host without one loses that feature only. Private. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "passthru/error.h"

/* One symbol of a table: where its pointer lives and its name. */
struct dlopen_sym {
	void **ptr;
	const char *name;
};

/* One optional library. Static storage, zero-initialised except for the
 * constant fields; dlopen_lib_load() fills the rest once. */
struct dlopen_lib {
	const char *soname;  /* what dlopen asks for, e.g. "libpulse.so.0" */
	const char *feature; /* what needs it, for the error: "PulseAudio passthrough" */
	const struct dlopen_sym *syms;
	size_t n_syms;
	/* Set once under a lock, then read without one: 0 not tried yet,
	 * 1 loaded, -errno failed (the failure is remembered: a second
	 * attempt would map and unmap the same files again). */
	int state;
	char why[192];
};

/*
 * Loads lib and resolves all its symbols, once per process; thread-safe.
 * Returns 0, or -EOPNOTSUPP with a one-line message naming the soname and
 * the feature ("libpulse.so.0 is not installed (needed for PulseAudio
 * passthrough)"); then every pointer of the table stays NULL.
 */
int dlopen_lib_load(struct dlopen_lib *lib, struct pt_error *err);

/* Declares sym_NAME, a pointer of NAME's own type; use it in a private
 * header after the library's public header, as an X-macro argument. */
#define DLOPEN_DECLARE(f) extern __typeof__(f) *sym_##f;
/* Defines sym_NAME (in the library's dlopen-*.c), typed by the declaration. */
#define DLOPEN_DEFINE(f) __typeof__(sym_##f) sym_##f;
/* A dlopen_sym table entry. */
#define DLOPEN_SYM(f) {(void **)&sym_##f, #f},

/*
 * An ELF note in the FDO ".note.dlopen" format that systemd defined
 * (https://systemd.io/ELF_DLOPEN_METADATA/), so packagers and tools such as
 * `systemd-analyze dlopen-metadata` see what the library may load: owner
 * "FDO", type 0x407c0c0a, descriptor a NUL-terminated JSON array, the whole
 * note 4-byte aligned and zero-padded. json must be a string literal.
 */
#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE UINT32_C(0x407c0c0a)
#define DLOPEN_NOTE(var, json)                                                 \
	__attribute__((used, section(".note.dlopen"))) _Alignas(uint32_t)     \
	static const struct {                                                  \
		struct {                                                       \
			uint32_t n_namesz, n_descsz, n_type;                   \
		} nhdr;                                                        \
		char name[sizeof(DLOPEN_NOTE_OWNER)];                          \
		_Alignas(uint32_t) char desc[sizeof(json)];                    \
	} var = {                                                              \
		.nhdr = {sizeof(DLOPEN_NOTE_OWNER), sizeof(json), DLOPEN_NOTE_TYPE}, \
		.name = DLOPEN_NOTE_OWNER,                                     \
		.desc = json,                                                  \
	}
