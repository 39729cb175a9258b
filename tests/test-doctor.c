/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The doctor: container roots built by each test (users and groups by
 * other numbers, fake NVIDIA libraries, loader files, FIFOs where files
 * belong) against umockdev testbeds with GPU nodes of chosen owner, group
 * and mode, and the tools that show its findings or refuse to start. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <umockdev.h>
#include <unistd.h>

#include "nvfake.h"
#include "passthru/passthru.h"
#include "testutil.h"
#include "util.h"

/* Criterion forks its workers from the runner: the runner itself must run
 * with the preload, so the suite re-executes itself with it (as test-gpu). */
__attribute__((constructor)) static void reexec_with_umockdev(int argc, char **argv)
{
	(void)argc;
	tu_reexec_with_umockdev(argv, "PT_TEST_DOCTOR_REEXEC");
}

static UMockdevTestbed *tb;
static char *tbroot;
static struct pt_plan *plan;
static struct pt_doctor *doc;
static struct pt_doctor_opts *dopts;
static char *tmp, *root;

static void tb_file(const char *rel, const char *content);

static void setup(void)
{
	cr_assert(getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "libumockdev-preload"),
		  "the suite must run with libumockdev-preload (it re-executes itself with it)");
	tb = umockdev_testbed_new();
	tbroot = umockdev_testbed_get_root_dir(tb);
	/* Without these, a host's NVIDIA driver would show in every test. */
	tb_file("proc/devices", "Character devices:\n  1 mem\n226 drm\n");
	plan = pt_plan_new();
	dopts = pt_doctor_opts_new();
	tmp = tu_tmpdir();
	cr_assert(chmod(tmp, 0755) == 0);
	cr_assert(asprintf(&root, "%s/root", tmp) > 0);
}

static void teardown(void)
{
	pt_doctor_free(doc);
	doc = NULL;
	pt_doctor_opts_free(dopts);
	pt_plan_free(plan);
	g_free(tbroot);
	g_object_unref(tb); /* removes the testbed directory */
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

TestSuite(doctor, .init = setup, .fini = teardown);

/* --- testbeds (as in test-gpu) ------------------------------------------ */

static void tb_file(const char *rel, const char *content)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", tbroot, rel) > 0);
	tu_write(p, content, 0644);
	free(p);
}

/* A device node in the testbed's /dev: umockdev reports a plain file there
 * as a character device with the numbers its dev/.node/NAME link names;
 * owner, group and mode are the file's own, so chown and chmod set them. */
static void tb_node(const char *name, unsigned major, unsigned minor, unsigned mode, uid_t uid,
		    gid_t gid)
{
	char *p = NULL, *link = NULL, *target = NULL;
	cr_assert(asprintf(&p, "dev/%s", name) > 0);
	tb_file(p, "");
	free(p);
	cr_assert(asprintf(&link, "%s/dev/.node/%s", tbroot, name) > 0);
	for (char *c = link + strlen(link) - strlen(name); *c; c++)
		if (*c == '/')
			*c = '_';
	cr_assert(asprintf(&target, "%u:%u", major, minor) > 0);
	char *dir = strdup(link);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0755);
	unlink(link);
	cr_assert(symlink(target, link) == 0, "symlink %s: %s", link, strerror(errno));
	cr_assert(asprintf(&p, "%s/dev/%s", tbroot, name) > 0);
	cr_assert(chmod(p, mode) == 0);
	cr_assert(chown(p, uid, gid) == 0);
	free(p);
	free(dir);
	free(link);
	free(target);
}

static void tb_add(const char *desc)
{
	GError *gerr = NULL;
	cr_assert(umockdev_testbed_add_from_string(tb, desc, &gerr), "testbed: %s",
		  gerr ? gerr->message : "?");
}

/* A PCI GPU at addr with a render node renderD<minor> (and its node, of
 * this owner, group and mode) bound to driver (NULL: none). */
static void gpu_with_render(const char *addr, const char *vendor, const char *driver,
			    unsigned minor, unsigned mode, uid_t uid, gid_t gid)
{
	char *d = NULL, *drv = NULL;
	if (driver)
		cr_assert(asprintf(&drv, "E: DRIVER=%s\nL: driver=../../../bus/pci/drivers/%s\n",
				   driver, driver) > 0);
	cr_assert(asprintf(&d,
			   "P: /devices/pci0000:00/%s\nE: SUBSYSTEM=pci\nE: PCI_SLOT_NAME=%s\n"
			   "%sA: vendor=%s\nA: device=0x1234\nA: class=0x030000\nA: boot_vga=1\n",
			   addr, addr, drv ? drv : "", vendor) > 0);
	free(drv);
	tb_add(d);
	free(d);
	cr_assert(asprintf(&d,
			   "P: /devices/pci0000:00/%s/drm/renderD%u\nE: SUBSYSTEM=drm\n"
			   "E: DEVTYPE=drm_minor\nE: DEVNAME=/dev/dri/renderD%u\nE: MAJOR=226\n"
			   "E: MINOR=%u\nA: dev=226:%u\n",
			   addr, minor, minor, minor, minor) > 0);
	tb_add(d);
	free(d);
	char n[64];
	snprintf(n, sizeof(n), "dri/renderD%u", minor);
	tb_node(n, 226, minor, mode, uid, gid);
}

