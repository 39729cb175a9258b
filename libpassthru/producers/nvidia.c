/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVIDIA's device nodes. The proprietary driver's /dev/nvidia* are not in
 * sysfs, so udev cannot list them: the GPU is found through udev (gpu.c),
 * and this file asks the driver's /proc files which node belongs to it and
 * which shared nodes exist. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

#include "gpu-private.h"
#include "strv.h"

/* Skips spaces and tabs. */
static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A decimal number of at most 9 digits at p, ending at a blank, a newline or
 * the end of text; *end is set after it. -EBADMSG otherwise. */
static int parse_small_uint(const char *p, unsigned *ret, const char **end)
{
	unsigned v = 0;
	size_t n = 0;
	while (isdigit((unsigned char)p[n])) {
		if (n == 9)
			return -EBADMSG;
		v = v * 10 + (unsigned)(p[n] - '0');
		n++;
	}
	if (n == 0 || (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n'))
		return -EBADMSG;
	*ret = v;
	*end = p + n;
	return 0;
}

int nvidia_parse_device_minor(const char *text, unsigned *ret_minor)
{
	static const char key[] = "Device Minor:";
	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n');
		if (startswith(line, key)) {
			unsigned minor;
			const char *end;
			if (parse_small_uint(skip_blank(line + strlen(key)), &minor, &end) < 0)
				return -EBADMSG;
			end = skip_blank(end);
			/* 254 and 255 are nvidia-modeset and nvidiactl: no GPU has them. */
			if ((*end && *end != '\n') || minor >= NVIDIA_MINOR_MODESET)
				return -EBADMSG;
			*ret_minor = minor;
			return 0;
		}
		line = next ? next + 1 : NULL;
	}
	return -EBADMSG;
}

int nvidia_parse_info_field(const char *text, const char *key, char **ret_value)
{
	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n');
		if (startswith(line, key)) {
			const char *v = skip_blank(line + strlen(key));
			const char *end = next ? next : v + strlen(v);
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end == v)
				return -EBADMSG;
			char *s = strndup(v, (size_t)(end - v));
			if (!s)
				return -ENOMEM;
			*ret_value = s;
			return 0;
		}
		line = next ? next + 1 : NULL;
	}
	return -EBADMSG;
}

/* "550.54.14": digits and at least one dot, nothing else. */
static bool is_version(const char *p, size_t n)
{
	bool dot = false;
	if (n == 0 || n > 32 || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (p[i - 1] == '.')
				return false;
			dot = true;
		} else if (!isdigit((unsigned char)p[i])) {
			return false;
		}
	}
	return dot;
}

int nvidia_parse_version(const char *text, char **ret_version)
{
	static const char key[] = "NVRM version:";
	const char *p = strstr(text, key), *eol;
	size_t n;
	/* /proc/driver/nvidia/version: the version is the first word of the
	 * "NVRM version:" line that looks like one ("... Kernel Module  550.54.14
	 * Thu Feb ..." and "... Open Kernel Module for x86_64  550.54.14 ...").
	 * /sys/module/nvidia/version holds the bare version on one line. */
	if (p && (p == text || p[-1] == '\n')) {
		eol = strchrnul(p, '\n');
		for (p += strlen(key);; p += n) {
			p = skip_blank(p);
			n = strcspn(p, " \t\n");
			if (p >= eol || n == 0)
				return -EBADMSG;
			if (is_version(p, n))
				break;
		}
	} else {
		p = skip_blank(text);
		n = strcspn(p, " \t\n");
		const char *rest = skip_blank(p + n);
		if (!is_version(p, n) || (*rest != '\n' && *rest != '\0'))
			return -EBADMSG;
	}
	char *v = strndup(p, n);
	if (!v)
		return -ENOMEM;
	*ret_version = v;
	return 0;
}

int proc_devices_char_major(const char *text, const char *name)
{
	bool in_char = false;
	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		if (startswith(line, "Character devices:")) {
			in_char = true;
		} else if (startswith(line, "Block devices:")) {
			in_char = false;
		} else if (in_char) {
			/* "%3d %s\n" as fs/char_dev.c prints it. */
			unsigned major;
			const char *end;
			if (parse_small_uint(skip_blank(line), &major, &end) == 0 && *end == ' ' &&
			    major < 4096) {
				const char *nm = end + 1;
				size_t nlen = len - (size_t)(nm - line);
				if (nlen == strlen(name) && strncmp(nm, name, nlen) == 0)
					return (int)major;
			}
		}
		line = next ? next + 1 : NULL;
	}
	return -ENOENT;
}

/* Reads a small /proc or /sys file; *ret NULL and the errno when it cannot.
 * A NUL byte makes it no text the kernel wrote (-EBADMSG). */
