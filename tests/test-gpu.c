/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GPU discovery under umockdev testbeds: fake sysfs, /dev and /proc files
 * for the GPUs this machine lacks (umockdev's preload redirects /sys, /dev,
 * and the /proc paths that exist in the testbed). One testbed per test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <umockdev.h>
#include <unistd.h>

#include "gpu-private.h"
#include "passthru/passthru.h"
#include "pulsehelper.h"
#include "testutil.h"

/* Criterion forks its workers from the runner: the runner itself must run
 * with the preload, so the suite re-executes itself with it. ASan wants to
 * come first among the loaded libraries; the preload comes before it. */
__attribute__((constructor)) static void reexec_with_umockdev(int argc, char **argv)
{
	(void)argc;
	tu_reexec_with_umockdev(argv, "PT_TEST_GPU_REEXEC");
}

static UMockdevTestbed *tb;
static char *tbroot;
static void tb_file(const char *rel, const char *content);
static struct pt_gpu_list *list;
static struct pt_plan *plan;
static char *tmp;

static void setup(void)
{
	cr_assert(getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "libumockdev-preload"),
		  "the suite must run with libumockdev-preload (it re-executes itself with it)");
	tb = umockdev_testbed_new();
	tbroot = umockdev_testbed_get_root_dir(tb);
	/* A /proc path missing from the testbed falls through to the host's:
	 * without this one, a host's NVIDIA driver would show in every test. */
	tb_file("proc/devices", "Character devices:\n  1 mem\n226 drm\n");
	plan = pt_plan_new();
	tmp = tu_tmpdir();
}

static void teardown(void)
{
	pt_gpu_list_free(list);
	list = NULL;
	pt_plan_free(plan);
	g_free(tbroot);
	g_object_unref(tb); /* removes the testbed directory */
	tu_rm_rf(tmp);
	free(tmp);
}

/* No .timeout: Criterion's runner leaks its timeout bookkeeping, which
 * fails `make check-asan`; every child a test starts has its own timeout. */
TestSuite(gpu, .init = setup, .fini = teardown);

/* --- testbed building ------------------------------------------------- */

static char *tb_path(const char *rel)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", tbroot, rel) > 0);
	return p;
}

static void tb_file(const char *rel, const char *content)
{
	char *p = tb_path(rel);
	tu_write(p, content, 0644);
	free(p);
}

/* A device node in the testbed's /dev: umockdev reports a plain file there
 * as a character device with the numbers its dev/.node/NAME link names. */
static void tb_node(const char *name, unsigned major, unsigned minor, unsigned mode, gid_t gid)
{
	char *p = NULL, *link = NULL, *target = NULL;
	cr_assert(asprintf(&p, "dev/%s", name) > 0);
	tb_file(p, "");
	free(p);
	p = tb_path("dev/");
	cr_assert(asprintf(&link, "%s.node/%s", p, name) > 0);
	free(p);
	for (char *c = link + strlen(link) - strlen(name); *c; c++)
		if (*c == '/')
			*c = '_';
	cr_assert(asprintf(&target, "%u:%u", major, minor) > 0);
	char *dir = strdup(link);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0755);
	unlink(link);
	cr_assert(symlink(target, link) == 0, "symlink %s: %s", link, strerror(errno));
	p = NULL;
	cr_assert(asprintf(&p, "%s/dev/%s", tbroot, name) > 0);
	cr_assert(chmod(p, mode) == 0);
	cr_assert(chown(p, 0, gid) == 0);
	free(p);
	free(dir);
	free(link);
	free(target);
}

/* Whether the host itself has path. umockdev cannot hide a host's /dev
 * entry: a testbed without the node falls through to it. */
static bool host_has(const char *path)
{
	char *dir = strdup(getenv("UMOCKDEV_DIR"));
	unsetenv("UMOCKDEV_DIR");
	bool r = access(path, F_OK) == 0;
	setenv("UMOCKDEV_DIR", dir, 1);
	free(dir);
	return r;
}

static void tb_add(const char *desc)
{
	GError *gerr = NULL;
	cr_assert(umockdev_testbed_add_from_string(tb, desc, &gerr), "testbed: %s",
		  gerr ? gerr->message : "?");
}

/* A PCI display device; driver NULL: none bound. */
static void pci_gpu(const char *addr, const char *vendor, const char *device, const char *class,
		    const char *driver, bool boot_vga)
{
	char *d = NULL;
	cr_assert(asprintf(&d,
			   "P: /devices/pci0000:00/%s\n"
			   "E: SUBSYSTEM=pci\n"
			   "E: PCI_SLOT_NAME=%s\n"
			   "%s%s%s"
			   "A: vendor=%s\nA: device=%s\nA: class=%s\nA: boot_vga=%d\n"
			   "%s%s%s\n",
			   addr, addr, driver ? "E: DRIVER=" : "", driver ? driver : "",
			   driver ? "\n" : "", vendor, device, class, boot_vga ? 1 : 0,
			   driver ? "L: driver=../../../bus/pci/drivers/" : "", driver ? driver : "",
			   driver ? "\n" : "") > 0);
	tb_add(d);
	free(d);
}

/* A DRM minor below parent (a sysfs path below /devices), with its node in
 * /dev/dri when node is true (mode 0660, group video). */