/* NVIDIA's /proc files and shared nodes, module version. */
static void nvidia_driver(const char *addr, const char *version)
{
	tb_file("proc/devices", "Character devices:\n  1 mem\n195 nvidia\n226 drm\n"
				"510 nvidia-uvm\n");
	char *v = NULL, *p = NULL, *c = NULL;
	cr_assert(asprintf(&v, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  %s  Thu Feb 22 "
			       "01:44:30 UTC 2024\nGCC version:  gcc version 12.2.0\n",
			   version) > 0);
	tb_file("proc/driver/nvidia/version", v);
	cr_assert(asprintf(&p, "proc/driver/nvidia/gpus/%s/information", addr) > 0);
	cr_assert(asprintf(&c, "Model: \t\t NVIDIA GeForce RTX 3050\nBus Location: \t %s\n"
			       "Device Minor: \t 0\n", addr) > 0);
	tb_file(p, c);
	tb_node("nvidia0", 195, 0, 0666, 0, 0);
	tb_node("nvidiactl", 195, 255, 0666, 0, 0);
	tb_node("nvidia-modeset", 195, 254, 0666, 0, 0);
	tb_node("nvidia-uvm", 510, 0, 0666, 0, 0);
	tb_node("nvidia-uvm-tools", 510, 1, 0666, 0, 0);
	free(v);
	free(p);
	free(c);
}

/* --- container roots ------------------------------------------------------ */

static char *rpath(const char *rel)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", root, rel) > 0);
	return p;
}

static void rfile(const char *rel, const char *content, unsigned mode)
{
	char *p = rpath(rel);
	tu_write(p, content, mode);
	free(p);
}

static void rdir(const char *rel)
{
	char *p = rpath(rel);
	char *cmd[] = {"mkdir", "-p", p, NULL};
	cr_assert_eq(tu_run(cmd, NULL, NULL, 10), 0);
	free(p);
}

/* A root with passwd and group as given, /dev/shm and /tmp. */
static void make_root(const char *passwd, const char *group)
{
	rdir("dev/shm");
	rdir("tmp");
	if (passwd)
		rfile("etc/passwd", passwd, 0644);
	if (group)
		rfile("etc/group", group, 0644);
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_root(plan, root, &err), 0, "%s", err.message);
}

/* A file that starts like an ELF shared object of this class: the doctor
 * reads only the identification bytes to tell 32- from 64-bit. */
static void fake_elf(const char *rel, int cls)
{
	unsigned char h[64] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, (unsigned char)cls,
			       ELFDATA2LSB, EV_CURRENT};
	char *p = rpath(rel);
	char *dir = strdup(p);
	*strrchr(dir, '/') = '\0';
	char *cmd[] = {"mkdir", "-p", dir, NULL};
	cr_assert_eq(tu_run(cmd, NULL, NULL, 10), 0);
	FILE *f = fopen(p, "we");
	cr_assert_not_null(f, "%s", p);
	cr_assert_eq(fwrite(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	free(p);
	free(dir);
}

static void run_doctor(void)
{
	struct pt_error err = {0};
	pt_doctor_free(doc);
	doc = NULL;
	cr_assert_eq(pt_doctor_run(plan, dopts, &doc, &err), 0, "%s", err.message);
}

static const char *codes(void)
{
	static char buf[8192];
	buf[0] = '\0';
	for (size_t i = 0; i < pt_doctor_finding_count(doc); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(doc, i);
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "[%s %s: %s | %s] ",
			 pt_doctor_severity_name(f->severity), f->code, f->message,
			 f->hint ? f->hint : "-");
	}
	return buf;
}

static const struct pt_doctor_finding *find(const char *code)
{
	for (size_t i = 0; i < pt_doctor_finding_count(doc); i++)
		if (streq(pt_doctor_finding(doc, i)->code, code))
			return pt_doctor_finding(doc, i);
	return NULL;
}

/* The finding code with this severity, whose message has every one of the
 * NULL-terminated texts. */
static const struct pt_doctor_finding *expect(const char *code, enum pt_doctor_severity sev, ...)
{
	const struct pt_doctor_finding *f = find(code);
	cr_assert_not_null(f, "no %s in: %s", code, codes());
	cr_assert_eq(f->severity, sev, "%s: %s", code, codes());
	va_list ap;
	va_start(ap, sev);
	for (const char *s; (s = va_arg(ap, const char *));)
		cr_assert(strstr(f->message, s), "%s: no '%s' in '%s'", code, s, f->message);
	va_end(ap);
	return f;
}

static gid_t host_video_gid(void)
{
	struct group *g = getgrnam("video");
	if (!g)
		cr_skip_test("the host has no group 'video' to name");
	return g->gr_gid;
}

/* --- device access ---------------------------------------------------------- */

static void add_gpu_to_plan(const char *sel)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_gpu_add_selected(plan, sel, NULL, &err), 0, "%s", err.message);
}

static const char steam_passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
				   "steam:x:1000:1000:Steam:/home/steam:/bin/bash\n";

/* One row: the node's owner, group and mode, the container's groups, and
 * what the doctor must say. */
struct access_row {
	const char *name;
	unsigned mode;
	uid_t uid;
	bool gid_is_video; /* else gid 4242, a number with no host name */
	const char *group;  /* the container's /etc/group; "%u": the host video gid */
	const char *user;
	bool denied;
	const char *msg[6];
	const char *hint[3];
};

