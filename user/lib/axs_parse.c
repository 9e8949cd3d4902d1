// SPDX-License-Identifier: MIT
/* Value parsers shared by xschedd.conf and libhsa-xsched (axs_parse.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/amdxsched.h>

#include "axs_parse.h"

#define MS	UINT64_C(1000000)

int axs_parse_u64(const char *s, uint64_t *v, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno)
		return -ERANGE;
	*end = e;
	return 0;
}

int axs_parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	const char *e;

	if (axs_parse_u64(s, v, &e) || *e || *v > max)
		return -EINVAL;
	return 0;
}

int axs_parse_duration_unit(const char *s, uint64_t bare_unit_ns, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", MS }, { "s", 1000 * MS },
		{ "m", 60000 * MS }, { "h", 3600000 * MS }, { "", 0 },
	};
	uint64_t whole, frac = 0, scale = 1, unit;
	const char *e;
	int r;

	r = axs_parse_u64(s, &whole, &e);
	if (r)
		return r;
	if (*e == '.') {
		if (!isdigit((unsigned char)e[1]))
			return -EINVAL;
		for (e++; isdigit((unsigned char)*e); e++) {
			if (scale >= 1000000)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*e - '0');
			scale *= 10;
		}
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(e, units[i].unit))
			continue;
		unit = units[i].ns ? units[i].ns : bare_unit_ns;
		if (!unit)
			return -EINVAL;
		if (whole > UINT64_MAX / unit / 2)
			return -ERANGE;
		*ns = whole * unit + frac * unit / scale;
		return 0;
	}
	return -EINVAL;
}

int axs_parse_duration(const char *s, uint64_t *ns)
{
	return axs_parse_duration_unit(s, 0, ns);
}

/* "5%", "12.5%" -> per mille (0..1000) */
int axs_parse_percent(const char *s, uint32_t *permille)
{
	uint64_t whole, tenth = 0;
	const char *e;

	if (axs_parse_u64(s, &whole, &e))
		return -EINVAL;
	if (*e == '.' && isdigit((unsigned char)e[1])) {
		tenth = (uint64_t)(e[1] - '0');
		e += 2;
	}
	if (strcmp(e, "%") || whole > 100 || (whole == 100 && tenth))
		return -EINVAL;
	*permille = (uint32_t)(whole * 10 + tenth);
	return 0;
}

static const char *const class_names[] = {
	[AMDXSCHED_CLASS_REALTIME] = "realtime",
	[AMDXSCHED_CLASS_NORMAL] = "normal",
	[AMDXSCHED_CLASS_BEST_EFFORT] = "best-effort",
};

const char *axs_class_name(uint32_t cls)
{
	return cls >= AMDXSCHED_CLASS_REALTIME && cls <= AMDXSCHED_CLASS_MAX ?
	       class_names[cls] : NULL;
}

uint32_t axs_class_parse(const char *s)
{
	for (uint32_t c = AMDXSCHED_CLASS_REALTIME; c <= AMDXSCHED_CLASS_MAX; c++)
		if (!strcasecmp(s, class_names[c]))
			return c;
	if (!strcasecmp(s, "rt"))
		return AMDXSCHED_CLASS_REALTIME;
	if (!strcasecmp(s, "batch"))
		return AMDXSCHED_CLASS_BEST_EFFORT;
	return AMDXSCHED_CLASS_UNSET;
}
