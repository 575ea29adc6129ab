/* retry.h - the plugin's one retry policy: a step safe to repeat (an undo, a map or unmap, a
 * look-up) is sent again while the gateway fails in passing, a bounded number of times. */
#ifndef PFX_RETRY_H
#define PFX_RETRY_H

#include "storage_plugin.h"

/* Whether a step safe to repeat (an undo, a map or unmap: gone/mapped/unmapped is SP_OK) that
 * failed as `failed` says is sent again: the gateway failed in passing (unreachable, timed out,
 * a 5xx without a refusal code, an HTML error page, an empty or garbled answer) or the array
 * said it is busy with earlier work (a removal in progress, errorCode 212), and the array must not
 * keep a half-made change. Sleeps first (100, 300, 900 ms; for the busy array 0.2 s doubling to
 * 6.4 s); false after the last pause or for any other failure.
 * *tries starts at 0 for each step:
 *     int tries = 0;
 *     while ((st = step(..., err)) != SP_OK && pfx_retry_again(err, &tries))
 *         ;                                                                                    */
int pfx_retry_again(const sp_error *failed, int *tries);

#endif