Test(doctor, device_access_table_by_number_not_name)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown the testbed's nodes");
	gid_t video = host_video_gid();
	char vs[16], vname[64], vis[64], vhint[64];
	snprintf(vs, sizeof(vs), "%u", (unsigned)video);
	snprintf(vname, sizeof(vname), "group %u (host 'video')", (unsigned)video);
	snprintf(vis, sizeof(vis), "'video' is 33, not %u", (unsigned)video);
	snprintf(vhint, sizeof(vhint), "container group with GID %u", (unsigned)video);
	const struct access_row rows[] = {
	    {"video by name but not by GID", 0660, 0, true,
	     "root:x:0:\nsteam:x:1000:\nvideo:x:33:steam\nrender:x:109:\n", "steam", true,
	     {"render node /dev/dri/renderD128", vname, "mode 0660",
	      "container user 'steam' (uid 1000) is in groups 1000, 33",
	      "(container 'video'=33)", "read-write"},
	     {vhint, vis, "groupadd -g"}},
	    {"a container group has the number, the user is not in it", 0660, 0, true,
	     "root:x:0:\nsteam:x:1000:\ngpu:x:%u:\n", "steam", true,
	     {"groups 1000 ", "cannot open it read-write", NULL},
	     {"container group 'gpu' has it: usermod -aG gpu steam", NULL}},
	    {"in the group by number", 0660, 0, true, "root:x:0:\nsteam:x:1000:\nhostvid:x:%u:steam\n",
	     "steam", false, {NULL}, {NULL}},
	    {"group read-only", 0640, 0, true, "root:x:0:\nsteam:x:1000:\nhostvid:x:%u:steam\n",
	     "steam", true, {"mode 0640", "cannot open it read-write", NULL}, {NULL}},
	    {"world read-write", 0666, 0, false, "root:x:0:\nsteam:x:1000:\n", "steam", false,
	     {NULL}, {NULL}},
	    {"owned by the user", 0600, 1000, false, "root:x:0:\nsteam:x:1000:\n", "steam", false,
	     {NULL}, {NULL}},
	    {"other numbers: group 4242, no host name", 0660, 0, false,
	     "root:x:0:\nsteam:x:1000:\nvideo:x:44:steam\nrender:x:109:steam\n", "steam", true,
	     {"group 4242, mode 0660", "groups 1000, 44, 109", "'video'=44, 'render'=109", NULL},
	     {"GID 4242 (none has it", NULL}},
	    {"root", 0600, 0, false, "root:x:0:\n", "root", false, {NULL}, {NULL}},
	};
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		const struct access_row *row = &rows[i];
		/* A fresh testbed, plan and root per row. */
		teardown();
		setup();
		gpu_with_render("0000:0c:00.0", "0x1002", "amdgpu", 128, row->mode, row->uid,
				row->gid_is_video ? video : 4242);
		/* "%u" in the row is the host's video gid. */
		char group[512];
		const char *at = strstr(row->group, "%u");
		if (at)
			snprintf(group, sizeof(group), "%.*s%u%s", (int)(at - row->group), row->group,
				 (unsigned)video, at + 2);
		else
			snprintf(group, sizeof(group), "%s", row->group);
		make_root(steam_passwd, group);
		struct pt_error err = {0};
		cr_assert_eq(pt_plan_set_user(plan, row->user, &err), 0);
		add_gpu_to_plan(NULL);
		run_doctor();
		const struct pt_doctor_finding *f = find("device-no-access");
		if (!row->denied) {
			cr_assert_null(f, "%s: %s", row->name, codes());
			continue;
		}
		cr_assert_not_null(f, "%s: %s", row->name, codes());
		cr_assert_eq(f->severity, PT_DOCTOR_ERROR);
		for (size_t k = 0; k < ELEMENTSOF(row->msg) && row->msg[k]; k++)
			cr_assert(strstr(f->message, row->msg[k]), "%s: no '%s' in '%s'", row->name,
				  row->msg[k], f->message);
		for (size_t k = 0; k < ELEMENTSOF(row->hint) && row->hint[k]; k++)
			cr_assert(f->hint && strstr(f->hint, row->hint[k]), "%s: no '%s' in hint '%s'",
				  row->name, row->hint[k], f->hint);
	}
	(void)vs;
}

/* A node the plan binds by hand (--bind of a device) is checked as well. */
Test(doctor, a_bound_device_node_is_checked_too)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to mknod");
	make_root(steam_passwd, "root:x:0:\nsteam:x:1000:\n");
	char *node = NULL;
	cr_assert(asprintf(&node, "%s/node", tmp) > 0);
	cr_assert(mknod(node, S_IFCHR | 0620, makedev(1, 3)) == 0, "%s", strerror(errno));
	cr_assert(chown(node, 0, 4243) == 0 && chmod(node, 0620) == 0);
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, node, "/dev/mydev", 0, &err), 0, "%s", err.message);
	cr_assert_eq(pt_plan_set_user(plan, "steam", &err), 0);
	run_doctor();
	expect("device-no-access", PT_DOCTOR_ERROR, "device node /dev/mydev", "group 4243",
	       "mode 0620", "uid 1000", NULL);
	free(node);
}

/* --- kernel drivers ---------------------------------------------------------- */

Test(doctor, drm_driver_comes_from_sysfs_when_the_ioctl_cannot_answer)
{
	gpu_with_render("0000:0c:00.0", "0x1002", "amdgpu", 128, 0666, 0, 0);
	make_root(steam_passwd, "root:x:0:\n");
	add_gpu_to_plan(NULL);
	run_doctor();
	expect("drm-driver", PT_DOCTOR_INFO, "render node /dev/dri/renderD128 (226:128)",
	       "driven by amdgpu (from sysfs)", "vendor 0x1002", NULL);
	cr_assert_eq(pt_doctor_count_severity(doc, PT_DOCTOR_ERROR), 0, "%s", codes());
}

/* No driver in sysfs: the DRM version query is asked, and umockdev's ioctl
 * emulation cannot answer it. Unknown is a note, not an error. */
Test(doctor, drm_driver_unknown_is_a_note)
{
	gpu_with_render("0000:0c:00.0", "0x1002", NULL, 128, 0666, 0, 0);
	make_root(steam_passwd, "root:x:0:\n");
	add_gpu_to_plan(NULL);
	run_doctor();
	expect("drm-driver-unknown", PT_DOCTOR_INFO, "/dev/dri/renderD128 (226:128)",
	       "no driver in sysfs", NULL);
	cr_assert_null(find("drm-driver"), "%s", codes());
	cr_assert_eq(pt_doctor_count_severity(doc, PT_DOCTOR_ERROR), 0, "%s", codes());
}

