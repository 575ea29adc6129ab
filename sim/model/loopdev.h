/* Loop block devices for volumes (--loop-devices): a mapped volume's device entry then points at
 * /dev/loopN over its data file, so that tools see a block device (blockdev --getsize64, stat's
 * size 0, qemu-img -f raw on a host_device) as they would on a real SDC. Root and /dev/loop*
 * needed; the devices are set to clear themselves once nothing holds them, so a simulator that
 * dies leaves none behind. */
#ifndef SIM_LOOPDEV_H
#define SIM_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether loop devices can be made here; why not into why. */
bool sim_loop_available(char *why, size_t whysz);
/* Attaches a free loop device to path: its fd (held until sim_loop_detach) and its name in dev
 * (at least 32 bytes). -1 with why set on failure. */
int sim_loop_attach(const char *path, char *dev, char *why, size_t whysz);
/* The backing file grew: the device takes its new size. */
void sim_loop_resize(int fd);
/* Lets the device go (it clears itself once its last user closes it). */
void sim_loop_detach(int fd);

#endif
