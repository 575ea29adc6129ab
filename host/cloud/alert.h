/* alert.h - CloudStack's alerts (listAlerts): what an operator must act on, such as a host whose
 * PowerFlex SDC lost its MDM. An alert outlives the command that raised it, even a failed one. */
#ifndef HOST_ALERT_H
#define HOST_ALERT_H

#include "cs.h"

/* CloudStack's AlertManager.AlertType of a host problem (ALERT_TYPE_HOST). */
#define HOST_ALERT_TYPE_HOST 7

/* Raises an alert about host_id (and, when pool_id is not 0, records the host as not connected to
 * that pool: "status" is the reason). It is written once the running command ends, committed or
 * rolled back, with an event of type ALERT.HOST. */
void host_alert_raise(host_cs *cs, int type, int64_t host_id, int64_t pool_id, const char *subject,
                      const char *status);

/* Writes the pending alerts (in a transaction of their own; the command's is over). */
void host_alerts_flush(host_cs *cs);

/* Forgets pending alerts without writing them (closing the harness). */
void host_alerts_discard(host_cs *cs);

#endif