static void drm_minor(const char *parent, const char *name, unsigned minor, const char *id_path,
		      bool node)
{
	char *d = NULL;
	cr_assert(asprintf(&d,
			   "P: %s/drm/%s\n"
			   "E: SUBSYSTEM=drm\nE: DEVTYPE=drm_minor\nE: DEVNAME=/dev/dri/%s\n"
			   "E: MAJOR=226\nE: MINOR=%u\n%s%s%s"
			   "A: dev=226:%u\n\n",
			   parent, name, name, minor, id_path ? "E: ID_PATH=" : "",
			   id_path ? id_path : "", id_path ? "\n" : "", minor) > 0);
	tb_add(d);
	free(d);
	/* A connector shares the subsystem but is no minor: it must not count. */
	if (startswith(name, "card")) {
		cr_assert(asprintf(&d, "P: %s/drm/%s/%s-DP-1\nE: SUBSYSTEM=drm\nE: DEVTYPE=drm_connector\n\n",
				   parent, name, name) > 0);
		tb_add(d);
		free(d);
	}
	if (node) {
		char *n = NULL;
		cr_assert(asprintf(&n, "dri/%s", name) > 0);
		tb_node(n, 226, minor, 0660, 44);
		free(n);
	}
}

static const char devices_nvidia[] = "Character devices:\n"
				     "  1 mem\n"
				     "  4 /dev/vc/0\n"
				     "195 nvidia\n"
				     "226 drm\n"
				     "510 nvidia-uvm\n"
				     "511 nvidia-caps\n"
				     "\n"
				     "Block devices:\n"
				     "  8 sd\n"
				     "195 nvidia-uvm\n";

static const char version_closed[] =
	"NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n"
	"GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n";

static void nvidia_info(const char *addr, unsigned minor)
{
	char *p = NULL, *c = NULL;
	cr_assert(asprintf(&p, "proc/driver/nvidia/gpus/%s/information", addr) > 0);
	cr_assert(asprintf(&c,
			   "Model: \t\t NVIDIA GeForce RTX 3050 Ti Laptop GPU\n"
			   "IRQ:   \t\t 160\n"
			   "GPU UUID: \t GPU-5b4a1c3e-0000-0000-0000-000000000000\n"
			   "Video BIOS: \t 94.07.4a.00.31\n"
			   "Bus Type: \t PCIe\n"
			   "DMA Size: \t 47 bits\n"
			   "DMA Mask: \t 0x7fffffffffff\n"
			   "Bus Location: \t %s\n"
			   "Device Minor: \t %u\n"
			   "GPU Excluded:\t No\n",
			   addr, minor) > 0);
	tb_file(p, c);
	free(p);
	free(c);
}

/* The driver's shared nodes, all present. */
static void nvidia_driver(const char *devices)
{
	tb_file("proc/devices", devices);
	tb_file("proc/driver/nvidia/version", version_closed);
	tb_node("nvidiactl", 195, 255, 0666, 0);
	tb_node("nvidia-modeset", 195, 254, 0666, 0);
	tb_node("nvidia-uvm", 510, 0, 0666, 0);
	tb_node("nvidia-uvm-tools", 510, 1, 0666, 0);
}

/* Intel iGPU (boot VGA) + NVIDIA dGPU with nvidia-drm: DRM nodes for both. */
static void hybrid_laptop(void)
{
	pci_gpu("0000:00:02.0", "0x8086", "0x9a49", "0x030000", "i915", true);
	drm_minor("/devices/pci0000:00/0000:00:02.0", "card0", 0, "pci-0000:00:02.0", true);
	drm_minor("/devices/pci0000:00/0000:00:02.0", "renderD128", 128, "pci-0000:00:02.0", true);
	pci_gpu("0000:01:00.0", "0x10de", "0x25a0", "0x030200", "nvidia", false);
	drm_minor("/devices/pci0000:00/0000:01:00.0", "card1", 1, "pci-0000:01:00.0", true);
	drm_minor("/devices/pci0000:00/0000:01:00.0", "renderD129", 129, "pci-0000:01:00.0", true);
	nvidia_info("0000:01:00.0", 0);
	tb_node("nvidia0", 195, 0, 0666, 0);
	nvidia_driver(devices_nvidia);
}

static void probe(void)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_gpu_probe(&list, &err), 0, "%s", err.message);
}

static const char *warning_codes(void)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; i < pt_gpu_list_warning_count(list); i++) {
		strcat(buf, pt_gpu_list_warning(list, i)->code);
		strcat(buf, " ");
	}
	return buf;
}

static bool has_warning(const char *code, const char *text)
{
	for (size_t i = 0; i < pt_gpu_list_warning_count(list); i++) {
		const struct pt_warning *w = pt_gpu_list_warning(list, i);
		if (streq(w->code, code) && (!text || strstr(w->message, text)))
			return true;
	}
	return false;
}

static void assert_node(const struct pt_gpu_node *n, const char *path, const char *kind,
			unsigned major, unsigned minor)
{
	cr_assert_not_null(n, "no node where %s belongs", path);
	cr_assert_str_eq(n->path, path);
	cr_assert_str_eq(pt_gpu_node_kind_name(n->kind), kind, "%s", path);
	cr_assert_eq(n->major, major, "%s major", path);
	cr_assert_eq(n->minor, minor, "%s minor", path);
}

static const char *plan_paths(void)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		strcat(buf, pt_plan_device(plan, i)->path);
		strcat(buf, " ");
	}
	return buf;
}

static int select_into_plan(const char *sel, struct pt_error *err)
{
	struct pt_gpu_selection *s = NULL;
	int r = pt_gpu_select(list, sel, &s, err);
	if (r == 0)
		r = pt_gpu_add_to_plan(list, s, plan, err);
	pt_gpu_selection_free(s);
	return r;
}

/* --- testbeds ---------------------------------------------------------- */

