/* A stand-in engine for the holder's tests: speaks the handover protocol (warm, go, serving, released) and answers
 * every connection on fd 3 with "engine <pid> <the go line it got>\n". */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static int tell(const char *word) {
    size_t n = strlen(word);
    return write(5, word, n) == (ssize_t)n ? 0 : -1;
}

int main(void) {
    struct sigaction sa = {.sa_handler = on_term};
    if (sigaction(SIGTERM, &sa, NULL) < 0 || tell("warm\n") < 0) {
        perror("fake-engine: setup");
        return 1;
    }
    /* "go", or "go released" after a clean handover; each answer names which, for the tests to check. */
    char go[16];
    size_t got = 0;
    while (got == 0 || go[got - 1] != '\n') {
        if (got == sizeof go) {
            return 1;
        }
        ssize_t n = read(4, go + got, sizeof go - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR && !stop) {
                continue;
            }
            return 1;
        }
        got += (size_t)n;
    }
    go[got - 1] = '\0';
    if ((strcmp(go, "go") != 0 && strcmp(go, "go released") != 0) || tell("serving\n") < 0) {
        return 1;
    }
    while (!stop) {
        struct pollfd p = {.fd = 3, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("fake-engine: poll");
            return 1;
        }
        int c = accept(3, NULL, NULL);
        if (c < 0) {
            continue; /* EAGAIN: another engine took it */
        }
        char line[48];
        int len = snprintf(line, sizeof line, "engine %d %s\n", (int)getpid(), go);
        if (write(c, line, (size_t)len) != len) {
            perror("fake-engine: write");
        }
        close(c);
    }
    return tell("released\n") < 0 ? 1 : 0;
}
