/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CDI specs from plans, read by their real consumer: podman with runc;
 * the GPU spec as passthru-probe --cdi=gpu writes it.
 * GPUs this machine lacks come from a umockdev testbed whose device nodes
 * are real character nodes of an unused major (opening one gives ENXIO:
 * the device is there and allowed, no driver answers). Podman runs with
 * private storage under the test's directory and --rootfs, and the spec
 * file it reads from /var/run/cdi is removed after each test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <umockdev.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "nvfake.h"
#include "pulsehelper.h"
#include "testutil.h"

/* The runner forks its workers: it must run with the preload itself. */
__attribute__((constructor)) static void reexec_with_umockdev(int argc, char **argv)
{
	(void)argc;
	tu_reexec_with_umockdev(argv, "PT_TEST_CDI_REEXEC");
}

static UMockdevTestbed *tb;
static char *tbroot, *tmp, *root;
static char spec_file[512]; /* what this test put into /var/run/cdi, or "" */
static char vendor[64];
static struct tu_pulse *pulse;
static const char *extra_podman_arg; /* one more podman run option, or NULL */

static void setup(void)
{
	tb = umockdev_testbed_new();
	tbroot = umockdev_testbed_get_root_dir(tb);
	tmp = tu_tmpdir();
	spec_file[0] = '\0';
	/* One vendor per test: specs of other tests never collide with ours. */
	snprintf(vendor, sizeof(vendor), "t%d.passthru.dev", (int)getpid());
	char p[4200];
	snprintf(p, sizeof(p), "%s/proc/devices", tbroot);
	tu_write(p, "Character devices:\n  1 mem\n", 0644);
}

static void teardown(void)
{
	if (spec_file[0])
		unlink(spec_file);
	tu_pulse_free(pulse);
	pulse = NULL;
	if (tmp)
		tu_rm_rf(tmp);
	free(tmp);
	free(root);
	tmp = root = NULL;
	g_free(tbroot);
	g_object_unref(tb);
}

TestSuite(cdi, .init = setup, .fini = teardown);

static void node(const char *path, unsigned major, unsigned minor, unsigned mode, gid_t gid)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	char *mk[] = {"mkdir", "-p", dir, NULL};
	cr_assert_eq(tu_run(mk, NULL, NULL, 5), 0);
	cr_assert_eq(mknod(path, S_IFCHR | mode, makedev(major, minor)), 0, "mknod %s: %s", path,
		     strerror(errno));
	cr_assert_eq(chmod(path, mode), 0);
	cr_assert_eq(chown(path, 0, gid), 0);
}

/* A PCI GPU with a card and a render node of major M, real nodes in the
 * testbed's /dev. */
static void gpu(const char *addr, unsigned major, unsigned card, unsigned mode)
{
	char d[2048];
	snprintf(d, sizeof(d),
		 "P: /devices/pci0000:00/%s\nE: SUBSYSTEM=pci\nE: PCI_SLOT_NAME=%s\n"
		 "E: DRIVER=i915\nA: vendor=0x8086\nA: device=0x9a49\nA: class=0x030000\n"
		 "A: boot_vga=0\nL: driver=../../../bus/pci/drivers/i915\n",
		 addr, addr);
	GError *gerr = NULL;
	cr_assert(umockdev_testbed_add_from_string(tb, d, &gerr), "%s", gerr ? gerr->message : "");
	unsigned minors[2] = {card, 128 + card};
	const char *names[2] = {"card", "renderD"};
	for (int i = 0; i < 2; i++) {
		snprintf(d, sizeof(d),
			 "P: /devices/pci0000:00/%s/drm/%s%u\nE: SUBSYSTEM=drm\n"
			 "E: DEVTYPE=drm_minor\nE: DEVNAME=/dev/dri/%s%u\nE: MAJOR=%u\n"
			 "E: MINOR=%u\nA: dev=%u:%u\n",
			 addr, names[i], minors[i], names[i], minors[i], major, minors[i], major,
			 minors[i]);
		cr_assert(umockdev_testbed_add_from_string(tb, d, &gerr), "%s",
			  gerr ? gerr->message : "");
		char p[4200];
		snprintf(p, sizeof(p), "%s/dev/dri/%s%u", tbroot, names[i], minors[i]);
		node(p, major, minors[i], mode, 44);
	}
}

static char *slurp_file(const char *path)
{
	char *cat[] = {"cat", (char *)path, NULL}, *out = NULL;
	cr_assert_eq(tu_run(cat, &out, NULL, 5), 0, "cat %s", path);
	return out;
}

