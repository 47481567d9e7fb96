/* JSON bits: Go-compatible string escaping for the json-file log, and picking the error message out of
 * runc's --log-format json output. */
#include "shim.h"

#include <string.h>

static const char hexdig[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at p (2..4), or 0 if invalid/truncated; same acceptance as Go's
 * utf8.DecodeRune (no overlongs, no surrogates, nothing above U+10FFFF). *cp receives the code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    uint32_t c;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        c = b & 0x0F;
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        c = b & 0x07;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    c = (c << 6) | (p[1] & 0x3F);
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    *cp = c;
    return len;
}

#define EMIT(s, k)                           \
    do {                                     \
        if (out)                             \
            memcpy(out + o, (s), (k));       \
        o += (k);                            \
    } while (0)

size_t json_escape(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char b = in[i];
        if (b < 0x80) {
            if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
                /* copy the run of plain bytes at once */
                size_t j = i + 1;
                while (j < n && in[j] >= 0x20 && in[j] < 0x80 && in[j] != '"' && in[j] != '\\' &&
                       in[j] != '<' && in[j] != '>' && in[j] != '&')
                    j++;
                EMIT(in + i, j - i);
                i = j;
                continue;
            }
            char e[6];
            size_t k = 2;
            e[0] = '\\';
            switch (b) {
            case '"':
            case '\\':
                e[1] = (char)b;
                break;
            case '\n':
                e[1] = 'n';
                break;
            case '\r':
                e[1] = 'r';
                break;
            case '\t':
                e[1] = 't';
                break;
            default:
                e[1] = 'u';
                e[2] = '0';
                e[3] = '0';
                e[4] = hexdig[b >> 4];
                e[5] = hexdig[b & 0xF];
                k = 6;
            }
            EMIT(e, k);
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_seq(in + i, n - i, &cp);
        if (len == 0) {
            EMIT("\\ufffd", 6);
            i++;
        } else if (cp == 0x2028 || cp == 0x2029) {
            EMIT(cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
            i += len;
        } else {
            EMIT(in + i, len);
            i += len;
        }
    }
    return o;
}

#undef EMIT

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_hex4(const char *p, const char *end, uint32_t *v)
{
    if (end - p < 4)
        return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return false;
        r = (r << 4) | (uint32_t)h;
    }
    *v = r;
    return true;
}

static size_t put_utf8(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Unescape the JSON string starting right after its opening quote. */
static bool json_unescape(const char *p, const char *end, char *out, size_t outsz)
{
    size_t o = 0;
    while (p < end && *p != '"') {
        char tmp[4];
        size_t k = 1;
        if (*p == '\\') {
            p++;
            if (p >= end)
                return false;
            switch (*p) {
            case 'n':
            case 'r':
            case 't':
                tmp[0] = ' ';
                break;
            case 'b':
            case 'f':
                tmp[0] = ' ';
                break;
            case 'u': {
                uint32_t c;
                if (!parse_hex4(p + 1, end, &c))
                    return false;
                p += 4;
                if (c >= 0xD800 && c <= 0xDBFF && end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
                    uint32_t lo;
                    if (parse_hex4(p + 3, end, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                        p += 6;
                    }
                }
                if (c >= 0xD800 && c <= 0xDFFF)
                    c = 0xFFFD;
                if (c < 0x20)
                    c = ' ';
                k = put_utf8(c, tmp);
                break;
            }
            default:
                tmp[0] = *p; /* \" \\ \/ */
            }
        } else {
            tmp[0] = (*p == '\n' || *p == '\r') ? ' ' : *p;
        }
        p++;
        if (o + k >= outsz)
            break; /* truncate */
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = '\0';
    return true;
}

static const char *find_in(const char *s, const char *end, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *p = s; p + nl <= end; p++)
        if (memcmp(p, needle, nl) == 0)
            return p;
    return NULL;
}

bool json_last_error_msg(const char *text, size_t n, char *out, size_t outsz)
{
    const char *end = text + n;
    bool found = false;
    const char *line = text;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        if (find_in(line, le, "\"level\":\"error\"") || find_in(line, le, "\"level\":\"fatal\"")) {
            const char *m = find_in(line, le, "\"msg\":\"");
            if (m && json_unescape(m + 7, le, out, outsz))
                found = true;
        }
        line = le + 1;
    }
    return found;
}
