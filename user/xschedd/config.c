// SPDX-License-Identifier: MIT
/*
 * xschedd.conf parser and the rule matcher. Lines are "key = value",
 * "rule KEY=VALUE..." or comments (#). Every error names the line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "axs_parse.h"
#include "config.h"

#define MS		UINT64_C(1000000)
#define LINE_MAX_LEN	1024
#define MAX_FILE	(1 << 20)

static const char *const cu_mode_names[] = {
	[AXSP_CU_NONE] = "none",
	[AXSP_CU_CLASS] = "class",
	[AXSP_CU_SHARE] = "share",
};

/* enum axsp_class has the values of AMDXSCHED_CLASS_*: one name table serves. */
const char *xsd_class_name(int c)
{
	const char *name = c > 0 ? axs_class_name((uint32_t)c) : NULL;

	return name ? name : "-";
}

/*
 * The uid of user @name, or -ENOENT: through NSS (LDAP, sssd included), or,
 * in the static test builds (AXS_STATIC: glibc's NSS cannot be linked
 * statically), from /etc/passwd alone.
 */
static int user_uid(const char *name, uint64_t *uid)
{
#ifdef AXS_STATIC
	struct passwd *pw;
	FILE *f = fopen("/etc/passwd", "re");
	int r = -ENOENT;

	if (!f)
		return r;
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name)) {
			*uid = pw->pw_uid;
			r = 0;
			break;
		}
	fclose(f);
	return r;
#else
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
		return -ENOENT;
	*uid = res->pw_uid;
	return 0;
#endif
}

int xsd_class_parse(const char *s)
{
	uint32_t c = axs_class_parse(s);

	return c ? (int)c : -1;
}

void xsd_config_default(struct xsd_config *c)
{
	memset(c, 0, sizeof(*c));
	axsp_config_default(&c->pol);
	c->lease_ms = 1000;
	c->default_class = AXSP_CLASS_NORMAL;
	c->trust_hints = true;
}

static void free_rule(struct xsd_rule *r)
{
	free(r->exe);
	free(r->comm);
	free(r->cgroup);
	free(r->tag);
}

void xsd_config_free(struct xsd_config *c)
{
	for (size_t i = 0; i < c->nrules; i++)
		free_rule(&c->rules[i]);
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

/* ---- values ------------------------------------------------------------- */

static int parse_bool(const char *s, bool *b)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*b = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*b = false;
	else
		return -EINVAL;
	return 0;
}

/* ---- lines --------------------------------------------------------------- */

struct parser {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct xsd_config *c;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(ps->err, ps->errlen, "%s:%u: ", ps->name, ps->line);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "level.best-effort" -> class index, with the prefix checked. */
static int class_key(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) || key[n] != '.')
		return 0;
	return xsd_class_parse(key + n + 1);
}