static struct pt_cdi_opts *opts_for_testbed(void)
{
	struct pt_cdi_opts *o = pt_cdi_opts_new();
	o->vendor = vendor;
	o->host_root = tbroot;
	return o;
}

/* The spec as passthru-probe --cdi=gpu writes it: the tool inherits the
 * umockdev preload, so it sees the testbed's GPUs. */
static char *gpu_spec_json(void)
{
	char v[128], hr[4200], outp[700];
	snprintf(spec_file, sizeof(spec_file), "/var/run/cdi/%s.json", vendor);
	mkdir("/var/run/cdi", 0755);
	snprintf(v, sizeof(v), "--cdi-vendor=%s", vendor);
	snprintf(hr, sizeof(hr), "--cdi-host-root=%s", tbroot);
	snprintf(outp, sizeof(outp), "--output=%s", spec_file);
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--cdi=gpu", v, hr, outp, NULL};
	char *err = NULL;
	int rc = tu_run(argv, NULL, &err, 30);
	cr_assert_eq(rc, 0, "passthru-probe: %d: %s", rc, err);
	free(err);
	char *cat[] = {"cat", spec_file, NULL}, *json = NULL;
	cr_assert_eq(tu_run(cat, &json, NULL, 5), 0);
	return json;
}

static void need_podman(void)
{
	if (geteuid() != 0)
		cr_skip_test("mknod and podman with runc need root");
	if (!tu_have("podman") || !tu_have("runc"))
		cr_skip_test("podman and runc are not installed (Debian: podman runc)");
}

/* Runs CMD in podman over the busybox root with the given CDI device.
 * Podman must not inherit the umockdev preload of this process. */