Test(doctor, nvidia_gpu_on_nouveau_and_nvidia_drm_without_modeset)
{
	gpu_with_render("0000:01:00.0", "0x10de", "nouveau", 128, 0666, 0, 0);
	make_root(steam_passwd, "root:x:0:\n");
	add_gpu_to_plan(NULL);
	run_doctor();
	expect("drm-nouveau", PT_DOCTOR_WARNING, "/dev/dri/renderD128 (226:128)", "vendor 0x10de",
	       NULL);
	dopts->nvidia_driver = true;
	run_doctor();
	expect("drm-nouveau", PT_DOCTOR_ERROR, "nouveau", NULL);
	cr_assert_null(find("nvidia-drm-no-modeset"), "%s", codes());

	teardown();
	setup();
	gpu_with_render("0000:01:00.0", "0x10de", "nvidia", 129, 0666, 0, 0);
	nvidia_driver("0000:01:00.0", "550.54.14");
	tb_file("sys/module/nvidia_drm/parameters/modeset", "N\n");
	make_root(steam_passwd, "root:x:0:\n");
	add_gpu_to_plan(NULL);
	run_doctor();
	expect("nvidia-drm-no-modeset", PT_DOCTOR_WARNING, "modeset=N", NULL);
	cr_assert_null(find("drm-nouveau"), "%s", codes());
	tb_file("sys/module/nvidia_drm/parameters/modeset", "Y\n");
	run_doctor();
	cr_assert_null(find("nvidia-drm-no-modeset"), "%s", codes());
}

/* --- NVIDIA userspace ------------------------------------------------------ */

static void nvidia_testbed(void)
{
	gpu_with_render("0000:01:00.0", "0x10de", "nvidia", 128, 0666, 0, 0);
	nvidia_driver("0000:01:00.0", "550.54.14");
	make_root(steam_passwd, "root:x:0:\n");
	add_gpu_to_plan(NULL);
}

Test(doctor, container_nvidia_libraries_of_another_version)
{
	nvidia_testbed();
	fake_elf("usr/lib/x86_64-linux-gnu/libcuda.so.535.113.01", ELFCLASS64);
	fake_elf("usr/lib/x86_64-linux-gnu/libnvidia-glcore.so.535.113.01", ELFCLASS64);
	fake_elf("usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.113.01", ELFCLASS64);
	/* Sonames and links are not versions. */
	char *link = rpath("usr/lib/x86_64-linux-gnu/libcuda.so.1");
	cr_assert(symlink("libcuda.so.535.113.01", link) == 0);
	free(link);
	run_doctor();
	expect("nvidia-version-mismatch", PT_DOCTOR_ERROR, "64-bit NVIDIA userspace 535.113.01",
	       "(3 files", "module is 550.54.14", NULL);
	cr_assert(strstr(find("nvidia-version-mismatch")->hint, "--nvidia-driver"), "%s", codes());
	dopts->nvidia_driver = true;
	run_doctor();
	expect("nvidia-version-mismatch", PT_DOCTOR_WARNING, "535.113.01", NULL);
}

Test(doctor, matching_missing_and_32bit_nvidia_userspace)
{
	nvidia_testbed();
	run_doctor();
	expect("nvidia-userspace-missing", PT_DOCTOR_WARNING, "0 files", "host module 550.54.14",
	       NULL);
	cr_assert_null(find("nvidia-32bit-missing"), "no 32-bit loader, no finding: %s", codes());

	fake_elf("usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14", ELFCLASS64);
	fake_elf("usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.550.54.14", ELFCLASS64);
	/* A 32-bit loader (Steam), through a merged-/usr link. */
	rdir("usr/lib/i386-linux-gnu");
	fake_elf("usr/lib/i386-linux-gnu/ld-linux.so.2", ELFCLASS32);
	rdir("lib");
	char *l = rpath("lib/ld-linux.so.2");
	cr_assert(symlink("/usr/lib/i386-linux-gnu/ld-linux.so.2", l) == 0);
	free(l);
	run_doctor();
	expect("nvidia-userspace", PT_DOCTOR_INFO, "550.54.14 (2 files, from its library directories)",
	       NULL);
	cr_assert_null(find("nvidia-version-mismatch"), "%s", codes());
	expect("nvidia-32bit-missing", PT_DOCTOR_WARNING, "/lib/ld-linux.so.2",
	       "0 files; 64-bit: 550.54.14 (2 files", NULL);

	fake_elf("usr/lib/i386-linux-gnu/libGLX_nvidia.so.550.54.14", ELFCLASS32);
	run_doctor();
	cr_assert_null(find("nvidia-32bit-missing"), "%s", codes());
	fake_elf("usr/lib/i386-linux-gnu/libnvidia-glcore.so.535.113.01", ELFCLASS32);
	run_doctor();
	expect("nvidia-version-mismatch", PT_DOCTOR_ERROR, "32-bit NVIDIA userspace 535.113.01",
	       "(1 file,", NULL);
}

/* A root with a real ld.so.cache (ldconfig -r over a fake driver tree):
 * the cache says what ld.so would load, decoys of another version
 * included, and a library the cache does not name does not count. */
Test(doctor, nvidia_userspace_from_the_containers_ld_so_cache)
{
	if (geteuid() != 0 || !tu_have("ldconfig") || !tu_have("cc"))
		cr_skip_test("needs root, ldconfig and cc to build a fake driver with its cache");
	gpu_with_render("0000:01:00.0", "0x10de", "nvidia", 128, 0666, 0, 0);
	nvidia_driver("0000:01:00.0", NVFAKE_VERSION);
	char *fake = nvfake_driver(tmp, false);
	free(root);
	root = fake;
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_root(plan, root, &err), 0, "%s", err.message);
	add_gpu_to_plan(NULL);
	/* Not in the cache: ld.so would not find it by name. */
	fake_elf("usr/lib/x86_64-linux-gnu/libnvidia-glcore.so.470.256.02", ELFCLASS64);
	run_doctor();
	expect("nvidia-version-mismatch", PT_DOCTOR_ERROR,
	       "64-bit NVIDIA userspace " NVFAKE_DECOY " (2 files", "from its ld.so.cache",
	       "module is " NVFAKE_VERSION, NULL);
	cr_assert_null(strstr(codes(), "470.256.02"), "%s", codes());
	cr_assert_null(find("nvidia-userspace-missing"), "%s", codes());
	/* Its loader files name libraries it has. */
	cr_assert_null(find("loader-missing-library"), "%s", codes());
}