static int set_option(struct parser *ps, const char *key, const char *val)
{
	struct axsp_config *pol = &ps->c->pol;
	uint64_t v;
	int c, r = 0;

	if (!strcmp(key, "policy")) {
		c = axsp_kind_parse(val);
		if (c < 0)
			return fail(ps, "unknown policy '%s' (priority, bandwidth, edf, llf, spatial)",
				    val);
		pol->kind = (enum axsp_kind)c;
	} else if (!strcmp(key, "lease")) {
		r = axs_parse_duration(val, &v);
		if (!r && (v < MS || v > 3600000 * MS))
			return fail(ps, "lease must be between 1ms and 1h");
		ps->c->lease_ms = (uint32_t)(v / MS);
	} else if (!strcmp(key, "hold")) {
		r = axs_parse_duration(val, &pol->hold_ns);
	} else if (!strcmp(key, "guard_period")) {
		r = axs_parse_duration(val, &pol->guard_period_ns);
	} else if (!strcmp(key, "slice_period")) {
		r = axs_parse_duration(val, &pol->slice_period_ns);
	} else if (!strcmp(key, "llf_tick")) {
		r = axs_parse_duration(val, &pol->llf_tick_ns);
	} else if (!strcmp(key, "min_share")) {
		r = axs_parse_percent(val, &pol->min_share_permille);
	} else if (!strcmp(key, "cu_partition")) {
		for (c = 0; c <= AXSP_CU_SHARE; c++)
			if (!strcmp(val, cu_mode_names[c]))
				break;
		if (c > AXSP_CU_SHARE)
			return fail(ps, "cu_partition must be none, class or share");
		pol->cu_mode = (enum axsp_cu_mode)c;
	} else if (!strcmp(key, "default_class")) {
		c = xsd_class_parse(val);
		if (c < 0)
			return fail(ps, "unknown class '%s' (realtime, normal, best-effort)", val);
		ps->c->default_class = c;
	} else if (!strcmp(key, "trust_hints")) {
		r = parse_bool(val, &ps->c->trust_hints);
	} else if (!strcmp(key, "metrics_listen")) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (*val && xsd_metrics_addr(val, &ss, &len))
			return fail(ps, "metrics_listen must be a numeric HOST:PORT "
				    "(127.0.0.1:9464, [::1]:9464, :9464), not '%s'", val);
		if (strlen(val) >= sizeof(ps->c->metrics_listen))
			return fail(ps, "metrics_listen is too long");
		strcpy(ps->c->metrics_listen, val);
	} else if ((c = class_key(key, "level")) > 0) {
		r = axs_parse_uint(val, 3, &v);
		if (!r && v < 2)
			r = -EINVAL;
		pol->level[c] = (uint32_t)v;
	} else if ((c = class_key(key, "priority")) > 0) {
		r = axs_parse_uint(val, 15, &v);
		pol->priority[c] = (uint32_t)v;
	} else if ((c = class_key(key, "share")) > 0) {
		r = axs_parse_percent(val, &pol->share[c]);
		if (!r && !pol->share[c])
			r = -EINVAL;
	} else if ((c = class_key(key, "cu")) > 0) {
		r = axs_parse_percent(val, &pol->cu_permille[c]);
	} else {
		return fail(ps, "unknown key '%s'", key);
	}
	if (r)
		return fail(ps, "bad value '%s' for %s", val, key);
	return 0;
}

static int dup_into(struct parser *ps, char **dst, const char *val)
{
	free(*dst);
	*dst = strdup(val);
	return *dst ? 0 : fail(ps, "out of memory");
}

/* queue-priority=N or LO-HI, within amdkfd's queue priorities 0..15. */
static int queue_priority_range(struct parser *ps, struct xsd_rule *r, const char *val)
{
	const char *dash = strchr(val, '-');
	uint64_t lo, hi;
	char buf[8];

	if (dash && (size_t)(dash - val) < sizeof(buf)) {
		memcpy(buf, val, (size_t)(dash - val));
		buf[dash - val] = '\0';
		if (axs_parse_uint(buf, 15, &lo) || axs_parse_uint(dash + 1, 15, &hi))
			goto bad;
	} else if (!dash && !axs_parse_uint(val, 15, &lo)) {
		hi = lo;
	} else {
		goto bad;
	}
	if (lo > hi)
		return fail(ps, "queue-priority: %s is an empty range (LO-HI, LO <= HI)", val);
	r->has_qprio = true;
	r->qprio_lo = (uint32_t)lo;
	r->qprio_hi = (uint32_t)hi;
	return 0;
bad:
	return fail(ps, "queue-priority: N or LO-HI within 0..15, not '%s'", val);
}

static int rule_term(struct parser *ps, struct xsd_rule *r, const char *key, const char *val)
{
	uint64_t v;

	if (!strcmp(key, "exe"))
		return dup_into(ps, &r->exe, val);
	if (!strcmp(key, "comm"))
		return dup_into(ps, &r->comm, val);
	if (!strcmp(key, "cgroup"))
		return dup_into(ps, &r->cgroup, val);
	if (!strcmp(key, "tag"))
		return dup_into(ps, &r->tag, val);
	if (!strcmp(key, "uid")) {
		/* a number, or a user name looked up when the file is read */
		if (isdigit((unsigned char)*val)) {
			if (axs_parse_uint(val, UINT32_MAX - 1, &v))
				return fail(ps, "bad uid '%s'", val);
		} else if (user_uid(val, &v)) {
			return fail(ps, "bad uid '%s' (not a number, nor a user this host knows)",
				    val);
		}
		r->has_uid = true;
		r->uid = (uint32_t)v;
	} else if (!strcmp(key, "queue-priority")) {
		return queue_priority_range(ps, r, val);
	} else if (!strcmp(key, "class")) {
		r->sched_class = xsd_class_parse(val);
		if (r->sched_class < 0)
			return fail(ps, "unknown class '%s' (realtime, normal, best-effort)", val);
	} else if (!strcmp(key, "priority")) {
		if (axs_parse_uint(val, 15, &v))
			return fail(ps, "priority must be 0..15, not '%s'", val);
		r->priority = (int)v;
	} else if (!strcmp(key, "share")) {
		if (axs_parse_percent(val, &r->share) || !r->share)
			return fail(ps, "share must be a percentage above 0, not '%s'", val);
	} else if (!strcmp(key, "deadline")) {
		if (axs_parse_duration(val, &r->deadline_ns) || !r->deadline_ns)
			return fail(ps, "deadline must be a duration above 0, not '%s'", val);
	} else {
		return fail(ps, "unknown rule key '%s'", key);
	}
	return 0;
}

