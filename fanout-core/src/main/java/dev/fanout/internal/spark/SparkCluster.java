package dev.fanout.internal.spark;

import dev.fanout.SparkMetrics;
import dev.fanout.internal.engine.Cluster;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The engine's {@link Cluster} on a Spark session: {@link RunScope} for an attempt's thread-local state,
 * {@code cancelJobGroupAndFutureJobs} plus the run session's {@code interruptAll} for a cancel,
 * {@link GroupTaskTracker} for "its tasks have stopped" and its metrics, {@link ExecutorTracker} for the size of
 * the cluster, and {@link SchedulerPools} for the pool names.
 */
public final class SparkCluster implements Cluster {
    private final SparkSession spark;
    private final SparkContext sc;
    private final GroupTaskTracker tasks;
    private final Map<String, SparkSession> runSessions = new ConcurrentHashMap<>();
    private volatile ExecutorTracker executors;

    public SparkCluster(SparkSession spark, String groupPrefix) {
        this.spark = spark;
        this.sc = spark.sparkContext();
        this.tasks = GroupTaskTracker.of(sc, groupPrefix);
    }

    @Override
    public String poolName(int index) {
        return SchedulerPools.poolName(index);
    }

    @Override
    public Scope enter(String group, String description, String pool, boolean newSession) {
        SparkSession session = spark;
        if (newSession) {
            session = runSession(spark);
            runSessions.put(group, session); // only a run's own session may be interrupted as a whole
        }
        RunScope scope;
        try {
            scope = RunScope.enter(session, group, description, pool);
        } catch (RuntimeException | Error e) {
            runSessions.remove(group);
            throw e;
        }
        SparkSession entered = session;
        return new Scope() {
            @Override
            public SparkSession session() {
                return entered;
            }

            @Override
            public void close() {
                scope.close();
                runSessions.remove(group);
            }
        };
    }

    /** The config key of Spark's per-session artifact isolation (an internal SQL setting of Spark 4). */
    public static final String ARTIFACT_ISOLATION = "spark.sql.artifact.isolation.enabled";

    /**
     * A new session for one run: {@code newSession()} without Spark 4's per-session artifact isolation, unless the
     * application set {@value #ARTIFACT_ISOLATION} itself.
     *
     * <p>With isolation on (Spark's default), each session's jobs carry the session's id to the executors, which give
     * it a class loader of its own. Spark's cache of compiled generated code is keyed by class loader, so every run
     * compiled all its generated classes again (Janino, in the tasks), and each class name Janino resolved went through
     * that loader's remote class lookup first. Measured on the demo's day job: about a quarter of a run's CPU. Runs of
     * one fanout share the application's jars ({@code spark.jars}, {@code --jars}); a run that adds artifacts to its own
     * session (Spark Connect style) is the case isolation is for, and an application that needs it sets the key.
     */
    public static SparkSession runSession(SparkSession parent) {
        SparkSession session = parent.newSession();
        if (!parent.sparkContext().conf().contains(ARTIFACT_ISOLATION) && !parent.conf().contains(ARTIFACT_ISOLATION)) {
            // read lazily by the session's ArtifactManager, on its first query: set before anything runs on it
            session.conf().set(ARTIFACT_ISOLATION, "false");
        }
        return session;
    }

    @Override
    public void cancel(String group, String reason) {
        sc.cancelJobGroupAndFutureJobs(group, reason);
        SparkSession session = runSessions.get(group);
        if (session != null) {
            session.interruptAll();
        }
    }

    @Override
    public boolean awaitStopped(String group, Duration within) throws InterruptedException {
        return tasks.awaitIdle(sc, group, System.nanoTime() + within.toNanos());
    }

    @Override
    public int runningTasks(String group) {
        return tasks.runningTasks(group);
    }

    @Override
    public long taskNanos() {
        return tasks.taskNanos();
    }

    @Override
    public SparkMetrics takeMetrics(String group) {
        return tasks.takeMetrics(group);
    }

    @Override
    public Capacity capacity() {
        return sc.isLocal() ? capacityOf(sc) : capacityOf(sc.master(), executors());
    }

    @Override
    public Runnable watchCapacity(Runnable onChange) {
        if (sc.isLocal()) {
            return () -> { };
        }
        java.util.function.Consumer<ExecutorTracker> watcher = t -> onChange.run();
        ExecutorTracker tracker = executors();
        tracker.watch(watcher);
        return () -> tracker.unwatch(watcher);
    }

    private ExecutorTracker executors() {
        ExecutorTracker t = executors;
        if (t == null) {
            t = ExecutorTracker.of(sc);
            executors = t;
        }
        return t;
    }

    /** The size of {@code sc}'s cluster now (in local mode, its cores). */
    public static Capacity capacityOf(SparkContext sc) {
        return sc.isLocal() ? Capacity.local(sc.master(), sc.defaultParallelism()) : capacityOf(sc.master(), ExecutorTracker.of(sc));
    }

    private static Capacity capacityOf(String master, ExecutorTracker t) {
        return t.capacity(master);
    }
}