static int podman(const char *device, const char *cmd, char **out, char **err)
{
	if (!root)
		root = tu_busybox_root(tmp);
	char storage[4200], run[4200], dev[256];
	snprintf(storage, sizeof(storage), "%s/podman-root", tmp);
	snprintf(run, sizeof(run), "%s/podman-run", tmp);
	snprintf(dev, sizeof(dev), "%s", device);
	char *argv[32] = {"podman", "--root", storage, "--runroot", run, "--runtime", "runc",
			  "--cgroup-manager", "cgroupfs", "run", "--rm", "--net=host", "--ulimit",
			  "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--device", dev};
	size_t n = 18;
	if (extra_podman_arg)
		argv[n++] = (char *)extra_podman_arg;
	argv[n++] = "--rootfs";
	argv[n++] = root;
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = (char *)cmd;
	argv[n] = NULL;
	char *pre = strdup(getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
	unsetenv("LD_PRELOAD");
	int rc = tu_run(argv, out, err, 60);
	if (*pre)
		setenv("LD_PRELOAD", pre, 1);
	free(pre);
	return rc;
}

Test(cdi, podman_sees_exactly_the_chosen_gpu)
{
	need_podman();
	unsigned major = tu_free_char_major();
	gpu("0000:00:02.0", major, 0, 0666);
	gpu("0000:03:00.0", major, 1, 0666);
	char *json = gpu_spec_json();
	cr_expect(strstr(json, "\"cdiVersion\": \"0.5.0\""), "hostPath and digit names: %s",
		  json);
	free(json);

	const char *script = "ls /dev/dri; cat /dev/dri/card* 2>&1; cat /dev/dri/renderD* 2>&1; true";
	char dev[128], *out = NULL, *err = NULL;
	snprintf(dev, sizeof(dev), "%s/gpu=0", vendor);
	int rc = podman(dev, script, &out, &err);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	cr_expect(strncmp(out, "card0\nrenderD128\n", 17) == 0, "exactly GPU 0's nodes: %s", out);
	cr_expect(strstr(out, "'/dev/dri/card0': No such device or address"), "%s", out);
	cr_expect(strstr(out, "'/dev/dri/renderD128': No such device or address"), "%s", out);
	cr_expect_null(strstr(out, "Permission denied"), "%s", out);
	cr_expect_null(strstr(out, "not permitted"), "%s", out);
	free(out);
	free(err);

	snprintf(dev, sizeof(dev), "%s/gpu=all", vendor);
	rc = podman(dev, "ls /dev/dri | tr '\\n' ' '", &out, &err);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	cr_expect_str_eq(out, "card0 card1 renderD128 renderD129 ");
	free(out);
	free(err);
}

/* The generic emitter: env, a bind, a generated file and a node of a plan. */
Test(cdi, podman_gets_env_mounts_and_generated_files)
{
	need_podman();
	unsigned major = tu_free_char_major();
	char fake[4200], data[4200];
	snprintf(fake, sizeof(fake), "%s/dev/fake0", tmp);
	node(fake, major, 7, 0666, 0);
	snprintf(data, sizeof(data), "%s/data/hello", tmp);
	tu_write(data, "bound\n", 0644);
	*strrchr(data, '/') = '\0';

	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_add_device(plan, "/dev/fake0", 'c', major, 7, NULL, &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, data, "/mnt/data", PT_BIND_RO, &e), 0);
	cr_assert_eq(pt_plan_set_env(plan, "FIXTURE", "a value", &e), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/etc/fixture.conf", "generated\n", 10, 0644, &e), 0);
	struct pt_cdi_opts *o = pt_cdi_opts_new();
	o->vendor = vendor;
	o->host_root = tmp;
	struct pt_cdi_spec *spec = NULL;
	cr_assert_eq(pt_cdi_spec_new(o, "fixture", &spec, &e), 0, "%s", e.message);
	cr_assert_eq(pt_cdi_spec_add_device(spec, "one", plan, &e), 0, "%s", e.message);
	/* Generated files need a place beside the spec. */
	cr_expect_null(pt_cdi_spec_to_json(spec, NULL, &e));
	cr_expect(strstr(e.message, "CDI cannot carry a file's content"), "%s", e.message);
	snprintf(spec_file, sizeof(spec_file), "/var/run/cdi/%s.json", vendor);
	mkdir("/var/run/cdi", 0755);
	cr_assert_eq(pt_cdi_spec_write(spec, spec_file, &e), 0, "%s", e.message);
	pt_cdi_spec_free(spec);
	pt_cdi_opts_free(o);
	pt_plan_free(plan);

	char dev[128], *out = NULL, *err = NULL;
	snprintf(dev, sizeof(dev), "%s/fixture=one", vendor);
	int rc = podman(dev,
			"echo \"$FIXTURE\"; cat /mnt/data/hello /etc/fixture.conf;"
			"(echo x > /mnt/data/new) 2>/dev/null || echo ro-ok; cat /dev/fake0 2>&1; true",
			&out, &err);
	char files[600];
	snprintf(files, sizeof(files), "/var/run/cdi/%s.files", vendor);
	tu_rm_rf(files);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	cr_expect_str_eq(out, "a value\nbound\ngenerated\nro-ok\n"
			      "cat: can't open '/dev/fake0': No such device or address\n");
	free(out);
	free(err);
}

Test(cdi, podman_reaches_pulse_through_the_audio_spec)
{
	need_podman();
	if (!tu_have("pulseaudio"))
		cr_skip_test("pulseaudio is not installed");
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	struct pt_error e = {0};
	struct pt_cdi_opts *o = pt_cdi_opts_new();
	o->vendor = vendor;
	struct pt_cdi_spec *spec = NULL;
	cr_assert_eq(pt_cdi_audio_spec(o, 0, &spec, &e), 0, "%s", e.message);
	snprintf(spec_file, sizeof(spec_file), "/var/run/cdi/%s.json", vendor);
	mkdir("/var/run/cdi", 0755);
	cr_assert_eq(pt_cdi_spec_write(spec, spec_file, &e), 0, "%s", e.message);
	pt_cdi_spec_free(spec);
	pt_cdi_opts_free(o);

	char dev[128], *out = NULL, *err = NULL;
	snprintf(dev, sizeof(dev), "%s/audio=pulse", vendor);
	int rc = podman(dev,
			"echo $PULSE_SERVER; test -S /run/passthru/pulse/native && echo socket;"
			"wc -c < $PULSE_COOKIE",
			&out, &err);
	char files[600];
	snprintf(files, sizeof(files), "/var/run/cdi/%s.files", vendor);
	tu_rm_rf(files);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	cr_expect_str_eq(out, "unix:/run/passthru/pulse/native\nsocket\n256\n");
	free(out);
	free(err);
}

/* An NVIDIA GPU in the testbed, its nodes real ones of two free majors,
 * and a fake driver of NVFAKE_VERSION: podman gets the GPU's and the
 * shared nodes, and the driver's libraries load inside at that version. */
Test(cdi, podman_loads_the_nvidia_driver_from_the_spec)
{
	need_podman();
	unsigned major = tu_free_char_major(), uvm = major + 1;
	if (uvm > 254)
		cr_skip_test("no second free character major in 240-254");
	char d[2048], p[4200];
	snprintf(d, sizeof(d),
		 "P: /devices/pci0000:00/0000:01:00.0\nE: SUBSYSTEM=pci\n"
		 "E: PCI_SLOT_NAME=0000:01:00.0\nE: DRIVER=nvidia\nA: vendor=0x10de\n"
		 "A: device=0x25a0\nA: class=0x030200\nA: boot_vga=0\n"
		 "L: driver=../../../bus/pci/drivers/nvidia\n");
	GError *gerr = NULL;
	cr_assert(umockdev_testbed_add_from_string(tb, d, &gerr), "%s", gerr ? gerr->message : "");
	snprintf(p, sizeof(p), "%s/proc/devices", tbroot);
	snprintf(d, sizeof(d), "Character devices:\n  1 mem\n%u nvidia\n%u nvidia-uvm\n", major,
		 uvm);
	tu_write(p, d, 0644);
	snprintf(p, sizeof(p), "%s/proc/driver/nvidia/version", tbroot);
	tu_write(p, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " NVFAKE_VERSION "  Thu Feb 22\n",
		 0644);
	snprintf(p, sizeof(p), "%s/proc/driver/nvidia/gpus/0000:01:00.0/information", tbroot);
	tu_write(p, "Model: \t\t NVIDIA Test\nBus Location: \t 0000:01:00.0\nDevice Minor: \t 0\n",
		 0644);
	const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {{"nvidia0", major, 0},	   {"nvidiactl", major, 255},
		     {"nvidia-modeset", major, 254}, {"nvidia-uvm", uvm, 0},
		     {"nvidia-uvm-tools", uvm, 1}};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(p, sizeof(p), "%s/dev/%s", tbroot, nodes[i].name);
		node(p, nodes[i].major, nodes[i].minor, 0666, 0);
		/* Nodes that are in no sysfs: umockdev's stat() takes their
		 * numbers from dev/.node/NAME. */
		char link[4300], target[32];
		snprintf(link, sizeof(link), "%s/dev/.node", tbroot);
		mkdir(link, 0755);
		snprintf(link, sizeof(link), "%s/dev/.node/%s", tbroot, nodes[i].name);
		snprintf(target, sizeof(target), "%u:%u", nodes[i].major, nodes[i].minor);
		cr_assert_eq(symlink(target, link), 0, "%s", strerror(errno));
	}
	char *driver = nvfake_driver(tmp, false);

	struct pt_error e = {0};
	struct pt_gpu_list *list = NULL;
	cr_assert_eq(pt_gpu_probe(&list, &e), 0, "%s", e.message);
	struct pt_nvidia_driver_opts *no = pt_nvidia_driver_opts_new();
	no->root = driver;
	no->version = NVFAKE_VERSION;
	struct pt_nvidia_driver *drv = NULL;
	cr_assert_eq(pt_nvidia_driver_probe(no, &drv, &e), 0, "%s", e.message);
	struct pt_cdi_opts *o = opts_for_testbed();
	o->nvidia_driver = drv;
	struct pt_cdi_spec *spec = NULL;
	char warns[2048] = "";
	for (size_t i = 0; i < pt_gpu_list_warning_count(list); i++) {
		strncat(warns, pt_gpu_list_warning(list, i)->message, sizeof(warns) - strlen(warns) - 2);
		strcat(warns, "\n");
	}
	cr_assert_eq(pt_cdi_gpu_spec(list, NULL, o, &spec, &e), 0, "%s; probe: %s", e.message, warns);
	snprintf(spec_file, sizeof(spec_file), "/var/run/cdi/%s.json", vendor);
	mkdir("/var/run/cdi", 0755);
	cr_assert_eq(pt_cdi_spec_write(spec, spec_file, &e), 0, "%s", e.message);
	char *json = slurp_file(spec_file);
	/* The driver's files: read-only, nosuid, nodev, rbind, rprivate. */
	char *flat = strdup(json), *w = flat;
	for (const char *c = json; *c; c++)
		if (*c != ' ' && *c != '\n')
			*w++ = *c;
	*w = '\0';
	cr_expect(strstr(flat, "\"containerPath\":\"/run/passthru/nvidia/lib64/libcuda.so.1\","
			       "\"options\":[\"ro\",\"nosuid\",\"nodev\",\"rbind\",\"rprivate\"]"),
		  "%s", json);
	free(flat);
	cr_expect(strstr(json, "LD_LIBRARY_PATH=/run/passthru/nvidia/lib64"), "%s", json);
	cr_expect_null(strstr(json, "ld.so.cache"), "%s", json);
	free(json);
	pt_cdi_spec_free(spec);
	pt_cdi_opts_free(o);
	pt_nvidia_driver_free(drv);
	pt_nvidia_driver_opts_free(no);
	pt_gpu_list_free(list);

	/* A dynamically linked checker needs the host's libc: /usr read-only. */
	snprintf(p, sizeof(p), "%s/nvcheck", tmp);
	nvfake_checker(p, false);
	if (!root)
		root = tu_busybox_root(tmp);
	char link[4200];
	snprintf(link, sizeof(link), "%s/lib", root);
	symlink("usr/lib", link);
	snprintf(link, sizeof(link), "%s/lib64", root);
	symlink("usr/lib64", link);
	snprintf(link, sizeof(link), "%s/nvcheck", root);
	char *cp[] = {"cp", p, link, NULL};
	cr_assert_eq(tu_run(cp, NULL, NULL, 5), 0);
	char dev[128], *out = NULL, *err = NULL;
	snprintf(dev, sizeof(dev), "%s/gpu=0", vendor);
	extra_podman_arg = "--volume=/usr:/usr:ro";
	int rc = podman(dev,
			"ls /dev | grep nvidia | tr '\\n' ' '; echo; cat /dev/nvidia0 2>&1;"
			"/nvcheck libcuda.so.1 libnvidia-ml.so.1; true",
			&out, &err);
	extra_podman_arg = NULL;
	char files[600];
	snprintf(files, sizeof(files), "/var/run/cdi/%s.files", vendor);
	tu_rm_rf(files);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	cr_expect(strstr(out, "nvidia-modeset nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl \n"),
		  "%s", out);
	cr_expect(strstr(out, "No such device or address"), "%s", out);
	cr_expect(strstr(out, "libcuda.so.1=" NVFAKE_VERSION "\n"), "%s", out);
	cr_expect(strstr(out, "libnvidia-ml.so.1=" NVFAKE_VERSION "\n"), "%s", out);
	free(out);
	free(err);
	free(driver);
}