/* Split at blanks; "double quoted" values keep theirs. Modifies @s. */
static char *next_word(char **s)
{
	char *w, *p = *s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	w = p;
	while (*p && *p != ' ' && *p != '\t') {
		if (*p == '"') {
			memmove(p, p + 1, strlen(p));
			while (*p && *p != '"')
				p++;
			if (*p)
				memmove(p, p + 1, strlen(p));
			continue;
		}
		p++;
	}
	if (*p)
		*p++ = '\0';
	*s = p;
	return w;
}

static int parse_rule(struct parser *ps, char *rest)
{
	struct xsd_rule r = { .line = ps->line, .priority = -1 }, *nr;
	bool matches = false, sets = false;
	char *w;

	while ((w = next_word(&rest))) {
		char *eq = strchr(w, '=');

		if (!eq || eq == w || !eq[1]) {
			free_rule(&r);
			return fail(ps, "rule terms are KEY=VALUE, not '%s'", w);
		}
		*eq = '\0';
		if (rule_term(ps, &r, w, eq + 1)) {
			free_rule(&r);
			return -EINVAL;
		}
		if (!strcmp(w, "exe") || !strcmp(w, "comm") || !strcmp(w, "cgroup") ||
		    !strcmp(w, "tag") || !strcmp(w, "uid") || !strcmp(w, "queue-priority"))
			matches = true;
		else
			sets = true;
	}
	if (!matches || !sets) {
		free_rule(&r);
		return fail(ps, "a rule needs at least one match (exe, comm, cgroup, uid, tag, "
			    "queue-priority) and one setting (class, priority, share, deadline)");
	}
	nr = realloc(ps->c->rules, (ps->c->nrules + 1) * sizeof(*nr));
	if (!nr) {
		free_rule(&r);
		return fail(ps, "out of memory");
	}
	ps->c->rules = nr;
	nr[ps->c->nrules++] = r;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_line(struct parser *ps, char *line)
{
	char *hash = strchr(line, '#'), *s, *eq;

	if (hash)
		*hash = '\0';
	s = trim(line);
	if (!*s)
		return 0;
	if (!strncmp(s, "rule", 4) && (s[4] == ' ' || s[4] == '\t'))
		return parse_rule(ps, s + 5);
	eq = strchr(s, '=');
	if (!eq)
		return fail(ps, "expected 'key = value' or 'rule ...', not '%s'", s);
	*eq = '\0';
	return set_option(ps, trim(s), trim(eq + 1));
}

int xsd_config_parse(const char *text, const char *name, struct xsd_config *out,
		     char *err, size_t errlen)
{
	struct xsd_config c;
	struct parser ps = { .name = name, .err = err, .errlen = errlen, .c = &c };
	const char *p = text, *nl, *msg;
	char buf[LINE_MAX_LEN];

	xsd_config_default(&c);
	while (*p) {
		size_t n;

		ps.line++;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(buf)) {
			fail(&ps, "line longer than %d characters", LINE_MAX_LEN - 1);
			goto bad;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (memchr(p, '\0', n)) {
			fail(&ps, "NUL character");
			goto bad;
		}
		if (parse_line(&ps, buf))
			goto bad;
		p += n + (nl ? 1 : 0);
	}
	msg = axsp_config_check(&c.pol);
	if (msg) {
		ps.line = 0;
		snprintf(err, errlen, "%s: %s", name, msg);
		goto bad;
	}
	*out = c;
	return 0;
bad:
	xsd_config_free(&c);
	return -EINVAL;
}

int xsd_config_load(const char *path, struct xsd_config *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int r;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	text = malloc(MAX_FILE + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	n = fread(text, 1, MAX_FILE + 1, f);
	if (ferror(f) || n > MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, n > MAX_FILE ? "larger than 1 MiB"
								 : "read error");
		r = n > MAX_FILE ? -EFBIG : -EIO;
	} else {
		text[n] = '\0';
		r = xsd_config_parse(text, path, out, err, errlen);
	}
	free(text);
	fclose(f);
	return r;
}

/* ---- printing ------------------------------------------------------------ */

static void print_duration(FILE *out, const char *key, uint64_t ns)
{
	if (ns % MS == 0)
		fprintf(out, "%s = %" PRIu64 "ms\n", key, ns / MS);
	else
		fprintf(out, "%s = %" PRIu64 "us\n", key, ns / 1000);
}

static void print_percent(FILE *out, const char *key, const char *cls, uint32_t pm)
{
	fprintf(out, "%s%s%s = %u.%u%%\n", key, cls ? "." : "", cls ? cls : "", pm / 10, pm % 10);
}

void xsd_config_print(const struct xsd_config *c, FILE *out)
{
	const struct axsp_config *p = &c->pol;

	fprintf(out, "policy = %s\n", axsp_kind_name(p->kind));
	fprintf(out, "lease = %ums\n", c->lease_ms);
	print_duration(out, "hold", p->hold_ns);
	print_percent(out, "min_share", NULL, p->min_share_permille);
	print_duration(out, "guard_period", p->guard_period_ns);
	print_duration(out, "slice_period", p->slice_period_ns);
	print_duration(out, "llf_tick", p->llf_tick_ns);
	fprintf(out, "cu_partition = %s\n", cu_mode_names[p->cu_mode]);
	fprintf(out, "default_class = %s\n", xsd_class_name(c->default_class));
	fprintf(out, "trust_hints = %s\n", c->trust_hints ? "yes" : "no");
	fprintf(out, "metrics_listen = %s\n", c->metrics_listen);
	for (int k = AXSP_CLASS_REALTIME; k <= AXSP_CLASS_BEST_EFFORT; k++) {
		fprintf(out, "level.%s = %u\n", xsd_class_name(k), p->level[k]);
		fprintf(out, "priority.%s = %u\n", xsd_class_name(k), p->priority[k]);
		print_percent(out, "share", xsd_class_name(k), p->share[k]);
		print_percent(out, "cu", xsd_class_name(k), p->cu_permille[k]);
	}
	for (size_t i = 0; i < c->nrules; i++) {
		const struct xsd_rule *r = &c->rules[i];

		fprintf(out, "rule");
		if (r->exe)
			fprintf(out, " exe=\"%s\"", r->exe);
		if (r->comm)
			fprintf(out, " comm=\"%s\"", r->comm);
		if (r->cgroup)
			fprintf(out, " cgroup=\"%s\"", r->cgroup);
		if (r->tag)
			fprintf(out, " tag=\"%s\"", r->tag);
		if (r->has_uid)
			fprintf(out, " uid=%u", r->uid);
		if (r->has_qprio && r->qprio_lo == r->qprio_hi)
			fprintf(out, " queue-priority=%u", r->qprio_lo);
		else if (r->has_qprio)
			fprintf(out, " queue-priority=%u-%u", r->qprio_lo, r->qprio_hi);
		if (r->sched_class > 0)
			fprintf(out, " class=%s", xsd_class_name(r->sched_class));
		if (r->priority >= 0)
			fprintf(out, " priority=%d", r->priority);
		if (r->share)
			fprintf(out, " share=%u.%u%%", r->share / 10, r->share % 10);
		if (r->deadline_ns)
			fprintf(out, " deadline=%" PRIu64 "us", r->deadline_ns / 1000);
		fprintf(out, "   # line %u\n", r->line);
	}
}

/* ---- matching ------------------------------------------------------------ */

static bool glob_ok(const char *pattern, const char *s)
{
	return !pattern || fnmatch(pattern, s ? s : "", 0) == 0;
}

/* Whether @r's process terms (all but queue-priority) match @f. */
static bool proc_terms_match(const struct xsd_rule *r, const struct xsd_proc_facts *f)
{
	return glob_ok(r->exe, f->exe) && glob_ok(r->comm, f->comm) &&
	       glob_ok(r->cgroup, f->cgroup) && glob_ok(r->tag, f->tag) &&
	       (!r->has_uid || r->uid == f->uid);
}

unsigned int xsd_resolve(const struct xsd_config *c, const struct xsd_proc_facts *f,
			 struct axsp_proc_attr *out)
{
	const struct xsd_rule *hit = NULL;

	/* queue rules classify queues, not their process */
	for (size_t i = 0; i < c->nrules && !hit; i++)
		if (!c->rules[i].has_qprio && proc_terms_match(&c->rules[i], f))
			hit = &c->rules[i];
	out->sched_class = (enum axsp_class)(hit && hit->sched_class > 0 ? hit->sched_class :
				c->trust_hints && f->hint_class > 0 ? f->hint_class :
				c->default_class);
	out->priority = hit && hit->priority >= 0 ? hit->priority :
			c->trust_hints && f->hint_priority >= 0 ? f->hint_priority : -1;
	out->share = hit && hit->share ? hit->share : c->trust_hints ? f->hint_share : 0;
	out->deadline_ns = hit && hit->deadline_ns ? hit->deadline_ns :
			   c->trust_hints ? f->hint_deadline_ns : 0;
	return hit ? hit->line : 0;
}

bool xsd_resolve_queue(const struct xsd_config *c, const struct xsd_proc_facts *f,
		       const struct xsd_queue_facts *q, const struct axsp_proc_attr *proc,
		       struct axsp_proc_attr *out, unsigned int *line)
{
	const struct xsd_rule *hit = NULL;
	struct axsp_proc_attr ignored;
	/* the admin's rule for the process beats what its queues say of themselves */
	bool trust = c->trust_hints && !xsd_resolve(c, f, &ignored);
	bool hints = trust && (q->hint_class > 0 || q->hint_priority >= 0 ||
			       q->hint_share || q->hint_deadline_ns);
	int cls, prio;
	uint32_t share;
	uint64_t dl;

	for (size_t i = 0; i < c->nrules && !hit; i++) {
		const struct xsd_rule *r = &c->rules[i];

		if (r->has_qprio && q->app_priority >= r->qprio_lo &&
		    q->app_priority <= r->qprio_hi && proc_terms_match(r, f))
			hit = r;
	}
	*line = hit ? hit->line : 0;
	if (!hit && !hints)
		return false;
	cls = hit && hit->sched_class > 0 ? hit->sched_class :
	      trust && q->hint_class > 0 ? q->hint_class : 0;
	prio = hit && hit->priority >= 0 ? hit->priority :
	       trust && q->hint_priority >= 0 ? q->hint_priority : -1;
	share = hit && hit->share ? hit->share : trust ? q->hint_share : 0;
	dl = hit && hit->deadline_ns ? hit->deadline_ns : trust ? q->hint_deadline_ns : 0;
	if (cls > 0) {
		/* another class: its defaults, not the process's priority and share */
		out->sched_class = (enum axsp_class)cls;
		out->priority = prio;
		out->share = share;
		out->deadline_ns = dl;
		return true;
	}
	*out = *proc;
	if (prio >= 0)
		out->priority = prio;
	if (share)
		out->share = share;
	if (dl)
		out->deadline_ns = dl;
	return true;
}

int xsd_metrics_addr(const char *hostport, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(hostport, ':');
	size_t hl;
	char host[64];
	uint64_t port;

	if (!colon || axs_parse_uint(colon + 1, 65535, &port) || !port)
		return -EINVAL;
	hl = (size_t)(colon - hostport);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, hostport, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	if (!host[0] || !strcmp(host, "*")) {
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

/* The path of @text's line "ID:CONTROLLERS:PATH" whose CONTROLLERS is @ctl. */
static bool cgroup_line(const char *text, const char *ctl, bool any, char *buf, size_t len)
{
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		const char *c = strchr(l, ':'), *p, *e = l + strcspn(l, "\n");
		size_t n;

		if (!c || c > e)
			continue;
		p = strchr(c + 1, ':');
		if (!p || p > e)
			continue;
		if (!any && ((size_t)(p - c - 1) != strlen(ctl) || strncmp(c + 1, ctl, p - c - 1)))
			continue;
		n = (size_t)(e - p - 1);
		if (!n || n >= len)
			return false;
		memcpy(buf, p + 1, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

void xsd_cgroup_path(const char *text, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!len)
		return;
	if (cgroup_line(text, "", false, buf, len) ||
	    cgroup_line(text, "name=systemd", false, buf, len) ||
	    cgroup_line(text, "", true, buf, len))
		return;
	buf[0] = '\0';
}