/* --- loaders --------------------------------------------------------------- */

Test(doctor, loader_files_that_name_missing_libraries)
{
	make_root(steam_passwd, "root:x:0:\n");
	rfile("usr/share/vulkan/icd.d/nvidia_icd.json",
	      "{\"file_format_version\": \"1.0.0\", \"ICD\": {\"library_path\": "
	      "\"libGLX_nvidia.so.0\", \"api_version\": \"1.3.242\"}}\n",
	      0644);
	rfile("usr/share/vulkan/icd.d/radeon_icd.x86_64.json",
	      "{\"ICD\": {\"library_path\": \"/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so\"}}",
	      0644);
	rfile("etc/vulkan/icd.d/lvp_icd.json",
	      "{\"ICD\": {\"library_path\": \"/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so\"}}", 0644);
	fake_elf("usr/lib/x86_64-linux-gnu/libvulkan_lvp.so", ELFCLASS64);
	rfile("usr/share/glvnd/egl_vendor.d/10_nvidia.json",
	      "{\"file_format_version\": \"1.0.0\", \"ICD\": {\"library_path\": "
	      "\"libEGL_nvidia.so.0\"}}",
	      0644);
	rfile("usr/share/glvnd/egl_vendor.d/50_mesa.json",
	      "{\"ICD\": {\"library_path\": \"libEGL_mesa.so.0\"}}", 0644);
	fake_elf("usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0", ELFCLASS64);
	rfile("usr/share/vulkan/icd.d/broken.json", "{\"ICD\": ", 0644);
	char *fifo = rpath("usr/share/vulkan/icd.d/fifo.json");
	cr_assert(mkfifo(fifo, 0644) == 0);
	free(fifo);
	run_doctor();
	int missing = 0;
	for (size_t i = 0; i < pt_doctor_finding_count(doc); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(doc, i);
		if (!streq(f->code, "loader-missing-library"))
			continue;
		missing++;
		cr_assert_eq(f->severity, PT_DOCTOR_WARNING);
		cr_assert(strstr(f->message, "nvidia_icd.json names libGLX_nvidia.so.0, which is in "
					     "none of the container's library directories (10 "
					     "searched)") ||
			      strstr(f->message, "radeon_icd.x86_64.json names "
						 "/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so, which "
						 "does not exist") ||
			      strstr(f->message, "EGL vendor /usr/share/glvnd/egl_vendor.d/"
						 "10_nvidia.json names libEGL_nvidia.so.0"),
			  "%s", f->message);
	}
	cr_assert_eq(missing, 3, "%s", codes());
	int unreadable = 0;
	for (size_t i = 0; i < pt_doctor_finding_count(doc); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(doc, i);
		if (streq(f->code, "loader-unreadable")) {
			unreadable++;
			cr_assert(strstr(f->message, "fifo.json is not a regular file") ||
				      strstr(f->message, "broken.json is not valid JSON"),
				  "%s", f->message);
		}
	}
	cr_assert_eq(unreadable, 2, "%s", codes());
	cr_assert_null(strstr(codes(), "lvp_icd"), "%s", codes());
	cr_assert_null(strstr(codes(), "50_mesa"), "%s", codes());

	/* What the plan gives is no gap: --nvidia-driver passes NVIDIA's
	 * libraries, and a file the plan writes replaces the root's. */
	dopts->nvidia_driver = true;
	struct pt_error err = {0};
	const char radeon[] = "{\"ICD\": {\"library_path\": \"libvulkan_lvp.so\"}}";
	cr_assert_eq(pt_plan_add_file(plan, "/usr/share/vulkan/icd.d/radeon_icd.x86_64.json", radeon,
				      sizeof(radeon) - 1, 0644, &err),
		     0, "%s", err.message);
	run_doctor();
	cr_assert_null(find("loader-missing-library"), "%s", codes());
}

/* The loader files are read by the doctor's own strict JSON reader (a
 * launch maps no json-c): escapes decode, and what is not JSON says so. */
Test(doctor, loader_json_is_read_strictly)
{
	make_root(steam_passwd, "root:x:0:\n");
	fake_elf("usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0", ELFCLASS64);
	fake_elf("usr/lib/x86_64-linux-gnu/libvulkan_lvp.so", ELFCLASS64);
	char deep[200] = "{\"ICD\": {\"library_path\": \"libEGL_mesa.so.0\", \"x\": ";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	struct {
		const char *text;
		const char *problem; /* NULL: the library is found */
	} rows[] = {
	    {"{\"ICD\": {\"library_path\": \"libEGL_\\u006desa.so.0\"}}", NULL},
	    {"{\"ICD\": {\"library_path\": \"\\/usr\\/lib\\/x86_64-linux-gnu\\/libvulkan_lvp.so\"}}",
	     NULL},
	    {" {\"a\": [1, -2.5e3, true, null, {\"b\": \"\\\"\"}], \"ICD\": {\"library_path\": "
	     "\"libnone.so.0\", \"api_version\": \"1.3\"}}\n",
	     "libnone.so.0, which is in none of the container's library directories"},
	    {"{\"ICD\": {\"library_path\": \"libEGL_mesa.so.0\"}} trailing", "is not valid JSON"},
	    {"{\"ICD\": {\"library_path\": 5}}", "has no ICD.library_path string"},
	    {"{\"ICD\": {\"library_path\": \"lib\\u0000.so\"}}", "is not valid JSON"},
	    {"{\"ICD\": {\"library_path\": \"libEGL_mesa.so.0\",}}", "is not valid JSON"},
	    {deep, "is not valid JSON"},
	    {"{\"ICD\": {\"library_path\": \"\\ud800.so\"}}", "is not valid JSON"},
	};
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		rfile("usr/share/glvnd/egl_vendor.d/50_test.json", rows[i].text, 0644);
		run_doctor();
		const struct pt_doctor_finding *f = find("loader-missing-library");
		if (!f)
			f = find("loader-unreadable");
		if (!rows[i].problem) {
			cr_assert_null(f, "row %zu: %s", i, codes());
			continue;
		}
		cr_assert_not_null(f, "row %zu: %s", i, codes());
		cr_assert(strstr(f->message, rows[i].problem), "row %zu: %s", i, f->message);
	}
}

