/* Unit checks of the shim's pure functions (Go-compatible time format and JSON escaping, runc log parsing).
 * Built and run by `make check` (the Maven test phase). */
#include "../src/shim.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK_STR(got, want)                                                                         \
    do {                                                                                             \
        if (strcmp((got), (want)) != 0) {                                                            \
            fprintf(stderr, "%s:%d: got [%s] want [%s]\n", __FILE__, __LINE__, (got), (want));      \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

static void t_time(long long sec, long nsec, const char *want)
{
    struct timespec ts = {.tv_sec = sec, .tv_nsec = nsec};
    char buf[TIMEFMT_MAX];
    size_t n = timefmt_rfc3339nano(&ts, buf);
    CHECK_STR(buf, want);
    if (n != strlen(buf)) {
        fprintf(stderr, "length mismatch for %s\n", want);
        failures++;
    }
}

static void t_esc(const char *in, size_t n, const char *want)
{
    char out[256];
    size_t len = json_escape((const unsigned char *)in, n, out);
    out[len] = '\0';
    CHECK_STR(out, want);
    if (json_escape((const unsigned char *)in, n, NULL) != len) {
        fprintf(stderr, "sizing pass differs for %s\n", want);
        failures++;
    }
}

#define ESC(lit, want) t_esc(lit, sizeof lit - 1, want)

static void t_runc(const char *log, const char *want)
{
    char msg[256];
    bool found = json_last_error_msg(log, strlen(log), msg, sizeof msg);
    CHECK_STR(found ? msg : "(none)", want);
}

int main(void)
{
    /* Go: time.Unix(s, ns).UTC().Format(time.RFC3339Nano) */
    t_time(0, 0, "1970-01-01T00:00:00Z");
    t_time(1795319917, 123456789, "2026-11-22T03:58:37.123456789Z");
    t_time(1795319917, 120000000, "2026-11-22T03:58:37.12Z");
    t_time(1795319917, 1, "2026-11-22T03:58:37.000000001Z");
    t_time(1795319917, 100, "2026-11-22T03:58:37.0000001Z");
    t_time(951782400, 500000000, "2000-02-29T00:00:00.5Z");

    /* moby jsonlog / Go encoding/json */
    ESC("hello\n", "hello\\n");
    ESC("\"\\/", "\\\"\\\\/");
    ESC("\t\r\b\f\x01\x1f\x7f", "\\t\\r\\u0008\\u000c\\u0001\\u001f\x7f");
    ESC("<a&b>", "\\u003ca\\u0026b\\u003e");
    ESC("\0", "\\u0000");
    ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    ESC("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
    ESC("\xff", "\\ufffd");
    ESC("\xc0\xaf", "\\ufffd\\ufffd");             /* overlong */
    ESC("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");  /* surrogate */
    ESC("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"); /* > U+10FFFF */
    ESC("\xe2\x82", "\\ufffd\\ufffd");             /* truncated */
    ESC("a\xe2\x82z", "a\\ufffd\\ufffdz");
    ESC("\x80x", "\\ufffdx");

    t_runc("{\"level\":\"info\",\"msg\":\"hi\",\"time\":\"t\"}\n"
           "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
           "{\"level\":\"error\",\"msg\":\"exec: \\\"/x\\\": stat /x: no such file\\n\\u00e9\",\"time\":\"t\"}\n",
           "exec: \"/x\": stat /x: no such file \xc3\xa9");
    t_runc("{\"level\":\"warning\",\"msg\":\"w\"}\n", "(none)");
    t_runc("{\"level\":\"error\",\"msg\":\"no newline at end\"}", "no newline at end");

    if (failures) {
        fprintf(stderr, "%d unit check(s) failed\n", failures);
        return 1;
    }
    printf("unit checks passed\n");
    return 0;
}