Test(gpu, hybrid_laptop_lists_both_gpus_and_their_nodes)
{
	hybrid_laptop();
	probe();
	cr_assert_eq(pt_gpu_list_count(list), 2);
	cr_assert_str_eq(warning_codes(), "", "a healthy laptop has no warnings");

	const struct pt_gpu *intel = pt_gpu_list_get(list, 0);
	cr_assert_str_eq(intel->pci, "0000:00:02.0");
	cr_assert_str_eq(intel->vendor, "intel");
	cr_assert_eq(intel->vendor_id, 0x8086);
	cr_assert_eq(intel->device_id, 0x9a49);
	cr_assert_str_eq(intel->driver, "i915");
	cr_assert(intel->boot_vga);
	cr_assert_str_eq(intel->id_path, "pci-0000:00:02.0");
	cr_assert_eq(intel->n_nodes, 2, "card and render node, no connector");
	assert_node(&intel->nodes[0], "/dev/dri/card0", "card", 226, 0);
	assert_node(&intel->nodes[1], "/dev/dri/renderD128", "render", 226, 128);
	cr_assert_str_eq(intel->nodes[1].by_path, "/dev/dri/by-path/pci-0000:00:02.0-render");
	cr_assert(intel->nodes[0].exists && intel->nodes[0].matches);
	cr_assert_str_eq(intel->nodes[0].group, "video");

	const struct pt_gpu *nv = pt_gpu_list_get(list, 1);
	cr_assert_str_eq(nv->pci, "0000:01:00.0");
	cr_assert_str_eq(nv->vendor, "nvidia");
	cr_assert_not(nv->boot_vga);
	cr_assert_eq(nv->n_nodes, 3);
	assert_node(&nv->nodes[0], "/dev/dri/card1", "card", 226, 1);
	assert_node(&nv->nodes[1], "/dev/dri/renderD129", "render", 226, 129);
	assert_node(&nv->nodes[2], "/dev/nvidia0", "nvidia", 195, 0);
	cr_assert_null(pt_gpu_list_get(list, 2));

	const struct pt_nvidia *drv = pt_gpu_list_nvidia(list);
	cr_assert_not_null(drv);
	cr_assert_str_eq(drv->driver_version, "550.54.14");
	cr_assert_eq(drv->n_nodes, 4);
	assert_node(&drv->nodes[0], "/dev/nvidiactl", "nvidiactl", 195, 255);
	assert_node(&drv->nodes[1], "/dev/nvidia-modeset", "nvidia-modeset", 195, 254);
	assert_node(&drv->nodes[2], "/dev/nvidia-uvm", "nvidia-uvm", 510, 0);
	assert_node(&drv->nodes[3], "/dev/nvidia-uvm-tools", "nvidia-uvm-tools", 510, 1);
}

Test(gpu, selecting_nvidia_adds_its_nodes_and_the_control_nodes)
{
	hybrid_laptop();
	probe();
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("nvidia", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(),
			 "/dev/dri/card1 /dev/dri/renderD129 /dev/nvidia0 /dev/nvidiactl "
			 "/dev/nvidia-modeset /dev/nvidia-uvm /dev/nvidia-uvm-tools ");
	const struct pt_device *d = pt_plan_device(plan, 2);
	cr_assert_eq(d->type, 'c');
	cr_assert_eq(d->major, 195);
	cr_assert_eq(d->minor, 0);
	cr_assert_str_eq(d->access, "rw");
}

