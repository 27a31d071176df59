#include "timing.h"

#include <stddef.h>
#include <sys/time.h>

double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}