/* --- root and user ------------------------------------------------------- */

Test(doctor, root_and_user_table)
{
	struct {
		const char *name, *passwd, *user, *code;
		enum pt_doctor_severity sev;
		const char *msg[3];
	} rows[] = {
	    {"user missing", steam_passwd, "gabe", "user-missing", PT_DOCTOR_ERROR,
	     {"user 'gabe' is not in", "(2 lines)", NULL}},
	    {"no passwd, named user", NULL, "steam", "root-no-passwd", PT_DOCTOR_ERROR,
	     {"has no /etc/passwd: user 'steam' cannot be found", NULL}},
	    {"no passwd, numeric user", NULL, "1000", "root-no-passwd", PT_DOCTOR_INFO,
	     {"user '1000' runs by number only", NULL}},
	    {"shell-less user", "root:x:0:0::/root:/bin/sh\nsvc:x:999:999::/:/usr/sbin/nologin\n",
	     "svc", "user-no-shell", PT_DOCTOR_INFO,
	     {"user 'svc' (uid 999) has the shell /usr/sbin/nologin", NULL}},
	    {"false as shell", "root:x:0:0::/root:/bin/sh\nsvc:x:998:998::/:/bin/false\n", "svc",
	     "user-no-shell", PT_DOCTOR_INFO, {"(uid 998) has the shell /bin/false", NULL}},
	};
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		teardown();
		setup();
		make_root(rows[i].passwd, "root:x:0:\n");
		struct pt_error err = {0};
		cr_assert_eq(pt_plan_set_user(plan, rows[i].user, &err), 0);
		run_doctor();
		const struct pt_doctor_finding *f = find(rows[i].code);
		cr_assert_not_null(f, "%s: %s", rows[i].name, codes());
		cr_assert_eq(f->severity, rows[i].sev, "%s: %s", rows[i].name, codes());
		for (size_t k = 0; k < ELEMENTSOF(rows[i].msg) && rows[i].msg[k]; k++)
			cr_assert(strstr(f->message, rows[i].msg[k]), "%s: no '%s' in '%s'",
				  rows[i].name, rows[i].msg[k], f->message);
	}
}

/* A FIFO as /etc/passwd would block every reader that opens it: the
 * doctor must say so at once, and the launcher must not start. */
Test(doctor, fifo_as_passwd_is_an_error_not_a_hang)
{
	make_root(NULL, "root:x:0:\n");
	char *p = rpath("etc/passwd");
	cr_assert(mkfifo(p, 0644) == 0);
	free(p);
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_user(plan, "steam", &err), 0);
	run_doctor();
	expect("root-passwd-unreadable", PT_DOCTOR_ERROR, "/etc/passwd is a FIFO (mode 0644)",
	       NULL);

	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), "-D", root, "-u", "steam", NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	cr_assert(strstr(out, "error   root-passwd-unreadable:"), "%s", out);
	free(out);
	free(errout);
	char *launch[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "-D", root, "-u",
			  "steam", "--", "true", NULL};
	cr_assert_eq(tu_run(launch, &out, &errout, 20), 125, "%s", errout);
	cr_assert(strstr(errout, "passthru-launch: error: root-passwd-unreadable:"), "%s", errout);
	free(out);
	free(errout);
}

Test(doctor, root_owner_dev_shm_and_not_a_directory)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: the ownership check is for root launchers");
	make_root(steam_passwd, "root:x:0:\n");
	cr_assert(chown(root, 1000, 1000) == 0);
	char *shm = rpath("dev/shm");
	cr_assert(rmdir(shm) == 0);
	free(shm);
	run_doctor();
	expect("root-not-owned-by-root", PT_DOCTOR_WARNING, "owned by uid 1000, gid 1000", NULL);
	expect("root-no-dev-shm", PT_DOCTOR_INFO, "no /dev/shm directory", NULL);

	tu_rm_rf(root);
	tu_write(root, "not a directory\n", 0644);
	run_doctor();
	expect("root-not-directory", PT_DOCTOR_ERROR, "is not a directory (mode 0644", NULL);
}

/* --- display --------------------------------------------------------------- */

Test(doctor, display_checks)
{
	make_root(steam_passwd, "root:x:0:\n");
	char *x = rpath("tmp/.X11-unix");
	cr_assert(symlink("/elsewhere", x) == 0);
	free(x);
	struct pt_display_opts *d = pt_display_opts_new(PT_DISPLAY_XVFB);
	dopts->display = d;
	run_doctor();
	expect("display-x11-unix-not-dir", PT_DOCTOR_WARNING, "/tmp/.X11-unix is a symlink", NULL);
	cr_assert_null(find("display-mit-shm"), "MIT-SHM is off by default: %s", codes());
	d->private_ipc = false;
	run_doctor();
	expect("display-mit-shm", PT_DOCTOR_ERROR, "keeps MIT-SHM", NULL);

	dopts->display = NULL;
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_env(plan, "DISPLAY", ":7", &err), 0);
	run_doctor();
	expect("display-mit-shm", PT_DOCTOR_WARNING, "DISPLAY=:7", NULL);
	pt_plan_set_flags(plan, 0);
	run_doctor();
	cr_assert_null(find("display-mit-shm"), "shared IPC: %s", codes());
	pt_display_opts_free(d);
}

