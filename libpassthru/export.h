/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Force-included (-include) into every library object before anything
 * else: the library builds with -fvisibility=hidden, and declaring the
 * public headers under default visibility here exports exactly the API
 * they document, without an attribute on every prototype. The version
 * script then names it PASSTHRU_0.1. */
#pragma GCC visibility push(default)
#include "passthru/passthru.h"
#pragma GCC visibility pop
