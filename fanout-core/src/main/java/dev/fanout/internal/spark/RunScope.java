package dev.fanout.internal.spark;

import java.util.Properties;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * The thread-local Spark state of one run, set on entry and restored exactly on close.
 *
 * <p>Spark keeps the job group, description, scheduler pool, job tags (the "local properties") and
 * the active session in inheritable thread-locals. A pooled thread keeps whatever its previous task
 * left there, so a run starts from a clean set of local properties holding only its own job group
 * (interrupt-on-cancel on), description and pool, with its own session active; on close the
 * thread gets back the very properties object and active session it had before, whatever the job
 * set in between.
 *
 * <p>{@link #group} is the variant for a caller's own thread (a row fan-out's write from a notebook cell): it keeps
 * that thread's other local properties (a notebook's pool and tags), sets only the job group on top, and restores the
 * same way on close.
 *
 * <p>{@link #enter} also gives the thread, in local mode, the class loader of the executor's tasks
 * ({@link LocalTaskLoader}), and close gives it back its own.
 */
public final class RunScope implements AutoCloseable {
    public static final String POOL_PROPERTY = "spark.scheduler.pool";

    private final SparkContext sc;
    private final Properties saved;
    private final Option<SparkSession> savedActive;
    private final ClassLoader savedLoader;

    private RunScope(SparkContext sc, Properties saved, Option<SparkSession> savedActive) {
        this.sc = sc;
        this.saved = saved;
        this.savedActive = savedActive;
        this.savedLoader = Thread.currentThread().getContextClassLoader();
    }

    public static RunScope enter(SparkSession runSession, String jobGroup, String description, String pool) {
        SparkContext sc = runSession.sparkContext();
        RunScope scope = new RunScope(sc, sc.getLocalProperties(), SparkSession.getActiveSession());
        sc.setLocalProperties(new Properties());
        // In local mode, the tasks' class loader: the driver's compiled generated code is then found by the tasks
        // (LocalTaskLoader says why). Found before the run's group is set: the first run's probe job is not its work.
        ClassLoader tasks = LocalTaskLoader.forRun(sc, scope.savedLoader);
        sc.setJobGroup(jobGroup, description, true);
        sc.setLocalProperty(POOL_PROPERTY, pool);
        SparkSession.setActiveSession(runSession);
        if (tasks != null) {
            Thread.currentThread().setContextClassLoader(tasks);
        }
        return scope;
    }

    /**
     * Sets job group {@code jobGroup} (interrupt-on-cancel on) on the current thread, on a copy of its local
     * properties (defaults included: Spark copies only a properties object's own entries when it submits a job).
     */
    public static RunScope group(SparkSession session, String jobGroup, String description) {
        SparkContext sc = session.sparkContext();
        Properties current = sc.getLocalProperties();
        RunScope scope = new RunScope(sc, current, SparkSession.getActiveSession());
        Properties copy = new Properties();
        if (current != null) {
            current.stringPropertyNames().forEach(k -> copy.setProperty(k, current.getProperty(k)));
        }
        sc.setLocalProperties(copy);
        sc.setJobGroup(jobGroup, description, true);
        return scope;
    }

    @Override
    public void close() {
        Thread.currentThread().setContextClassLoader(savedLoader);
        sc.setLocalProperties(saved);
        if (savedActive.isDefined()) {
            SparkSession.setActiveSession(savedActive.get());
        } else {
            SparkSession.clearActiveSession();
        }
    }
}
