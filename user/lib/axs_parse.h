/* SPDX-License-Identifier: MIT */
/*
 * Value parsers shared by xschedd.conf and libhsa-xsched's environment, so
 * that "20ms" or "25%" means the same in both, and the class names
 * xschedctl also prints. Each returns 0 or -EINVAL /
 * -ERANGE and writes its output only on success. No locale, no allocation.
 */
#ifndef AXS_PARSE_H
#define AXS_PARSE_H

#include <stdint.h>

/* Leading decimal digits of s; *end points past them. No sign, no spaces. */
int axs_parse_u64(const char *s, uint64_t *v, const char **end);
/* All of s is a decimal number of at most max. */
int axs_parse_uint(const char *s, uint64_t max, uint64_t *v);
/*
 * The one duration grammar of xschedd.conf, xschedctl and the library:
 * "250us", "2ms", "1.5s", "1m", "2h" -> ns (units ns, us, ms, s, m, h; up
 * to 6 decimals). A bare number is in @bare_unit_ns, or refused if that is
 * 0. -EINVAL if malformed, -ERANGE if too long.
 */
int axs_parse_duration_unit(const char *s, uint64_t bare_unit_ns, uint64_t *ns);
/* The same, with the unit required (xschedd.conf, the environment). */
int axs_parse_duration(const char *s, uint64_t *ns);
/* "5%", "12.5%" -> per mille (0..1000); one decimal at most. */
int axs_parse_percent(const char *s, uint32_t *permille);

/*
 * AMDXSCHED_CLASS_REALTIME..BEST_EFFORT <-> "realtime", "normal",
 * "best-effort": NULL for any other value. Parsing takes those names in any
 * case and the aliases "rt" and "batch", as every front end does (rules,
 * XSCHED_CLASS, xsched-run --class); else AMDXSCHED_CLASS_UNSET (0).
 */
const char *axs_class_name(uint32_t cls);
uint32_t axs_class_parse(const char *s);

#endif /* AXS_PARSE_H */
