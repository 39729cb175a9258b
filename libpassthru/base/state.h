/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: where the library keeps state (launch directories, a display's
 * cookie and log): one policy for all of it. */
#pragma once

/* $XDG_RUNTIME_DIR when it is an absolute path to a directory of the
 * caller's that the caller may write, else $TMPDIR, else /tmp. */
const char *state_base_dir(void);