Test(doctor, host_abstract_x_sockets_are_named_when_the_network_is_shared)
{
	make_root(steam_passwd, "root:x:0:\n");
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char name[] = "/tmp/.X11-unix/X97";
	memcpy(a.sun_path + 1, name, sizeof(name) - 1);
	if (bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
						     sizeof(name) - 1)) < 0) {
		close(s);
		cr_skip_test("abstract X socket :97 is taken here");
	}
	cr_assert(listen(s, 1) == 0);
	run_doctor();
	const struct pt_doctor_finding *f =
	    expect("display-host-x-exposed", PT_DOCTOR_INFO, "@/tmp/.X11-unix/X97", NULL);
	cr_assert(strstr(f->hint, "--private-network"), "%s", f->hint);
	pt_plan_set_flags(plan, PT_PLAN_PRIVATE_IPC | PT_PLAN_PRIVATE_NETWORK);
	run_doctor();
	cr_assert_null(find("display-host-x-exposed"), "%s", codes());

	/* What passthru-launch asks for: no notes (it prints none; the
	 * socket table is then not even read), a warning still comes. */
	struct pt_error err = {0};
	pt_plan_set_flags(plan, PT_PLAN_PRIVATE_IPC);
	cr_assert_eq(pt_plan_set_env(plan, "DISPLAY", ":97", &err), 0);
	dopts->min_severity = PT_DOCTOR_WARNING;
	run_doctor();
	cr_assert_null(find("display-host-x-exposed"), "%s", codes());
	cr_assert_eq(pt_doctor_count_severity(doc, PT_DOCTOR_INFO), 0, "%s", codes());
	expect("display-mit-shm", PT_DOCTOR_WARNING, "DISPLAY=:97", NULL);
	/* A level that would hide the errors too is refused. */
	dopts->min_severity = PT_DOCTOR_ERROR + 1;
	pt_doctor_free(doc);
	doc = NULL;
	cr_expect_eq(pt_doctor_run(plan, dopts, &doc, &err), -EINVAL);
	cr_expect(strstr(err.message, "min_severity 3"), "%s", err.message);
	cr_expect_null(doc);
	close(s);
}

/* --- audio --------------------------------------------------------------- */

Test(doctor, pulse_socket_owner_and_cookie)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown the socket");
	make_root("root:x:0:0::/root:/bin/sh\nsteam:x:1001:1001::/home/steam:/bin/sh\n",
		  "root:x:0:\n");
	char *sock = NULL;
	cr_assert(asprintf(&sock, "%s/native", tmp) > 0);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	cr_assert(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "%s", strerror(errno));
	cr_assert(chown(sock, 1000, 1000) == 0);
	cr_assert(chmod(sock, 0777) == 0);
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, sock, PT_AUDIO_SOCKET, PT_BIND_RO, &err), 0, "%s",
		     err.message);
	cr_assert_eq(pt_plan_set_user(plan, "steam", &err), 0);
	run_doctor();
	expect("audio-no-cookie", PT_DOCTOR_WARNING, "belongs to uid 1000",
	       "container's user is uid 1001", NULL);

	cr_assert_eq(pt_plan_add_file(plan, PT_AUDIO_COOKIE, "0123", 4, 0600, &err), 0);
	run_doctor();
	expect("audio-cookie-unreadable", PT_DOCTOR_WARNING, "mode 0600", "uid 1001", NULL);
	cr_assert_eq(pt_plan_add_file(plan, PT_AUDIO_COOKIE, "0123", 4, 0644, &err), 0);
	run_doctor();
	expect("audio-uid-differs", PT_DOCTOR_INFO, "uid 1000", "uid 1001", "(mode 0644)", NULL);

	cr_assert(chmod(sock, 0700) == 0);
	run_doctor();
	expect("audio-socket-no-access", PT_DOCTOR_ERROR, "owner 1000, mode 0700",
	       "uid 1001 cannot connect", NULL);

	cr_assert_eq(pt_plan_set_user(plan, "root", &err), 0);
	run_doctor();
	cr_assert_null(strstr(codes(), "audio-"), "root connects anywhere: %s", codes());
	close(s);
	free(sock);
}

/* --- the tools -------------------------------------------------------------- */