Test(gpu, selectors_by_index_address_vendor_and_render)
{
	hybrid_laptop();
	probe();
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("intel,render", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/renderD128 ", "render: no card node");
	pt_plan_free(plan);
	plan = pt_plan_new();
	cr_assert_eq(select_into_plan("01:00.0,render", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(),
			 "/dev/dri/renderD129 /dev/nvidia0 /dev/nvidiactl /dev/nvidia-uvm "
			 "/dev/nvidia-uvm-tools ",
			 "render: no modesetting for NVIDIA either");
	pt_plan_free(plan);
	plan = pt_plan_new();
	cr_assert_eq(select_into_plan("0", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/card0 /dev/dri/renderD128 ",
			 "the Intel GPU needs no NVIDIA node");
	pt_plan_free(plan);
	plan = pt_plan_new();
	cr_assert_eq(select_into_plan(NULL, &err), 0, "%s", err.message);
	cr_assert_eq(pt_plan_device_count(plan), 9, "%s", plan_paths());
	pt_plan_free(plan);
	plan = pt_plan_new();
	cr_assert_eq(select_into_plan("0000:00:02.0,i915", &err), 0, "%s", err.message);
	cr_assert_eq(pt_plan_device_count(plan), 2);
}

Test(gpu, selector_that_matches_nothing_lists_what_exists)
{
	hybrid_laptop();
	probe();
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("amd", &err), -EINVAL);
	cr_assert_str_eq(err.message, "GPU selector 'amd' matches no GPU; GPUs here: 0 (0000:00:02.0 "
				      "intel i915), 1 (0000:01:00.0 nvidia nvidia)");
	cr_assert_eq(select_into_plan("2", &err), -EINVAL);
	cr_assert(strstr(err.message, "'2' matches no GPU"), "%s", err.message);
	cr_assert_eq(select_into_plan("0,,1", &err), -EINVAL);
	cr_assert(strstr(err.message, "empty term"), "%s", err.message);
	cr_assert_eq(pt_plan_device_count(plan), 0, "nothing is added on error");
}

/* Data-centre GPUs without nvidia-drm: no DRI node at all; the driver
 * numbers its devices in its own order, not the PCI order, and older
 * drivers call the 195 group "nvidia-frontend". */
Test(gpu, nvidia_server_minors_follow_proc_not_pci_order)
{
	const char *addrs[] = {"0000:3b:00.0", "0000:5e:00.0", "0000:86:00.0"};
	unsigned minors[] = {2, 0, 1};
	for (int i = 0; i < 3; i++) {
		pci_gpu(addrs[i], "0x10de", "0x20b0", "0x030200", "nvidia", false);
		nvidia_info(addrs[i], minors[i]);
		char name[32];
		snprintf(name, sizeof(name), "nvidia%u", minors[i]);
		tb_node(name, 195, minors[i], 0666, 0);
	}
	nvidia_driver("Character devices:\n195 nvidia-frontend\n507 nvidia-uvm\n508 nvidia-caps\n");
	tb_node("nvidia-uvm", 507, 0, 0666, 0);
	tb_node("nvidia-uvm-tools", 507, 1, 0666, 0);
	tb_node("nvidia-caps/nvidia-cap2", 508, 2, 0444, 0);
	tb_node("nvidia-caps/nvidia-cap1", 508, 1, 0444, 0);
	probe();
	cr_assert_str_eq(warning_codes(), "");
	cr_assert_eq(pt_gpu_list_count(list), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct pt_gpu *g = pt_gpu_list_get(list, i);
		char path[32];
		snprintf(path, sizeof(path), "/dev/nvidia%u", minors[i]);
		cr_assert_str_eq(g->pci, addrs[i]);
		cr_assert_eq(g->n_nodes, 1);
		assert_node(&g->nodes[0], path, "nvidia", 195, minors[i]);
	}
	const struct pt_nvidia *drv = pt_gpu_list_nvidia(list);
	cr_assert_eq(drv->n_nodes, 6);
	assert_node(&drv->nodes[2], "/dev/nvidia-uvm", "nvidia-uvm", 507, 0);
	assert_node(&drv->nodes[4], "/dev/nvidia-caps/nvidia-cap1", "nvidia-cap", 508, 1);
	assert_node(&drv->nodes[5], "/dev/nvidia-caps/nvidia-cap2", "nvidia-cap", 508, 2);

	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("0000:5e:00.0", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(),
			 "/dev/nvidia0 /dev/nvidiactl /dev/nvidia-modeset /dev/nvidia-uvm "
			 "/dev/nvidia-uvm-tools /dev/nvidia-caps/nvidia-cap1 "
			 "/dev/nvidia-caps/nvidia-cap2 ");
}

Test(gpu, amd_desktop_has_no_nvidia_section)
{
	pci_gpu("0000:0c:00.0", "0x1002", "0x73bf", "0x030000", "amdgpu", true);
	drm_minor("/devices/pci0000:00/0000:0c:00.0", "card0", 0, "pci-0000:0c:00.0", true);
	drm_minor("/devices/pci0000:00/0000:0c:00.0", "renderD128", 128, "pci-0000:0c:00.0", true);
	tb_file("proc/devices", "Character devices:\n  1 mem\n226 drm\n");
	probe();
	cr_assert_eq(pt_gpu_list_count(list), 1);
	const struct pt_gpu *g = pt_gpu_list_get(list, 0);
	cr_assert_str_eq(g->vendor, "amd");
	cr_assert_str_eq(g->driver, "amdgpu");
	cr_assert_eq(g->n_nodes, 2);
	cr_assert_null(pt_gpu_list_nvidia(list));
	cr_assert_str_eq(warning_codes(), "");
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("amd", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/card0 /dev/dri/renderD128 ");
}

/* An ARM board: the display controller and the GPU are two platform
 * devices, one with the card node, one render-only; no PCI at all. */
Test(gpu, platform_gpus_are_grouped_by_their_parent)
{
	tb_add("P: /devices/platform/display-subsystem\nE: SUBSYSTEM=platform\nE: DRIVER=rockchip-drm\n"
	       "L: driver=../../bus/platform/drivers/rockchip-drm\n\n");
	tb_add("P: /devices/platform/fde60000.gpu\nE: SUBSYSTEM=platform\nE: DRIVER=panfrost\n"
	       "L: driver=../../bus/platform/drivers/panfrost\n\n");
	drm_minor("/devices/platform/display-subsystem", "card0", 0, "platform-display-subsystem",
		  true);
	drm_minor("/devices/platform/fde60000.gpu", "renderD128", 128, "platform-fde60000.gpu", true);
	probe();
	cr_assert_eq(pt_gpu_list_count(list), 2);
	const struct pt_gpu *disp = pt_gpu_list_get(list, 0);
	const struct pt_gpu *gpu = pt_gpu_list_get(list, 1);
	cr_assert_str_eq(disp->name, "display-subsystem");
	cr_assert_str_eq(disp->bus, "platform");
	cr_assert_null(disp->pci);
	cr_assert_null(disp->vendor);
	cr_assert_eq(disp->vendor_id, 0);
	assert_node(&disp->nodes[0], "/dev/dri/card0", "card", 226, 0);
	cr_assert_str_eq(gpu->driver, "panfrost");
	assert_node(&gpu->nodes[0], "/dev/dri/renderD128", "render", 226, 128);
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("panfrost", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/renderD128 ");

	/* What is unknown off PCI is null in the report, not 0 or "". */
	struct pt_probe *p = NULL;
	cr_assert_eq(pt_probe_run(&p, &err), 0, "%s", err.message);
	char *json = pt_probe_to_json(p, &err);
	cr_assert_not_null(json, "%s", err.message);
	struct json_object *root = json_tokener_parse(json), *gpus, *g, *v;
	cr_assert(json_object_object_get_ex(root, "gpus", &gpus));
	g = json_object_array_get_idx(gpus, 1);
	const char *nulls[] = {"pci", "vendor_id", "device_id", "vendor"};
	for (size_t i = 0; i < ELEMENTSOF(nulls); i++) {
		cr_assert(json_object_object_get_ex(g, nulls[i], &v), "%s", nulls[i]);
		cr_assert_null(v, "%s is null: %s", nulls[i], json);
	}
	cr_assert(json_object_object_get_ex(g, "bus", &v));
	cr_assert_str_eq(json_object_get_string(v), "platform");
	cr_assert(json_object_object_get_ex(g, "name", &v));
	cr_assert_str_eq(json_object_get_string(v), "fde60000.gpu");
	json_object_put(root);
	free(json);
	char *table = pt_probe_to_table(p, &err);
	cr_assert(strstr(table, "1    fde60000.gpu       -       -   panfrost"), "%s", table);
	free(table);
	pt_probe_free(p);
}

Test(gpu, no_gpu_is_an_empty_list_not_an_error)
{
	tb_add("P: /devices/pci0000:00/0000:00:03.0\nE: SUBSYSTEM=pci\nA: vendor=0x1af4\n"
	       "A: device=0x1000\nA: class=0x020000\n\n");
	probe();
	cr_assert_eq(pt_gpu_list_count(list), 0);
	cr_assert_null(pt_gpu_list_nvidia(list));
	cr_assert_eq(pt_gpu_list_warning_count(list), 0);
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan(NULL, &err), -ENODEV);
	cr_assert_str_eq(err.message, "this machine has no GPU (passthru-probe says why)");
}

/* --- broken inputs ------------------------------------------------------ */

Test(gpu, truncated_proc_files_are_warnings)
{
	pci_gpu("0000:01:00.0", "0x10de", "0x25a0", "0x030200", "nvidia", false);
	tb_file("proc/driver/nvidia/gpus/0000:01:00.0/information",
		"Model: \t\t NVIDIA GeForce RTX 3050\nIRQ: \t\t 160\nDevice Mi");
	tb_file("proc/devices", "Character devices:\n  1 mem\n195 nvidia\n510 nvid");
	tb_file("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Mod");
	tb_node("nvidia0", 195, 0, 0666, 0);
	probe();
	cr_assert_eq(pt_gpu_list_count(list), 1, "the GPU is still listed");
	cr_assert_eq(pt_gpu_list_get(list, 0)->n_nodes, 0, "its /dev/nvidiaN is unknown");
	cr_assert(has_warning("nvidia-proc-unreadable", "no valid \"Device Minor:\" line"), "%s",
		  warning_codes());
	cr_assert(has_warning("nvidia-version-unknown", NULL), "%s", warning_codes());
	cr_assert(has_warning("nvidia-uvm-missing", "not loaded"), "%s", warning_codes());
	const struct pt_nvidia *drv = pt_gpu_list_nvidia(list);
	cr_assert_not_null(drv);
	cr_assert_eq(drv->major, 195);
	cr_assert_null(drv->driver_version);
}

Test(gpu, driver_bound_without_major_is_a_warning)
{
	pci_gpu("0000:01:00.0", "0x10de", "0x25a0", "0x030200", "nvidia", false);
	nvidia_info("0000:01:00.0", 0);
	tb_file("proc/devices", "Character devices:\n  1 mem\n195 nvid");
	tb_node("nvidia0", 195, 0, 0666, 0);
	probe();
	cr_assert(has_warning("nvidia-no-major", "/proc/devices names no nvidia major"), "%s",
		  warning_codes());
	cr_assert_null(pt_gpu_list_nvidia(list), "no major: the driver is not loaded");
	assert_node(&pt_gpu_list_get(list, 0)->nodes[0], "/dev/nvidia0", "nvidia", 195, 0);
}

Test(gpu, oversized_proc_file_is_a_warning)
{
	pci_gpu("0000:01:00.0", "0x10de", "0x25a0", "0x030200", "nvidia", false);
	nvidia_info("0000:01:00.0", 0);
	char *big = malloc(GPU_PROC_MAX + 2);
	memset(big, 'x', GPU_PROC_MAX + 1);
	big[GPU_PROC_MAX + 1] = '\0';
	tb_file("proc/devices", big);
	free(big);
	tb_file("proc/driver/nvidia/version", version_closed);
	probe();
	cr_assert(has_warning("proc-devices-unreadable", "File too large"), "%s", warning_codes());
	cr_assert_eq(pt_gpu_list_count(list), 1);
}

Test(gpu, wrong_major_is_reported_and_not_passed)
{
	pci_gpu("0000:0c:00.0", "0x1002", "0x73bf", "0x030000", "amdgpu", true);
	drm_minor("/devices/pci0000:00/0000:0c:00.0", "card0", 0, NULL, false);
	drm_minor("/devices/pci0000:00/0000:0c:00.0", "renderD128", 128, NULL, true);
	tb_node("dri/card0", 13, 0, 0660, 44); /* an input device's numbers */
	probe();
	const struct pt_gpu_node *n = &pt_gpu_list_get(list, 0)->nodes[0];
	cr_assert(n->exists);
	cr_assert_not(n->matches);
	cr_assert_eq(n->actual_major, 13);
	cr_assert(has_warning("node-mismatch", "/dev/dri/card0 is 13:0 but sysfs says 226:0"), "%s",
		  warning_codes());
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan(NULL, &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/renderD128 ");
}

Test(gpu, missing_nodes_are_reported)
{
	const char *hidden[] = {"/dev/dri/renderD129", "/dev/nvidia0", "/dev/nvidia-uvm",
				"/dev/nvidia-modeset"};
	for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
		if (host_has(hidden[i]))
			cr_skip_test("this host has %s, which a testbed cannot hide", hidden[i]);
	hybrid_laptop();
	char *p = tb_path("dev/dri/renderD129");
	unlink(p);
	free(p);
	p = tb_path("dev/nvidia0");
	unlink(p);
	free(p);
	p = tb_path("dev/nvidia-uvm");
	unlink(p);
	free(p);
	p = tb_path("dev/nvidia-modeset");
	unlink(p);
	free(p);
	probe();
	cr_assert(has_warning("node-missing", "/dev/dri/renderD129 is missing"), "%s",
		  warning_codes());
	cr_assert(has_warning("nvidia-no-device-node", "/dev/nvidia0 is missing"), "%s",
		  warning_codes());
	cr_assert(has_warning("nvidia-uvm-missing", "CUDA"), "%s", warning_codes());
	cr_assert(has_warning("nvidia-modeset-missing", "Vulkan"), "%s", warning_codes());
	cr_assert_not(pt_gpu_list_get(list, 1)->nodes[2].exists);
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan("nvidia", &err), 0, "%s", err.message);
	cr_assert_str_eq(plan_paths(), "/dev/dri/card1 /dev/nvidiactl /dev/nvidia-uvm-tools ");
}

Test(gpu, gpu_without_any_usable_node_is_an_error_for_the_plan)
{
	if (host_has("/dev/nvidia0") || host_has("/dev/nvidiactl"))
		cr_skip_test("this host has NVIDIA nodes, which a testbed cannot hide");
	pci_gpu("0000:01:00.0", "0x10de", "0x25a0", "0x030200", "nvidia", false);
	nvidia_info("0000:01:00.0", 0);
	tb_file("proc/devices", "Character devices:\n195 nvidia\n");
	probe();
	struct pt_error err = {0};
	cr_assert_eq(select_into_plan(NULL, &err), -ENODEV);
	cr_assert(strstr(err.message, "no usable device node"), "%s", err.message);
	cr_assert(has_warning("nvidia-no-device-node", "/dev/nvidia0"), "%s", warning_codes());
	cr_assert(has_warning("nvidia-no-device-node", "/dev/nvidiactl"), "%s", warning_codes());
}

/* The probe runs as the user: a node that user cannot open is a warning
 * that names the group to join. */
Test(gpu, node_the_user_cannot_open_is_reported)
{
	if (geteuid() != 0 || !tu_have("setpriv"))
		cr_skip_test("needs root and setpriv to run the probe as another user");
	pci_gpu("0000:0c:00.0", "0x1002", "0x73bf", "0x030000", "amdgpu", true);
	drm_minor("/devices/pci0000:00/0000:0c:00.0", "renderD128", 128, NULL, true);
	tb_file("proc/devices", "Character devices:\n195 nvidia\n511 nvidia-caps\n");
	tb_node("nvidia-caps/nvidia-cap1", 511, 1, 0444, 0);
	cr_assert(chmod(tbroot, 0755) == 0);
	char *out = NULL, *errout = NULL;
	char *argv[] = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			(char *)tu_tool("passthru-probe"), NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	cr_assert(strstr(out, "node-no-access: you cannot open /dev/dri/renderD128 (group video, "
			      "mode 0660): join group video"),
		  "%s", out);
	cr_assert(strstr(out, "no access"), "%s", out);
	cr_assert(strstr(out, "/dev/nvidia-caps/nvidia-cap1"), "%s", out);
	cr_assert_null(strstr(out, "nvidia-cap1 (group"), "read-only caps are readable: %s", out);
	free(out);
	free(errout);
}

/* --- the tools under testbeds ------------------------------------------ */

Test(gpu, probe_json_has_the_promised_shape)
{
	hybrid_laptop();
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	struct json_object *root = json_tokener_parse(out);
	cr_assert_not_null(root, "not JSON: %s", out);
	struct json_object *gpus, *g, *nodes, *n, *v, *nv, *w;
	cr_assert(json_object_object_get_ex(root, "gpus", &gpus));
	cr_assert_eq(json_object_array_length(gpus), 2);
	g = json_object_array_get_idx(gpus, 1);
	cr_assert(json_object_object_get_ex(g, "index", &v));
	cr_assert_eq(json_object_get_int(v), 1);
	cr_assert(json_object_object_get_ex(g, "pci", &v));
	cr_assert_str_eq(json_object_get_string(v), "0000:01:00.0");
	cr_assert(json_object_object_get_ex(g, "vendor_id", &v));
	cr_assert_str_eq(json_object_get_string(v), "0x10de");
	cr_assert(json_object_object_get_ex(g, "device_id", &v));
	cr_assert_str_eq(json_object_get_string(v), "0x25a0");
	cr_assert(json_object_object_get_ex(g, "vendor", &v));
	cr_assert_str_eq(json_object_get_string(v), "nvidia");
	cr_assert(json_object_object_get_ex(g, "driver", &v));
	cr_assert_str_eq(json_object_get_string(v), "nvidia");
	cr_assert(json_object_object_get_ex(g, "boot_vga", &v));
	cr_assert(json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));
	cr_assert(json_object_object_get_ex(g, "nodes", &nodes));
	cr_assert_eq(json_object_array_length(nodes), 3);
	n = json_object_array_get_idx(nodes, 0);
	cr_assert(json_object_object_get_ex(n, "path", &v));
	cr_assert_str_eq(json_object_get_string(v), "/dev/dri/card1");
	cr_assert(json_object_object_get_ex(n, "kind", &v));
	cr_assert_str_eq(json_object_get_string(v), "card");
	cr_assert(json_object_object_get_ex(n, "major", &v));
	cr_assert_eq(json_object_get_int(v), 226);
	cr_assert(json_object_object_get_ex(n, "minor", &v));
	cr_assert_eq(json_object_get_int(v), 1);
	/* A testbed's node answers no DRM ioctl: the driver is unknown. */
	cr_assert(json_object_object_get_ex(n, "drm_driver", &v));
	cr_assert_null(v);
	cr_assert(json_object_object_get_ex(root, "nvidia", &nv));
	cr_assert(json_object_object_get_ex(nv, "driver_version", &v));
	cr_assert_str_eq(json_object_get_string(v), "550.54.14");
	cr_assert(json_object_object_get_ex(nv, "nodes", &nodes));
	n = json_object_array_get_idx(nodes, 0);
	cr_assert(json_object_object_get_ex(n, "path", &v));
	cr_assert_str_eq(json_object_get_string(v), "/dev/nvidiactl");
	cr_assert(json_object_object_get_ex(root, "warnings", &w));
	cr_assert_eq(json_object_array_length(w), 0);
	cr_assert(strstr(out, "\"/dev/dri/card1\""), "paths are written without escaped slashes");
	json_object_put(root);
	free(out);
	free(errout);
}

Test(gpu, probe_says_plainly_there_is_no_gpu)
{
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	cr_assert(strstr(out, "GPUs: none. This machine has no GPU"), "%s", out);
	free(out);
	free(errout);
	char *jargv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	cr_assert_eq(tu_run(jargv, &out, &errout, 20), 0, "%s", errout);
	struct json_object *root = json_tokener_parse(out), *v;
	cr_assert(json_object_object_get_ex(root, "gpus", &v));
	cr_assert_eq(json_object_array_length(v), 0);
	cr_assert(json_object_object_get_ex(root, "nvidia", &v));
	cr_assert_null(v, "nvidia is null without the driver");
	json_object_put(root);
	free(out);
	free(errout);
}

Test(gpu, probe_table_shows_gpus_nodes_and_warnings)
{
	hybrid_laptop();
	char *p = tb_path("dev/nvidia-uvm");
	unlink(p);
	free(p);
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	cr_assert(strstr(out, "1    0000:01:00.0  nvidia  10de:25a0  nvidia  no"), "%s", out);
	cr_assert(strstr(out, "NVIDIA driver: 550.54.14"), "%s", out);
	cr_assert(strstr(out, "/dev/nvidia0"), "%s", out);
	cr_assert(strstr(out, "/dev/nvidia-uvm        nvidia  nvidia-uvm        510:0    -      MISSING"),
		  "%s", out);
	cr_assert(strstr(out, "nvidia-uvm-missing: /dev/nvidia-uvm is missing"), "%s", out);
	free(out);
	free(errout);

	char *jargv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	cr_assert_eq(tu_run(jargv, &out, &errout, 20), 0, "%s", errout);
	struct json_object *root = json_tokener_parse(out), *w, *v;
	cr_assert(json_object_object_get_ex(root, "warnings", &w), "%s", out);
	cr_assert_eq(json_object_array_length(w), 1, "%s", out);
	cr_assert(json_object_object_get_ex(json_object_array_get_idx(w, 0), "code", &v));
	cr_assert_str_eq(json_object_get_string(v), "nvidia-uvm-missing");
	cr_assert(json_object_object_get_ex(json_object_array_get_idx(w, 0), "message", &v));
	cr_assert(strstr(json_object_get_string(v), "CUDA fails"));
	json_object_put(root);
	free(out);
	free(errout);
}

/* Every chosen node is its own read-write --bind, and nothing else of /dev. */
Test(gpu, launch_dry_run_binds_each_chosen_node)
{
	hybrid_laptop();
	char *root = tu_busybox_root(tmp);
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--gpu=nvidia", "--dry-run", "-D", root,
			"--", "true", NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	const char *want[] = {"/dev/dri/card1", "/dev/dri/renderD129", "/dev/nvidia0",
			      "/dev/nvidiactl", "/dev/nvidia-modeset", "/dev/nvidia-uvm",
			      "/dev/nvidia-uvm-tools"};
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		char b[128];
		snprintf(b, sizeof(b), " --bind=%s ", want[i]);
		cr_assert(strstr(out, b), "no %s in: %s", b, out);
	}
	int n = 0;
	for (const char *s = out; (s = strstr(s, "/dev/")); s++)
		n++;
	cr_assert_eq(n, (int)ELEMENTSOF(want), "nothing else of /dev: %s", out);
	cr_assert_null(strstr(out, "--bind-ro=/dev"), "%s", out);
	free(out);
	free(errout);

	char *bad[] = {(char *)tu_tool("passthru-launch"), "--gpu=amd", "-D", root, "--", "true", NULL};
	cr_assert_eq(tu_run(bad, &out, &errout, 20), 2);
	cr_assert_str_eq(errout, "passthru-launch: GPU selector 'amd' matches no GPU; GPUs here: 0 "
				 "(0000:00:02.0 intel i915), 1 (0000:01:00.0 nvidia nvidia)\n");
	free(out);
	free(errout);
	free(root);
}

/* --- through real systemd-nspawn ------------------------------------------ */

/* A /dev for this test's own mount namespace: a tmpfs with the host's
 * entries (nodes copied, directories such as pts and shm bound) plus the
 * fake GPU nodes, moved over /dev. nspawn, a separate program, sees the
 * real /dev and sysfs and not the testbed: this is how it finds real nodes
 * (made with mknod, numbers of drivers this machine does not have) at the
 * paths the testbed's sysfs names, and the host's /dev stays untouched. */
static void private_dev_with(const char *dir, const char *const nodes[], const unsigned nums[][2],
			     size_t n)
{
	cr_assert(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
	cr_assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	cr_assert(mkdir(dir, 0755) == 0);
	cr_assert(mount("tmpfs", dir, "tmpfs", MS_NOSUID, "mode=0755") == 0, "%s",
		  strerror(errno));
	DIR *d = opendir("/dev");
	cr_assert_not_null(d);
	struct dirent *de;
	char src[4096], dst[4096], link[4096];
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "/dev/%s", de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t l = readlink(src, link, sizeof(link) - 1);
			cr_assert(l > 0);
			link[l] = '\0';
			cr_assert(symlink(link, dst) == 0);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			cr_assert(mknod(dst, st.st_mode, st.st_rdev) == 0, "mknod %s", dst);
		} else {
			if (S_ISDIR(st.st_mode))
				cr_assert(mkdir(dst, st.st_mode & 07777) == 0);
			else
				tu_write(dst, "", 0644);
			cr_assert(mount(src, dst, NULL, MS_BIND | MS_REC, NULL) == 0, "bind %s", src);
		}
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "%s%s", dir, nodes[i] + strlen("/dev"));
		char *slash = strrchr(dst, '/');
		*slash = '\0';
		mkdir(dst, 0755);
		*slash = '/';
		cr_assert(mknod(dst, S_IFCHR | 0666, makedev(nums[i][0], nums[i][1])) == 0,
			  "mknod %s: %s", dst, strerror(errno));
	}
	cr_assert(mount(dir, "/dev", NULL, MS_MOVE, NULL) == 0, "move /dev: %s", strerror(errno));
}

