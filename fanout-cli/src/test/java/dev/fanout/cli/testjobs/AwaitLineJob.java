package dev.fanout.cli.testjobs;

import dev.fanout.JobContext;
import dev.fanout.ParamType;
import dev.fanout.SparkJob;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Fails at once when {@code fail=true} (the message names the day and, when given, the {@code api_token}); otherwise waits (at most 60 s) for {@link #SEEN} and returns {@code seen} or
 * {@code not seen}: a test counts {@link #SEEN} down when a line it waits for reaches stderr, so a run still in flight
 * tells whether that line was printed while the batch ran.
 */
public final class AwaitLineJob implements SparkJob {
    public static volatile CountDownLatch SEEN = new CountDownLatch(1);

    @Override
    public String run(JobContext ctx) throws InterruptedException {
        if (ctx.get("fail", ParamType.BOOLEAN, false)) {
            String token = ctx.params().get("api_token");
            throw new IllegalArgumentException("no bookings for " + ctx.params().get("day")
                    + (token == null ? "" : " with token " + token) + "\nat line two");
        }
        return SEEN.await(60, TimeUnit.SECONDS) ? "seen" : "not seen";
    }
}
