/* Loop devices over data files (see loopdev.h). */
#include <config.h>
#include "loopdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool sim_loop_available(char *why, size_t whysz)
{
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), n;
    if (ctl < 0) {
        snprintf(why, whysz, "cannot open /dev/loop-control: %s", strerror(errno));
        return false;
    }
    n = ioctl(ctl, LOOP_CTL_GET_FREE);
    close(ctl);
    if (n < 0) {
        snprintf(why, whysz, "no free loop device: %s", strerror(errno));
        return false;
    }
    return true;
}

int sim_loop_attach(const char *path, char *dev, char *why, size_t whysz)
{
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), ffd = -1, lfd = -1;
    struct loop_info64 li;
    if (ctl < 0) {
        snprintf(why, whysz, "cannot open /dev/loop-control: %s", strerror(errno));
        return -1;
    }
    ffd = open(path, O_RDWR | O_CLOEXEC);
    if (ffd < 0) {
        snprintf(why, whysz, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    /* Another process may take the free device between the question and the attach. */
    for (int tries = 0; tries < 20; tries++) {
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (n < 0) {
            snprintf(why, whysz, "no free loop device: %s", strerror(errno));
            goto fail;
        }
        snprintf(dev, 32, "/dev/loop%d", n);
        lfd = open(dev, O_RDWR | O_CLOEXEC);
        if (lfd < 0) {
            snprintf(why, whysz, "cannot open %s: %s", dev, strerror(errno));
            goto fail;
        }
        if (ioctl(lfd, LOOP_SET_FD, ffd) == 0)
            break;
        if (errno != EBUSY) {
            snprintf(why, whysz, "cannot attach %s to %s: %s", path, dev, strerror(errno));
            goto fail;
        }
        close(lfd);
        lfd = -1;
    }
    if (lfd < 0) {
        snprintf(why, whysz, "every free loop device was taken before it could be attached");
        goto fail;
    }
    memset(&li, 0, sizeof(li));
    li.lo_flags = LO_FLAGS_AUTOCLEAR;
    snprintf((char *)li.lo_file_name, sizeof(li.lo_file_name), "%s", path);
    if (ioctl(lfd, LOOP_SET_STATUS64, &li) != 0) {
        snprintf(why, whysz, "cannot set up %s: %s", dev, strerror(errno));
        ioctl(lfd, LOOP_CLR_FD, 0);
        goto fail;
    }
    close(ffd);
    close(ctl);
    return lfd;
fail:
    if (lfd >= 0)
        close(lfd);
    if (ffd >= 0)
        close(ffd);
    close(ctl);
    return -1;
}

void sim_loop_resize(int fd)
{
    if (fd >= 0)
        ioctl(fd, LOOP_SET_CAPACITY, 0);
}

void sim_loop_detach(int fd)
{
    if (fd >= 0)
        close(fd);
}
