#ifndef TIMING_H
#define TIMING_H

/* Wall-clock time in seconds, microsecond resolution. */
double now_seconds(void);

#endif
