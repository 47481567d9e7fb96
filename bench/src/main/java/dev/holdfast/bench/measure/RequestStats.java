package dev.holdfast.bench.measure;

import dev.holdfast.bench.measure.PacedRequests.Attempt;
import dev.holdfast.bench.measure.PacedRequests.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a paced client saw of a daemon going down and coming back: how many requests succeeded, failed, found
 * nothing to connect to, and the longest any request waited for an answer. A request that failed waited until one
 * sent after it failed was answered (a client that retries at the same pace): with a socket kept through the
 * restart that is its own answer, without one it is when the daemon serves again.
 */
record RequestStats(long ok, long failed, long unreachable, long longestWaitNanos, long firstFailure,
        long lastFailure, String firstWhy) {

    /** {@code end}: when the client stopped (System.nanoTime()), the wait of a request nothing answered after. */
    static RequestStats of(List<Attempt> attempts, long end) {
        long ok = 0;
        long failed = 0;
        long unreachable = 0;
        Attempt first = null;
        long last = -1;
        List<Attempt> answered = new ArrayList<>();
        for (Attempt a : attempts) {
            if (a.answer().outcome() == Outcome.OK) {
                ok++;
                answered.add(a);
                continue;
            }
            failed++;
            if (a.answer().outcome() == Outcome.UNREACHABLE) {
                unreachable++;
            }
            if (first == null || a.done() < first.done()) {
                first = a;
            }
            last = Math.max(last, a.done());
        }
        answered.sort(Comparator.comparingLong(Attempt::sent));
        long longest = 0;
        for (Attempt a : attempts) {
            long answeredAt = a.answer().outcome() == Outcome.OK ? a.done() : firstAnswerSentAfter(answered, a.done(),
                    end);
            longest = Math.max(longest, answeredAt - a.sent());
        }
        return new RequestStats(ok, failed, unreachable, longest, first == null ? -1 : first.done(), last,
                first == null ? null : first.answer().why());
    }

    /** When the first request sent at or after {@code t} was answered; {@code end} when none was. */
    private static long firstAnswerSentAfter(List<Attempt> answeredBySent, long t, long end) {
        long at = end;
        for (int i = answeredBySent.size() - 1; i >= 0 && answeredBySent.get(i).sent() >= t; i--) {
            at = Math.min(at, answeredBySent.get(i).done());
        }
        return at;
    }
}
