/* SPDX-License-Identifier: MIT */
/* systemd notifications (sd_notify(3)) without libsystemd; see notify.c. */
#ifndef XSD_NOTIFY_H
#define XSD_NOTIFY_H

#include <stdint.h>

/* Send @state ("READY=1", "WATCHDOG=1", ...); 0 when not under systemd. */
int xsd_notify(const char *state);
/* The watchdog period systemd asks for, in ns; 0 for none. */
uint64_t xsd_watchdog_ns(void);

#endif /* XSD_NOTIFY_H */
