package dev.holdfast.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PacedRequestsTest {
    @Test
    void sendsAtItsPaceWithoutWaitingForSlowAnswersAndKeepsEveryOutcome() throws InterruptedException {
        AtomicInteger n = new AtomicInteger();
        PacedRequests client = new PacedRequests(() -> {
            int i = n.incrementAndGet();
            if (i % 2 == 0) {
                return PacedRequests.Answer.unreachable("refused");
            }
            try {
                Thread.sleep(50); // slower than the pace: requests overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return PacedRequests.Answer.OK;
        }, 5_000);
        client.start(100);
        Thread.sleep(300);
        client.stop();
        var attempts = client.attempts();
        assertEquals(client.sent(), attempts.size(), "stop waits for the requests in flight");
        assertTrue(attempts.size() >= 10, "about 30 sent at 100/s in 0.3 s: " + attempts.size());
        assertTrue(client.seconds() >= 0.3 && client.seconds() < 2, "seconds " + client.seconds());
        RequestStats stats = RequestStats.of(attempts, client.stoppedAt());
        assertEquals(attempts.size(), stats.ok() + stats.failed());
        assertEquals(stats.failed(), stats.unreachable());
        assertTrue(attempts.stream().allMatch(a -> a.done() >= a.sent()));
    }
}
