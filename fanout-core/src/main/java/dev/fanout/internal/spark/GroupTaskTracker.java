package dev.fanout.internal.spark;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import dev.fanout.SparkMetrics;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Knows, per job group, whether Spark tasks are still running on the executors, and what the
 * group's tasks have cost so far ({@link #takeMetrics}).
 *
 * <h2>Why</h2>
 * Cancelling a job group returns, and even {@code SparkListenerJobEnd} arrives, before the
 * executors have stopped the tasks (tens of milliseconds locally, seconds on a cluster). A slot that
 * took the next item at that moment would put one more run's tasks on cores that are still busy;
 * with a task that ignores the kill for a while, a "timed-out" run would keep its cores. So after a
 * cancel the engine waits ({@link SparkCluster#awaitStopped}) for this tracker to report the group idle
 * before the run's permit and FAIR pool go to the next run.
 *
 * <h2>How</h2>
 * The tracker is a {@link SparkListener}. {@code StageSubmitted} carries the job's local properties,
 * so each stage attempt is mapped to its {@code spark.jobGroup.id}; task starts and ends are counted
 * per stage attempt. A group is busy while one of its stages is not yet completed or still has
 * running tasks (killed tasks report their end after the stage completed). Completed, idle stages
 * are kept for a few seconds to absorb a late task-start event, then dropped, so the state stays
 * bounded by the stages in flight.
 *
 * <p>Listener events arrive asynchronously. Before judging a group idle, {@link #awaitIdle} posts a
 * fence event to the listener bus and waits until this listener has seen it: every event posted
 * before the cancellation (in particular the group's {@code StageSubmitted}) has then been counted.
 * Only groups with the given prefix are tracked.
 *
 * <h2>Waiting for cores</h2>
 * Per group it also follows how many of its tasks are ready but not launched (a submitted stage's tasks minus the
 * first launches seen: retries and speculative copies are not counted) and how many run. Whenever the group has ready
 * tasks and none running it is waiting for cores; those intervals are summed in scheduler time (the events' own
 * {@code submissionTime}, {@code launchTime}, {@code finishTime} and {@code completionTime}, not the time the
 * listener got them, which lags). An interval still open when the metrics are taken ends then. The alternative, each
 * task's launch minus its stage's submission summed, counts a stage's own queue (task 9 of 10 on one core waits for
 * tasks 1-8 of the same run) and adds up task-seconds, not the run's wall time; what a run lost to the other runs is
 * the time it could not progress at all.
 */
public final class GroupTaskTracker extends SparkListener {
    private static final Map<SparkContext, GroupTaskTracker> TRACKERS = new WeakHashMap<>();
    private static final long RETAIN_COMPLETED_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final AtomicLong FENCES = new AtomicLong();

    private final String prefix;
    private final Map<Long, Stage> stages = new HashMap<>();
    private final Map<String, Group> metrics = new HashMap<>();
    private long fenceSeen;
    private int runningAll;        // tasks of every tracked group running now
    private long busyNanos;        // integral of runningAll over time, up to busySince
    private long busySince = System.nanoTime();

    private GroupTaskTracker(String prefix) {
        this.prefix = prefix;
    }

    /** The tracker of {@code sc}, registered with it on first use. */
    public static GroupTaskTracker of(SparkContext sc, String groupPrefix) {
        synchronized (TRACKERS) {
            return TRACKERS.computeIfAbsent(sc, c -> {
                GroupTaskTracker t = new GroupTaskTracker(groupPrefix);
                c.addSparkListener(t);
                return t;
            });
        }
    }

    /**
     * Waits until no task of {@code group} runs and none of its stages is pending, or until the
     * deadline. Returns whether the group was seen idle.
     */
    public boolean awaitIdle(SparkContext sc, String group, long deadlineNanos) throws InterruptedException {
        if (sc.isStopped()) {
            return true;
        }
        long fence = FENCES.incrementAndGet();
        sc.listenerBus().post(new Fence(fence));
        synchronized (this) {
            while (fenceSeen < fence || busy(group)) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || sc.isStopped()) {
                    return sc.isStopped();
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
            return true;
        }
    }

    /** Running tasks of {@code group} as seen so far (for diagnostics and tests). */
    public synchronized int runningTasks(String group) {
        int n = 0;
        for (Stage s : stages.values()) {
            if (s.group.equals(group)) {
                n += s.running;
            }
        }
        return n;
    }

    /**
     * The metrics gathered for {@code group} so far, forgetting them. Call after {@link #awaitIdle} so every
     * task end of the group has been counted.
     */
    public synchronized SparkMetrics takeMetrics(String group) {
        Group g = metrics.remove(group);
        if (g == null) {
            return SparkMetrics.ZERO;
        }
        g.waiting(false, System.currentTimeMillis()); // still waiting (a cancelled run's stage never completed): ends now
        long[] m = g.counts;
        return new SparkMetrics(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], 0,
                g.waitMillis * 1_000_000L);
    }

    /**
     * Task-nanoseconds the tracked groups' tasks have held their cores so far, the tasks still running included (a
     * running tasks count integrated over the time the listener saw them start and end, so it lags the executors by
     * the listener bus's delay): the adaptive parallelism reads it while runs are in flight, before any of them ended.
     */
    public synchronized long taskNanos() {
        return busyNanos + runningAll * Math.max(0, System.nanoTime() - busySince);
    }

    private void running(int delta) {
        long now = System.nanoTime();
        busyNanos += runningAll * Math.max(0, now - busySince);
        busySince = now;
        runningAll += delta;
    }

    private Group metricsOf(String group) {
        return metrics.computeIfAbsent(group, g -> new Group());
    }

    private boolean busy(String group) {
        for (Stage s : stages.values()) {
            if (s.group.equals(group) && (s.running > 0 || !s.completed)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onJobStart(SparkListenerJobStart event) {
        String group = event.properties() == null ? null : event.properties().getProperty("spark.jobGroup.id");
        if (group != null && group.startsWith(prefix)) {
            synchronized (this) {
                metricsOf(group).counts[0]++;
            }
        }
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        String group = event.properties() == null ? null : event.properties().getProperty("spark.jobGroup.id");
        if (group == null || !group.startsWith(prefix)) {
            return;
        }
        synchronized (this) {
            Group g = metricsOf(group);
            int ready = event.stageInfo().numTasks();
            stages.put(key(event.stageInfo().stageId(), event.stageInfo().attemptNumber()), new Stage(group, g, ready));
            g.counts[1]++;
            g.ready += ready;
            g.update(time(event.stageInfo().submissionTime()));
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart event) {
        synchronized (this) {
            Stage s = stages.get(key(event.stageId(), event.stageAttemptId()));
            if (s != null) {
                s.running++;
                s.owner.running++;
                running(1);
                if (event.taskInfo().attemptNumber() == 0 && !event.taskInfo().speculative() && s.ready > 0) {
                    s.ready--;
                    s.owner.ready--;
                }
                s.owner.update(event.taskInfo().launchTime());
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        synchronized (this) {
            Stage s = stages.get(key(event.stageId(), event.stageAttemptId()));
            if (s == null) {
                return;
            }
            if (s.running > 0) {
                s.running--;
                s.owner.running--;
                running(-1);
                notifyAll();
            }
            long finished = event.taskInfo().finishTime();
            s.owner.update(finished > 0 ? finished : System.currentTimeMillis());
            long[] m = s.owner.counts;
            m[2]++;
            TaskMetrics t = event.taskMetrics(); // null for some failed tasks
            if (t != null) {
                // the core is the task's from the start of its deserialization on the executor to the end of its run
                m[3] += t.executorDeserializeTime() + t.executorRunTime();
                m[4] += t.executorDeserializeCpuTime() + t.executorCpuTime();
                m[5] += t.inputMetrics().bytesRead();
                m[6] += t.inputMetrics().recordsRead();
                m[7] += t.shuffleReadMetrics().totalBytesRead();
                m[8] += t.shuffleWriteMetrics().bytesWritten();
                m[9] += t.memoryBytesSpilled() + t.diskBytesSpilled();
            }
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted event) {
        synchronized (this) {
            Stage s = stages.get(key(event.stageInfo().stageId(), event.stageInfo().attemptNumber()));
            long now = System.nanoTime();
            if (s != null) {
                s.completed = true;
                s.completedAt = now;
                s.owner.ready -= s.ready; // a failed or cancelled stage's tasks will never launch
                s.ready = 0;
                s.owner.update(time(event.stageInfo().completionTime()));
            }
            for (Iterator<Stage> it = stages.values().iterator(); it.hasNext(); ) {
                Stage old = it.next();
                if (old.completed && old.running == 0 && now - old.completedAt > RETAIN_COMPLETED_NANOS) {
                    it.remove();
                }
            }
            notifyAll();
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof Fence f) {
            synchronized (this) {
                fenceSeen = Math.max(fenceSeen, f.id);
                notifyAll();
            }
        }
    }

    /** An event's scheduler time (epoch ms), or now when Spark did not set it. */
    private static long time(scala.Option<Object> t) {
        return t.isDefined() ? (Long) t.get() : System.currentTimeMillis();
    }

    private static long key(int stageId, int attempt) {
        return ((long) stageId << 20) | attempt;
    }

    private static final class Stage {
        final String group;
        final Group owner;
        int running;
        int ready;      // tasks not launched yet
        boolean completed;
        long completedAt;

        Stage(String group, Group owner, int ready) {
            this.group = group;
            this.owner = owner;
            this.ready = ready;
        }
    }

    /** One job group's counts (the {@link SparkMetrics} fields in order) and its waiting for cores. */
    private static final class Group {
        final long[] counts = new long[10];
        int running;
        int ready;
        long waitingSince = -1; // epoch ms while it has ready tasks and none running
        long waitMillis;

        /** Called after every change of {@code ready} or {@code running}, at the event's scheduler time. */
        void update(long at) {
            waiting(ready > 0 && running == 0, at);
        }

        void waiting(boolean now, long at) {
            if (now && waitingSince < 0) {
                waitingSince = at;
            } else if (!now && waitingSince >= 0) {
                waitMillis += Math.max(0, at - waitingSince);
                waitingSince = -1;
            }
        }
    }

    /** Posted to the listener bus; once seen, every event posted before it has been seen too. */
    static final class Fence implements SparkListenerEvent {
        final long id;

        Fence(long id) {
            this.id = id;
        }

        @Override
        public boolean logEvent() {
            return false;
        }
    }
}
