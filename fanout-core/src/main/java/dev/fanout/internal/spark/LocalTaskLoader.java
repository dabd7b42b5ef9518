package dev.fanout.internal.spark;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;

/**
 * In local mode, the class loader Spark's in-process executor gives its tasks, so that a run's own thread can use the
 * same one.
 *
 * <p>Why: Spark keeps the classes it compiles from generated code in one cache keyed by the code <em>and the thread's
 * context class loader</em>. A query's whole-stage code is compiled twice: once on the driver, where Spark checks it
 * compiles, and once in the tasks that run it. In local mode both happen in this JVM, but the driver's thread has the
 * application's class loader and the tasks have the executor's own (a child of it), so every class is compiled twice
 * (measured on the demo's day job: 40% of the compilations, ~2.5% of the process's samples). With the run's thread on
 * the tasks' loader the tasks find the driver's classes. On a cluster the tasks run in other JVMs: nothing to share.
 *
 * <p>The loader is found once per SparkContext by a one-task job that records the loader its task sees; it is used only
 * when it asks its parents first (Spark's default) and can see every class the run's thread could see (the thread's
 * own loader is the task loader or one of its parents), so a job's classes still load the same way.
 */
public final class LocalTaskLoader {
    /** Guarded by the class's lock ({@link #tasksLoader}). */
    private static final Map<SparkContext, ClassLoader> FOUND = new WeakHashMap<>();
    private static final AtomicReference<ClassLoader> SEEN = new AtomicReference<>();
    /** Spark's executor class loader when it asks its parent first (not its child-first subclass). */
    private static final String PARENT_FIRST = "org.apache.spark.util.MutableURLClassLoader";

    private LocalTaskLoader() {}

    /**
     * The tasks' class loader for a run on {@code sc} whose thread has {@code current}, or null: not local mode, the
     * probe failed, or that loader would not see {@code current}'s classes. The first call per context runs the probe
     * job (one task that does nothing else) on the calling thread, with that thread's local properties.
     */
    public static ClassLoader forRun(SparkContext sc, ClassLoader current) {
        if (!sc.isLocal() || current == null) {
            return null;
        }
        ClassLoader tasks = tasksLoader(sc);
        if (tasks == null) {
            return null;
        }
        if (!PARENT_FIRST.equals(tasks.getClass().getName())) {
            // A child-first loader (spark.executor.userClassPathFirst) or a REPL's would give the run's thread its own
            // copies of classes the driver already has: left alone.
            return null;
        }
        for (ClassLoader l = tasks; l != null; l = l.getParent()) {
            if (l == current) {
                return tasks;
            }
        }
        return null;
    }

    /** The loader found for {@code sc}, probing for it the first time (one probe per context at once). */
    private static synchronized ClassLoader tasksLoader(SparkContext sc) {
        ClassLoader known = FOUND.get(sc);
        if (known == null) {
            known = probe(sc);
            if (known != null) {
                FOUND.put(sc, known);
            }
        }
        return known;
    }

    private static ClassLoader probe(SparkContext sc) {
        String description = sc.getLocalProperty("spark.job.description");
        try {
            SEEN.set(null);
            sc.setJobDescription("fanout: the tasks' class loader");
            JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1), 1).foreachPartition(new Record());
            return SEEN.getAndSet(null);
        } catch (Exception e) { // Spark's job wait also throws InterruptedException, undeclared
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // the run sees it at its first blocking call
            }
            return null; // the run goes on with its own loader; the next run tries again
        } finally {
            sc.setJobDescription(description);
        }
    }

    /** Runs in the probe's task: in local mode the same JVM, so the static is the driver's. */
    private static final class Record implements VoidFunction<Iterator<Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void call(Iterator<Integer> ignored) {
            SEEN.set(Thread.currentThread().getContextClassLoader());
        }
    }
}