static int read_small(const char *path, char **ret)
{
	*ret = NULL;
	return read_file_at(AT_FDCWD, path, GPU_PROC_MAX, READ_TEXT, ret, NULL, NULL);
}

static int probe_gpu_minor(struct pt_gpu_list *l, struct gpu_entry *g, unsigned major)
{
	_cleanup_free_ char *info_path = NULL, *text = NULL, *node = NULL;
	if (asprintf(&info_path, "/proc/driver/nvidia/gpus/%s/information", g->pub.pci) < 0)
		return -ENOMEM;
	int r = read_small(info_path, &text);
	if (r == -ENOENT && !(g->pub.driver && streq(g->pub.driver, "nvidia")))
		return 0; /* nouveau, vfio-pci or no driver: no /dev/nvidiaN to expect */
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return gpu_list_warn(l, "nvidia-proc-unreadable",
				     "NVIDIA GPU %s: cannot read %s (%s): "
				     "its /dev/nvidiaN is unknown",
				     g->pub.pci, info_path, strerror(-r));
	/* UUID and model: for --gpu=GPU-<uuid> and the probe; optional. */
	char *uuid = NULL, *model = NULL;
	if (nvidia_parse_info_field(text, "GPU UUID:", &uuid) == -ENOMEM ||
	    nvidia_parse_info_field(text, "Model:", &model) == -ENOMEM) {
		free(uuid);
		return -ENOMEM;
	}
	g->pub.uuid = uuid;
	g->pub.model = model;
	unsigned minor;
	if (nvidia_parse_device_minor(text, &minor) < 0)
		return gpu_list_warn(l, "nvidia-proc-unreadable",
				     "NVIDIA GPU %s: %s has no valid \"Device Minor:\" line: its "
				     "/dev/nvidiaN is unknown",
				     g->pub.pci, info_path);
	if (asprintf(&node, "/dev/nvidia%u", minor) < 0)
		return -ENOMEM;
	return gpu_node_add(l, &g->nodes, node, PT_GPU_NODE_NVIDIA, major, minor, NODE_CHECK_ALL,
			    NULL);
}

static int cmp_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* /dev/nvidia-caps/nvidia-capN: MIG access rights. Their minors come from
 * /proc/driver/nvidia/capabilities; only the major is checked here. */
static int probe_caps(struct pt_gpu_list *l, int caps_major)
{
	DIR *d = opendir("/dev/nvidia-caps");
	if (!d)
		return 0;
	struct dirent *de;
	/* readdir order is the file system's: sort for a stable report. */
	struct strv_builder b = {0};
	while ((de = readdir(d)))
		if (startswith(de->d_name, "nvidia-cap"))
			strv_pushf(&b, "/dev/nvidia-caps/%s", de->d_name);
	closedir(d);
	size_t n = b.n;
	_cleanup_strv_ char **v = strv_steal(&b);
	if (!v)
		return -ENOMEM;
	int r = 0;
	if (n > 1)
		qsort(v, n, sizeof(char *), cmp_version);
	for (size_t i = 0; i < n && r == 0; i++)
		r = gpu_node_add(l, &l->nvidia_nodes, v[i], PT_GPU_NODE_NVIDIA_CAP,
				 caps_major < 0 ? 0 : (unsigned)caps_major, 0,
				 caps_major < 0 ? 0 : NODE_CHECK_MAJOR, NULL);
	return r;
}

/* NVIDIA's character majors as /proc/devices registers them, -ENOENT each
 * when not registered; readable false when /proc/devices cannot be read. */
struct nvidia_majors {
	bool readable;
	int nvidia, uvm, caps;
};

static int read_majors(struct pt_gpu_list *l, struct nvidia_majors *m)
{
	*m = (struct nvidia_majors){.nvidia = -ENOENT, .uvm = -ENOENT, .caps = -ENOENT};
	_cleanup_free_ char *devices = NULL;
	int r = read_small("/proc/devices", &devices);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = gpu_list_warn(l, "proc-devices-unreadable",
				  "cannot read /proc/devices (%s): NVIDIA's majors are unknown",
				  strerror(-r));
		return r < 0 ? r : 0;
	}

	/* The 195 group is "nvidia" since driver 550.40, "nvidia-frontend" before. */
	m->readable = true;
	m->nvidia = proc_devices_char_major(devices, "nvidia");
	if (m->nvidia < 0)
		m->nvidia = proc_devices_char_major(devices, "nvidia-frontend");
	m->uvm = proc_devices_char_major(devices, "nvidia-uvm");
	m->caps = proc_devices_char_major(devices, "nvidia-caps");
	return 0;
}

/* Whether the driver is loaded (l->has_nvidia), and its version file's text
 * in *ret_version when one is readable. */
