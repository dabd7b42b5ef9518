package dev.fanout.report;

import dev.fanout.Attempt;
import dev.fanout.ErrorInfo;
import dev.fanout.FailurePolicy;
import dev.fanout.Outcome;
import dev.fanout.Parallelism;
import dev.fanout.RunResult;
import dev.fanout.SparkMetrics;
import dev.fanout.history.BatchSpec;
import dev.fanout.history.ExecutionState;
import dev.fanout.history.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a workflow run into a history the way a run and a resume record it (the run's batch of tasks, each task's
 * iterations a task batch, one execution of the run per run or resume), without Spark: for sizes a test on local Spark
 * cannot afford (the report of 1,000+ iterations). Tasks: {@code prepare} (one iteration), {@code days} (a loop of
 * {@code n} iterations, {@code slots} at once, every 97th fails after 2 attempts), {@code summary} (skipped, as
 * {@code run_if all_success} skips it), {@code alert} (ran because something failed). With {@code resume}: a second
 * execution an hour later reruns the failed iterations of {@code days} in a new execution of its batch, runs
 * {@code summary}, skips {@code alert}, and keeps {@code prepare}.
 */
public final class WorkflowHistoryFixture {
    public static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    public static final String NAME = "bench";
    private static final SparkMetrics METRICS = new SparkMetrics(1, 1, 4, 20, 1_000_000, 0, 0, 0, 0, 0);

    private final HistoryStore store;
    private final String runId;

    private WorkflowHistoryFixture(HistoryStore store, String runId) {
        this.store = store;
        this.runId = runId;
    }

    private static BatchSpec spec(String job, String source, Map<String, String> params) {
        return new BatchSpec(job, source, Parallelism.fixed(8), null, 1, FailurePolicy.CONTINUE, null, params, null);
    }

    /** Writes the run {@code runId}, its loop of {@code n} iterations, and when {@code resume} its resume. */
    public static void write(HistoryStore store, String runId, int n, int slots, boolean resume) {
        new WorkflowHistoryFixture(store, runId).write(n, slots, resume);
    }

    private static RunResult run(String batch, int index, Map<String, String> params, Outcome outcome, int attempts,
                                 Instant at, long millis, int slot, String value) {
        List<Attempt> list = new ArrayList<>();
        Instant s = at;
        for (int a = 1; a <= attempts; a++) {
            Outcome o = a < attempts ? Outcome.FAILED : outcome;
            ErrorInfo e = o == Outcome.SUCCEEDED ? null
                    : new ErrorInfo("java.lang.IllegalStateException", "day " + index + " has no data\nsecond line", "trace");
            list.add(new Attempt(a, "fanout-" + batch + "-" + index + "-a" + a, slot, s, s.plusMillis(millis), o, e, METRICS));
            s = s.plusMillis(millis + 5);
        }
        Attempt last = list.get(list.size() - 1);
        return new RunResult(index, batch, params, outcome, outcome == Outcome.SUCCEEDED ? value : null, list,
                list.get(0).startedAt(), last.endedAt(), last.error());
    }

    private void task(int seq, int index, String key, String batchId, Outcome outcome, String value, Instant s, Instant e,
                      ErrorInfo error) {
        store.recordRun(runId, seq, new RunResult(index, batchId, Map.of("task", key), outcome, value, List.of(), s, e, error));
    }

    private void write(int n, int slots, boolean resume) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("region", "eu");
        params.put("api_token", "***");
        List<Map<String, String>> keys = List.of(Map.of("task", "prepare"), Map.of("task", "days"), Map.of("task", "summary"),
                Map.of("task", "alert"));
        store.createBatch(runId, NAME, spec("/work/flows/bench.yml", BatchSpec.WORKFLOW, params), keys, T0);
        int seq = store.startExecution(runId, spec("/work/flows/bench.yml", BatchSpec.WORKFLOW, params), slots, 4, T0);

        String prepare = runId + ".prepare";
        store.createTaskBatch(runId, "prepare", prepare, "Prepare", spec("Prepare", "task prepare", Map.of()),
                List.of(Map.of()), T0);
        int p = store.startExecution(prepare, spec("Prepare", "task prepare", Map.of()), slots, 4, T0);
        RunResult prep = run(prepare, 0, Map.of(), Outcome.SUCCEEDED, 1, T0.plusMillis(10), 200, 0, "[\"d0\"]");
        store.recordRun(prepare, p, prep);
        store.endExecution(prepare, p, ExecutionState.SUCCEEDED, prep.endedAt());
        task(seq, 0, "prepare", prepare, Outcome.SUCCEEDED, "[\"d0\"]", prep.startedAt(), prep.endedAt(), null);