/* The launcher chooses from the testbed (dry run, under the preload);
 * the command it prints runs as it is, without the preload, through real
 * systemd-nspawn. Opening a passed node inside must reach the kernel and
 * fail for want of a driver (ENXIO), not be refused (EPERM/EACCES). */
Test(gpu, chosen_nodes_open_inside_nspawn_with_enxio)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	hybrid_laptop();
	char *root = tu_busybox_root(tmp);
	static const char *const nodes[] = {"/dev/dri/card1",  "/dev/dri/renderD129",
					    "/dev/nvidia0",    "/dev/nvidiactl",
					    "/dev/nvidia-modeset", "/dev/nvidia-uvm",
					    "/dev/nvidia-uvm-tools", "/dev/dri/card0",
					    "/dev/dri/renderD128"};
	static const unsigned nums[][2] = {{226, 1}, {226, 129}, {195, 0}, {195, 255}, {195, 254},
					   {510, 0}, {510, 1},   {226, 0}, {226, 128}};
	const char *script =
		"for n in /dev/dri/card1 /dev/dri/renderD129 /dev/nvidia0 /dev/nvidiactl "
		"/dev/nvidia-modeset /dev/nvidia-uvm /dev/nvidia-uvm-tools; do "
		"if (exec 3<>$n) 2>/tmp/err; then echo \"$n: opened\"; "
		"else echo \"$n: $(cat /tmp/err)\"; fi; done; "
		"for n in /dev/dri/card0 /dev/dri/renderD128; do test -e $n && echo \"$n: leaked\"; done; "
		"echo done";
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--gpu=nvidia", "--dry-run", "-D", root,
			"--", "sh", "-c", (char *)script, NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	char *line = out;
	out = NULL;
	free(errout);

	unsetenv("LD_PRELOAD");
	unsetenv("UMOCKDEV_DIR");
	char *dev = NULL;
	cr_assert(asprintf(&dev, "%s/dev", tmp) > 0);
	private_dev_with(dev, nodes, nums, ELEMENTSOF(nodes));
	char *sh[] = {"sh", "-c", line, NULL};
	int rc = tu_run(sh, &out, &errout, 90);
	cr_assert_eq(rc, 0, "nspawn failed (%d): %s\n%s\ncommand: %s", rc, out, errout, line);
	for (size_t i = 0; i < 7; i++) {
		char want[256];
		snprintf(want, sizeof(want), "%s: sh: can't create %s: No such device or address",
			 nodes[i], nodes[i]);
		cr_assert(strstr(out, want), "no '%s' in:\n%s", want, out);
	}
	cr_assert_null(strstr(out, "leaked"), "a GPU that was not chosen is inside:\n%s", out);
	cr_assert(strstr(out, "done"), "%s", out);
	free(out);
	free(errout);
	free(line);
	free(dev);
	free(root);
}

