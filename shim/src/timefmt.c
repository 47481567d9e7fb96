/* Timestamps: RFC3339Nano in UTC, formatted exactly like Go's time.Format(time.RFC3339Nano):
 * nine fractional digits with trailing zeros trimmed, and no fraction at all when it is zero. */
#include "shim.h"

#include <string.h>

static void put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

size_t timefmt_rfc3339nano(const struct timespec *ts, char *out)
{
    struct tm tm;
    time_t secs = ts->tv_sec;
    if (!gmtime_r(&secs, &tm)) {
        /* cannot happen for realistic clocks; keep the output well-formed */
        memset(&tm, 0, sizeof tm);
        tm.tm_year = 70;
        tm.tm_mday = 1;
    }
    char *p = out;
    put_digits(p, (unsigned)(tm.tm_year + 1900), 4);
    p += 4;
    *p++ = '-';
    put_digits(p, (unsigned)tm.tm_mon + 1, 2);
    p += 2;
    *p++ = '-';
    put_digits(p, (unsigned)tm.tm_mday, 2);
    p += 2;
    *p++ = 'T';
    put_digits(p, (unsigned)tm.tm_hour, 2);
    p += 2;
    *p++ = ':';
    put_digits(p, (unsigned)tm.tm_min, 2);
    p += 2;
    *p++ = ':';
    put_digits(p, (unsigned)tm.tm_sec, 2);
    p += 2;
    long ns = ts->tv_nsec;
    if (ns > 0) {
        char frac[9];
        put_digits(frac, (unsigned)ns, 9);
        int n = 9;
        while (n > 0 && frac[n - 1] == '0')
            n--;
        *p++ = '.';
        memcpy(p, frac, (size_t)n);
        p += n;
    }
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

void now_realtime(struct timespec *ts)
{
    if (clock_gettime(CLOCK_REALTIME, ts) != 0) {
        ts->tv_sec = time(NULL);
        ts->tv_nsec = 0;
    }
}

int64_t now_mono_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