/* ---- the generator's own rules ------------------------------------------ */

Test(cdi, names_follow_cdi_rules)
{
	const struct {
		const char *name;
		bool vendor, device;
	} t[] = {
		{"passthru.dev", true, true}, {"example.com", true, true}, {"a", true, true},
		{"0", false, true},	      {"0abc", false, true},	   {"gpu:0", false, true},
		{"a_b-c.d", true, true},      {"-a", false, false},	   {"a-", false, false},
		{"a.", false, false},	      {"a/b", false, false},	   {"a b", false, false},
		{"", false, false},	      {"é", false, false},	   {"a:b", false, true},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_expect_eq(pt_cdi_vendor_valid(t[i].name), t[i].vendor, "vendor '%s'", t[i].name);
		cr_expect_eq(pt_cdi_class_valid(t[i].name), t[i].vendor, "class '%s'", t[i].name);
		cr_expect_eq(pt_cdi_device_name_valid(t[i].name), t[i].device, "device '%s'",
			     t[i].name);
	}
}

/* The lowest version that covers the fields: one row per feature. */
Test(cdi, version_is_the_lowest_that_covers_the_fields)
{
	if (geteuid() != 0)
		cr_skip_test("a node of group 44 needs root (mknod, chown)");
	unsigned major = tu_free_char_major();
	char p[4200];
	snprintf(p, sizeof(p), "%s/dev/video0", tmp);
	node(p, major, 3, 0660, 44);
	snprintf(p, sizeof(p), "%s/dev/open0", tmp);
	node(p, major, 4, 0666, 44);
	const struct {
		const char *class, *device, *host_root, *node;
		unsigned minor;
		const char *version;
	} t[] = {
		{"gpu", "card", NULL, "/dev/null", 0, "0.3.0"},
		{"gpu", "0", NULL, "/dev/null", 0, "0.5.0"},
		{"gpu", "card", "@TMP", "/dev/open0", 4, "0.5.0"},
		{"g.pu", "card", NULL, "/dev/null", 0, "0.6.0"},
		{"gpu", "card", "@TMP", "/dev/video0", 3, "0.7.0"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pt_error e = {0};
		struct pt_plan *plan = pt_plan_new();
		bool null = strcmp(t[i].node, "/dev/null") == 0;
		cr_assert_eq(pt_plan_add_device(plan, t[i].node, 'c', null ? 1 : major,
						null ? 3 : t[i].minor, NULL, &e),
			     0);
		struct pt_cdi_opts *o = pt_cdi_opts_new();
		o->host_root = t[i].host_root ? tmp : NULL;
		struct pt_cdi_spec *s = NULL;
		cr_assert_eq(pt_cdi_spec_new(o, t[i].class, &s, &e), 0, "%s", e.message);
		cr_assert_eq(pt_cdi_spec_add_device(s, t[i].device, plan, &e), 0, "%s", e.message);
		cr_expect_str_eq(pt_cdi_spec_version(s), t[i].version, "row %zu", i);
		char *json = pt_cdi_spec_to_json(s, NULL, &e);
		cr_assert_not_null(json);
		char want[64];
		snprintf(want, sizeof(want), "\"cdiVersion\": \"%s\"", t[i].version);
		cr_expect(strstr(json, want), "%s", json);
		if (strcmp(t[i].version, "0.7.0") == 0) {
			cr_expect(strstr(json, "\"additionalGids\""), "%s", json);
			cr_expect(strstr(json, "\"gid\": 44"), "%s", json);
		} else {
			cr_expect_null(strstr(json, "additionalGids"), "%s", json);
		}
		free(json);
		pt_cdi_spec_free(s);
		pt_cdi_opts_free(o);
		pt_plan_free(plan);
	}
}

Test(cdi, bad_names_and_missing_nodes_are_refused)
{
	struct pt_error e = {0};
	struct pt_cdi_opts *o = pt_cdi_opts_new();
	struct pt_cdi_spec *s = NULL;
	o->vendor = "-bad";
	cr_expect_eq(pt_cdi_spec_new(o, "gpu", &s, &e), -EINVAL);
	cr_expect(strstr(e.message, "cdi: invalid vendor '-bad'"), "%s", e.message);
	o->vendor = NULL;
	cr_expect_eq(pt_cdi_spec_new(o, "gp/u", &s, &e), -EINVAL);
	cr_expect(strstr(e.message, "cdi: invalid class 'gp/u'"), "%s", e.message);
	o->host_root = tmp;
	cr_assert_eq(pt_cdi_spec_new(o, "gpu", &s, &e), 0);

	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_add_device(plan, "/dev/nope", 'c', 250, 1, NULL, &e), 0);
	cr_expect_eq(pt_cdi_spec_add_device(s, "bad name", plan, &e), -EINVAL);
	cr_expect(strstr(e.message, "cdi: invalid device name 'bad name'"), "%s", e.message);
	cr_expect_eq(pt_cdi_spec_add_device(s, "0", plan, &e), -ENOENT);
	char want[4200];
	snprintf(want, sizeof(want),
		 "cdi: passthru.dev/gpu=0: device node %s/dev/nope: No such file or directory",
		 tmp);
	cr_expect_str_eq(e.message, want);
	/* Nothing was added: a spec without devices is not rendered. */
	cr_expect_null(pt_cdi_spec_to_json(s, NULL, &e));
	cr_expect(strstr(e.message, "has no device"), "%s", e.message);
	pt_plan_free(plan);
	pt_cdi_spec_free(s);
	pt_cdi_opts_free(o);
}

Test(cdi, the_tool_refuses_before_writing)
{
	char out_path[4200];
	snprintf(out_path, sizeof(out_path), "%s/spec.json", tmp);
	char output[4300];
	snprintf(output, sizeof(output), "--output=%s", out_path);
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--cdi=gpu", "--cdi-vendor=bad vendor",
			output, NULL};
	char *out = NULL, *err = NULL;
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_eq(rc, 2, "%s", err);
	cr_expect(strstr(err, "passthru-probe: cdi: invalid vendor 'bad vendor'"), "%s", err);
	cr_expect_neq(access(out_path, F_OK), 0, "a spec was written");
	free(out);
	free(err);
	char *argv2[] = {(char *)tu_tool("passthru-probe"), "--cdi=video", NULL};
	rc = tu_run(argv2, &out, &err, 30);
	cr_expect_eq(rc, 2);
	cr_expect(strstr(err, "--cdi: unknown value 'video'"), "%s", err);
	free(out);
	free(err);
}