/* examples/launch-desktop, built against the public API alone, launches a
 * container with a GPU chosen under the testbed, its own display and the
 * audio server (a real daemon of the test's own). */
Test(gpu, the_example_program_launches_gpu_display_and_audio)
{
	if (geteuid() != 0)
		cr_skip_test("the example uses the native backend over a root: needs root");
	if (!tu_have("Xvfb") || !tu_have("pulseaudio"))
		cr_skip_test("needs Xvfb and pulseaudio");
	hybrid_laptop();
	char *root = tu_busybox_root(tmp);
	/* The testbed answers the discovery; the kernel needs real nodes to
	 * bind, in a /dev of this test's own (nothing reaches the host's). */
	static const char *const nodes[] = {"/dev/dri/card0", "/dev/dri/renderD128"};
	static const unsigned nums[][2] = {{226, 0}, {226, 128}};
	char *dev = NULL, *pre = strdup(getenv("LD_PRELOAD")), *umd = strdup(getenv("UMOCKDEV_DIR"));
	cr_assert(asprintf(&dev, "%s/dev", tmp) > 0);
	unsetenv("LD_PRELOAD");
	unsetenv("UMOCKDEV_DIR");
	private_dev_with(dev, nodes, nums, ELEMENTSOF(nodes));
	setenv("LD_PRELOAD", pre, 1);
	setenv("UMOCKDEV_DIR", umd, 1);
	free(dev);
	free(pre);
	free(umd);
	struct tu_pulse *pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	char example[4096];
	snprintf(example, sizeof(example), "%s/examples/launch-desktop", getenv("PT_BUILD"));
	const char *script = "ls /dev/dri; echo DISPLAY=$DISPLAY; ls /tmp/.X11-unix; "
			     "echo PULSE_SERVER=$PULSE_SERVER; test -S /run/passthru/pulse/native "
			     "&& echo pulse-socket; test -s \"$XAUTHORITY\" && echo cookie; exit 7";
	char *argv[] = {example, "intel", root, "/bin/sh", "-c", (char *)script, NULL};
	char *out = NULL, *errout = NULL;
	int st = tu_run(argv, &out, &errout, 60);
	tu_pulse_free(pulse);
	cr_assert_eq(st, 7, "status %d\n%s\n%s", st, out, errout);
	cr_assert(strstr(out, "device /dev/dri/card0\ndevice /dev/dri/renderD128\n"), "%s", out);
	cr_assert(strstr(out, "card0\nrenderD128\n"), "the intel GPU's nodes inside:\n%s", out);
	cr_assert_null(strstr(out, "renderD129"), "the other GPU stays out:\n%s", out);
	char *d = strstr(out, "DISPLAY=:");
	cr_assert_not_null(d, "%s", out);
	char want[64];
	snprintf(want, sizeof(want), "\nX%d\n", atoi(d + strlen("DISPLAY=:")));
	cr_assert(strstr(out, want), "its display's socket inside:\n%s", out);
	cr_assert(strstr(out, "PULSE_SERVER=unix:/run/passthru/pulse/native\npulse-socket\ncookie"),
		  "%s", out);
	free(out);
	free(errout);
	free(root);
}