        String days = runId + ".days";
        List<Map<String, String>> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(Map.of("day", "d" + i, "api_token", "***"));
        }
        Instant loopStart = prep.endedAt().plusMillis(5);
        store.createTaskBatch(runId, "days", days, "Day", spec("Day", "task days", Map.of()), items, loopStart);
        int d = store.startExecution(days, spec("Day", "task days", Map.of()), slots, 4, loopStart);
        Instant[] free = new Instant[slots];
        java.util.Arrays.fill(free, loopStart);
        Instant loopEnd = loopStart;
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int slot = 0;
            for (int k = 1; k < slots; k++) {
                slot = free[k].isBefore(free[slot]) ? k : slot;
            }
            boolean fails = i % 97 == 13;
            RunResult r = run(days, i, items.get(i), fails ? Outcome.FAILED : Outcome.SUCCEEDED, fails ? 2 : 1, free[slot],
                    40 + (i * 37) % 80, slot, "\"d" + i + "\"");
            store.recordRun(days, d, r);
            free[slot] = r.endedAt().plusMillis(2);
            loopEnd = r.endedAt().isAfter(loopEnd) ? r.endedAt() : loopEnd;
            if (fails) {
                failed.add(i);
            }
        }
        store.endExecution(days, d, failed.isEmpty() ? ExecutionState.SUCCEEDED : ExecutionState.FAILED, loopEnd);
        ErrorInfo dayError = new ErrorInfo("java.lang.IllegalStateException", "iteration " + (failed.isEmpty() ? 0 : failed.get(0))
                + " (day=d13) failed: day 13 has no data", "trace");
        task(seq, 1, "days", days, failed.isEmpty() ? Outcome.SUCCEEDED : Outcome.FAILED, null, loopStart, loopEnd,
                failed.isEmpty() ? null : dayError);
        task(seq, 2, "summary", runId + ".summary", Outcome.SKIPPED, null, null, null,
                new ErrorInfo("Skipped", "run_if all_success does not hold: days FAILED", null));
        String alert = runId + ".alert";
        store.createTaskBatch(runId, "alert", alert, "Alert", spec("Alert", "task alert", Map.of()), List.of(Map.of()), loopEnd);
        int a = store.startExecution(alert, spec("Alert", "task alert", Map.of()), slots, 4, loopEnd);
        RunResult al = run(alert, 0, Map.of(), Outcome.SUCCEEDED, 1, loopEnd.plusMillis(3), 60, 0, "sent");
        store.recordRun(alert, a, al);
        store.endExecution(alert, a, ExecutionState.SUCCEEDED, al.endedAt());
        task(seq, 3, "alert", alert, Outcome.SUCCEEDED, "sent", al.startedAt(), al.endedAt(), null);
        store.endExecution(runId, seq, ExecutionState.FAILED, al.endedAt().plusMillis(5));
        if (!resume) {
            return;
        }

        Instant r0 = T0.plusSeconds(3600);
        int seq2 = store.startExecution(runId, spec("/work/flows/bench.yml", BatchSpec.WORKFLOW, params), slots, 4, r0);
        int d2 = store.startExecution(days, spec("Day", "task days", Map.of()), slots, 4, r0.plusMillis(5));
        Instant t = r0.plusMillis(10);
        for (int i : failed) {
            RunResult r = run(days, i, items.get(i), Outcome.SUCCEEDED, 1, t, 50, 0, "\"d" + i + "\"");
            store.recordRun(days, d2, r);
            t = r.endedAt().plusMillis(2);
        }
        store.endExecution(days, d2, ExecutionState.SUCCEEDED, t);
        task(seq2, 1, "days", days, Outcome.SUCCEEDED, "[\"d0\", \"...\"]", r0.plusMillis(5), t, null);
        String summary = runId + ".summary";
        store.createTaskBatch(runId, "summary", summary, "Summary", spec("Summary", "task summary", Map.of()), List.of(Map.of()), t);
        int s = store.startExecution(summary, spec("Summary", "task summary", Map.of()), slots, 4, t);
        RunResult sum = run(summary, 0, Map.of(), Outcome.SUCCEEDED, 1, t.plusMillis(2), 120, 0, "42 rows");
        store.recordRun(summary, s, sum);
        store.endExecution(summary, s, ExecutionState.SUCCEEDED, sum.endedAt());
        task(seq2, 2, "summary", summary, Outcome.SUCCEEDED, "42 rows", sum.startedAt(), sum.endedAt(), null);
        task(seq2, 3, "alert", runId + ".alert", Outcome.SKIPPED, null, null, null,
                new ErrorInfo("Skipped", "run_if at_least_one_failed does not hold: days SUCCEEDED", null));
        store.endExecution(runId, seq2, ExecutionState.SUCCEEDED, sum.endedAt().plusMillis(5));
    }
}
