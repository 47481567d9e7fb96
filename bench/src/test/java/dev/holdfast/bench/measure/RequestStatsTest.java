package dev.holdfast.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.holdfast.bench.measure.PacedRequests.Answer;
import dev.holdfast.bench.measure.PacedRequests.Attempt;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestStatsTest {
    private static Attempt ok(long sent, long done) {
        return new Attempt(sent, done, Answer.OK);
    }

    @Test
    void withEveryRequestAnsweredTheLongestWaitIsTheSlowestAnswer() {
        RequestStats s = RequestStats.of(List.of(ok(0, 5), ok(20, 60), ok(40, 48)), 100);
        assertEquals(3, s.ok());
        assertEquals(0, s.failed());
        assertEquals(40, s.longestWaitNanos());
        assertEquals(-1, s.firstFailure());
        assertNull(s.firstWhy());
    }

    @Test
    void aFailedRequestWaitsUntilOneSentAfterItFailedIsAnswered() {
        RequestStats s = RequestStats.of(List.of(
                ok(0, 5),
                new Attempt(20, 21, Answer.unreachable("Connection refused")),
                new Attempt(40, 41, Answer.unreachable("No such file or directory")),
                new Attempt(50, 55, Answer.failed("connection closed by the daemon")),
                ok(60, 100),
                ok(80, 85)), 200);
        assertEquals(3, s.ok());
        assertEquals(3, s.failed());
        assertEquals(2, s.unreachable());
        // sent at 20, failed at 21: the first request sent after that and answered is the one sent at 60 (done 100)
        // or at 80 (done 85), whichever was answered first: 85
        assertEquals(65, s.longestWaitNanos());
        assertEquals(21, s.firstFailure());
        assertEquals(55, s.lastFailure());
        assertEquals("Connection refused", s.firstWhy());
    }

    @Test
    void aFailureNothingAnsweredAfterWaitedUntilTheClientStopped() {
        RequestStats s = RequestStats.of(List.of(ok(0, 5), new Attempt(20, 21, Answer.failed("HTTP 500: boom"))),
                300);
        assertEquals(280, s.longestWaitNanos());
        assertEquals(1, s.failed());
        assertEquals(0, s.unreachable());
    }
}
