/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A plan as the settings of a long-lived systemd-nspawn machine, for
 * `machinectl start MACHINE` (systemd-nspawn@MACHINE.service):
 *
 *  - DIR/MACHINE.nspawn: [Exec] ProcessTwo=yes, User= when the plan has
 *    one, one Environment= per variable, Parameters= with the plan's
 *    command when it has one; [Files] Bind= / BindReadOnly= per bind and
 *    Bind= per device node (the node itself, never read-only, as the nspawn
 *    backend passes it), paths escaped as nspawn reads them ("\:", "\\");
 *    [Network] Private=yes with PT_PLAN_PRIVATE_NETWORK;
 *  - DIR/systemd-nspawn@MACHINE.service.d/passthru.conf: [Service]
 *    DeviceAllow= for every device node (the plan's access) and device
 *    bind. The template unit runs nspawn with DevicePolicy=closed and
 *    --keep-unit, so nspawn adds no DeviceAllow of its own: without the
 *    drop-in the binds are there and every open fails with EPERM;
 *  - the plan's generated files in DIR/MACHINE.files/, bound read-only.
 *
 * Put MACHINE.nspawn in /etc/systemd/nspawn/ (or /run/systemd/nspawn/)
 * and the drop-in directory in /etc/systemd/system/; nothing is written
 * outside dir. Every file is written atomically (a temporary file in the
 * same directory, then rename). dir must exist; the plan's root is not
 * used (machinectl finds MACHINE in /var/lib/machines).
 *
 * -EINVAL for a machine name systemd would refuse (letters, digits, '-',
 * '_', '.', at most 64, not starting with '.' or '-') and for an
 * environment value or argument with a line break, which a .nspawn file
 * cannot hold (each word is written in single quotes, taken literally).
 */
PT_EXPORT int pt_nspawn_settings_write(const struct pt_plan *plan, const char *machine, const char *dir,
			     struct pt_error *err);

#ifdef __cplusplus
}
#endif