Test(doctor, probe_shows_the_headline_case_in_table_and_json)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown the testbed's nodes");
	gid_t video = host_video_gid();
	gpu_with_render("0000:0c:00.0", "0x1002", "amdgpu", 128, 0660, 0, video);
	make_root(steam_passwd, "root:x:0:\nsteam:x:1000:\nvideo:x:33:steam\n");
	char *out = NULL, *errout = NULL, want[256];
	char *argv[] = {(char *)tu_tool("passthru-probe"), "-D", root, "-u", "steam", "--gpu",
			NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 0, "%s", errout);
	snprintf(want, sizeof(want),
		 "error   device-no-access: render node /dev/dri/renderD128 is owner 0, group %u "
		 "(host 'video'), mode 0660; container user 'steam' (uid 1000) is in groups 1000, 33 "
		 "(container 'video'=33) and cannot open it read-write",
		 (unsigned)video);
	cr_assert(strstr(out, want), "no '%s' in:\n%s", want, out);
	cr_assert(strstr(out, "doctor: 1 error,"), "%s", out);
	free(out);
	free(errout);

	char *jargv[] = {(char *)tu_tool("passthru-probe"), "--json", "-D", root, "-u", "steam",
			 "--gpu", NULL};
	cr_assert_eq(tu_run(jargv, &out, &errout, 20), 0, "%s", errout);
	struct json_object *j = json_tokener_parse(out), *arr, *gpus;
	cr_assert_not_null(j, "not JSON: %s", out);
	cr_assert(json_object_object_get_ex(j, "gpus", &gpus), "the probe report stays: %s", out);
	cr_assert(json_object_object_get_ex(j, "doctor", &arr), "%s", out);
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *f = json_object_array_get_idx(arr, i), *v;
		const char *keys[] = {"code", "severity", "message", "hint"};
		for (size_t k = 0; k < ELEMENTSOF(keys); k++)
			cr_assert(json_object_object_get_ex(f, keys[k], &v), "%s: %s", keys[k], out);
		json_object_object_get_ex(f, "code", &v);
		if (!streq(json_object_get_string(v), "device-no-access"))
			continue;
		seen = true;
		json_object_object_get_ex(f, "severity", &v);
		cr_assert_str_eq(json_object_get_string(v), "error");
		json_object_object_get_ex(f, "message", &v);
		cr_assert(strstr(json_object_get_string(v), want + strlen("error   device-no-access: ")));
		json_object_object_get_ex(f, "hint", &v);
		snprintf(want, sizeof(want), "GID %u", (unsigned)video);
		cr_assert(strstr(json_object_get_string(v), want), "%s", json_object_get_string(v));
	}
	cr_assert(seen, "%s", out);
	json_object_put(j);
	free(out);
	free(errout);
}

/* Under the testbed the launcher chooses the node and the doctor refuses:
 * exit 125 and no command printed, dry run included; --no-doctor prints it. */
Test(doctor, launch_dry_run_refuses_on_an_error_and_no_doctor_goes_on)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn for the nspawn dry run");
	gid_t video = host_video_gid();
	gpu_with_render("0000:0c:00.0", "0x1002", "amdgpu", 128, 0660, 0, video);
	char *broot = tu_busybox_root(tmp); /* tester: groups 1000, 44 (video) */
	char *grp = NULL;
	cr_assert(asprintf(&grp, "%s/etc/group", broot) > 0);
	tu_write(grp, "root:x:0:\nvideo:x:33:tester\ntester:x:1000:\n", 0644);
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=nspawn", "--gpu",
			"--dry-run", "-D", broot, "-u", "tester", "--", "true", NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 20), 125, "%s\n%s", out, errout);
	cr_assert_str_eq(out, "", "nothing is printed to run");
	cr_assert(strstr(errout, "passthru-launch: error: device-no-access: render node "
				 "/dev/dri/renderD128"),
		  "%s", errout);
	cr_assert(strstr(errout, "1 error found before launch, nothing was started"), "%s", errout);
	free(out);
	free(errout);
	char *argv2[] = {(char *)tu_tool("passthru-launch"), "--backend=nspawn", "--gpu",
			 "--dry-run", "--no-doctor", "-D", broot, "-u", "tester", "--", "true", NULL};
	cr_assert_eq(tu_run(argv2, &out, &errout, 20), 0, "%s", errout);
	cr_assert(strstr(out, "--bind=/dev/dri/renderD128"), "%s", out);
	cr_assert_null(strstr(errout, "device-no-access"), "%s", errout);
	free(out);
	free(errout);
	free(grp);
	free(broot);
}

/* A real launch (native backend) with a device node its user cannot
 * open: nothing runs; with --no-doctor the command runs. */
Test(doctor, launch_refuses_to_start_and_starts_with_no_doctor)
{
	if (geteuid() != 0 || !tu_have("busybox"))
		cr_skip_test("needs root (mknod, native backend as root) and busybox");
	/* The launcher runs as itself, not under the preload. */
	unsetenv("LD_PRELOAD");
	unsetenv("UMOCKDEV_DIR");
	char *broot = tu_busybox_root(tmp);
	char *node = NULL, *outdir = NULL, *marker = NULL, *bind_node = NULL, *bind_out = NULL;
	cr_assert(asprintf(&node, "%s/node", tmp) > 0);
	cr_assert(mknod(node, S_IFCHR | 0660, makedev(1, 3)) == 0, "%s", strerror(errno));
	cr_assert(chown(node, 0, 4244) == 0 && chmod(node, 0660) == 0);
	cr_assert(asprintf(&outdir, "%s/out", tmp) > 0);
	cr_assert(mkdir(outdir, 0777) == 0 && chmod(outdir, 0777) == 0);
	cr_assert(asprintf(&marker, "%s/started", outdir) > 0);
	cr_assert(asprintf(&bind_node, "--bind=%s:/tmp/gpu", node) > 0);
	cr_assert(asprintf(&bind_out, "--bind=%s:/tmp/out", outdir) > 0);
	char *out = NULL, *errout = NULL;
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "-D", broot,
			"-u", "tester", bind_node, bind_out, "--", "touch", "/tmp/out/started",
			NULL};
	cr_assert_eq(tu_run(argv, &out, &errout, 30), 125, "%s", errout);
	cr_assert(strstr(errout, "error: device-no-access: device node /tmp/gpu is owner 0, "
				 "group 4244, mode 0660; container user 'tester' (uid 1000) is in "
				 "groups 1000, 44"),
		  "%s", errout);
	cr_assert_neq(access(marker, F_OK), 0, "the command ran");
	free(out);
	free(errout);
	char *argv2[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "--no-doctor",
			 "-D", broot, "-u", "tester", bind_node, bind_out, "--", "touch",
			 "/tmp/out/started", NULL};
	cr_assert_eq(tu_run(argv2, &out, &errout, 30), 0, "%s", errout);
	cr_assert_eq(access(marker, F_OK), 0, "the command did not run: %s", errout);
	free(out);
	free(errout);
	free(node);
	free(outdir);
	free(marker);
	free(bind_node);
	free(bind_out);
	free(broot);
}