static int detect_driver(struct pt_gpu_list *l, const struct nvidia_majors *m, char **ret_version)
{
	/* The driver is loaded when its major is registered; only when
	 * /proc/devices cannot be read does its version file decide. */
	if (m->nvidia >= 0 || !m->readable) {
		int r = read_small("/proc/driver/nvidia/version", ret_version);
		if (r == -ENOMEM)
			return r;
		bool have_proc_version = r == 0;
		if (r < 0 && read_small("/sys/module/nvidia/version", ret_version) == -ENOMEM)
			return -ENOMEM;
		l->has_nvidia = m->nvidia >= 0 || have_proc_version;
		return 0;
	}

	bool driver_bound = false;
	for (size_t i = 0; i < l->n_gpus; i++) {
		const struct pt_gpu *g = &l->gpus[i].pub;
		driver_bound |= g->vendor_id == 0x10de && g->driver && streq(g->driver, "nvidia");
	}
	if (!driver_bound)
		return 0;
	int r = gpu_list_warn(l, "nvidia-no-major",
			      "a GPU is bound to the nvidia driver but /proc/devices names no "
			      "nvidia major: its nodes cannot be checked");
	return r < 0 ? r : 0;
}

static int probe_gpu_minors(struct pt_gpu_list *l, unsigned nv_major)
{
	for (size_t i = 0; i < l->n_gpus; i++) {
		struct gpu_entry *g = &l->gpus[i];
		if (g->pub.vendor_id != 0x10de || !g->pub.pci)
			continue;
		int r = probe_gpu_minor(l, g, nv_major);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The driver's version from its version file's text (may be NULL). */
static int set_driver_version(struct pt_gpu_list *l, const char *version)
{
	if (version) {
		char *v = NULL;
		int r = nvidia_parse_version(version, &v);
		if (r == -ENOMEM)
			return r;
		l->nvidia.driver_version = v;
	}
	if (l->nvidia.driver_version)
		return 0;
	int r = gpu_list_warn(l, "nvidia-version-unknown",
			      "the NVIDIA driver's version is unreadable "
			      "(/proc/driver/nvidia/version): the container's NVIDIA "
			      "libraries cannot be checked against it");
	return r < 0 ? r : 0;
}

/* The nodes every NVIDIA GPU needs besides its own: control, modeset, UVM. */
static int add_shared_nodes(struct pt_gpu_list *l, unsigned nv_major, int uvm)
{
	struct {
		const char *path;
		enum pt_gpu_node_kind kind;
		int major;
		unsigned minor;
	} shared[] = {
		{"/dev/nvidiactl", PT_GPU_NODE_NVIDIACTL, (int)nv_major, NVIDIA_MINOR_CTL},
		{"/dev/nvidia-modeset", PT_GPU_NODE_NVIDIA_MODESET, (int)nv_major,
		 NVIDIA_MINOR_MODESET},
		{"/dev/nvidia-uvm", PT_GPU_NODE_NVIDIA_UVM, uvm, 0},
		{"/dev/nvidia-uvm-tools", PT_GPU_NODE_NVIDIA_UVM_TOOLS, uvm, 1},
	};
	for (size_t i = 0; i < ELEMENTSOF(shared); i++) {
		if (shared[i].major < 0)
			continue;
		int r =
		    gpu_node_add(l, &l->nvidia_nodes, shared[i].path, shared[i].kind,
				 (unsigned)shared[i].major, shared[i].minor, NODE_CHECK_ALL, NULL);
		if (r < 0)
			return r;
	}
	/* Without the module there is no major and no node to look for. */
	if (uvm >= 0)
		return 0;
	int r = gpu_list_warn(l, "nvidia-uvm-missing",
			      "the nvidia-uvm module is not loaded (no nvidia-uvm in "
			      "/proc/devices): CUDA fails in the container "
			      "(nvidia-modprobe -u -c 0 loads it)");
	return r < 0 ? r : 0;
}

int nvidia_probe(struct pt_gpu_list *l)
{
	struct nvidia_majors m;
	int r = read_majors(l, &m);
	if (r < 0)
		return r;
	_cleanup_free_ char *version = NULL;
	r = detect_driver(l, &m, &version);
	if (r < 0)
		return r;

	unsigned nv_major = m.nvidia >= 0 ? (unsigned)m.nvidia : NVIDIA_MAJOR_DEFAULT;
	r = probe_gpu_minors(l, nv_major);
	if (r < 0)
		return r;
	if (!l->has_nvidia)
		return 0;

	l->nvidia.major = nv_major;
	r = set_driver_version(l, version);
	if (r < 0)
		return r;
	r = add_shared_nodes(l, nv_major, m.uvm);
	if (r < 0)
		return r;
	return probe_caps(l, m.caps);
}
