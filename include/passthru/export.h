/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PT_EXPORT marks each function of the public API. The library is built
 * with -fvisibility=hidden, so exactly the marked functions are exported,
 * and libpassthru.sym names each of them under its version node. */
#pragma once

#define PT_EXPORT __attribute__((visibility("default")))
