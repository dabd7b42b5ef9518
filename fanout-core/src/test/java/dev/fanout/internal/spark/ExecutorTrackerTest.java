package dev.fanout.internal.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.internal.engine.Cluster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.cluster.ExecutorInfo;
import org.junit.jupiter.api.Test;

/**
 * How a tracker that comes late (a notebook's running cluster) counts the executors registered before it. The
 * end-to-end check on a real two-worker cluster is an integration test of the command line.
 */
class ExecutorTrackerTest {

    private static SparkListenerExecutorAdded added(String id, int cores) {
        return new SparkListenerExecutorAdded(0L, id, new ExecutorInfo("host-" + id, cores, scala.collection.immutable.Map$.MODULE$.empty()));
    }

    @Test
    void aLateTrackerSeededFromTheLiveClusterCountsExecutorsRegisteredBeforeIt() {
        ExecutorTracker t = new ExecutorTracker();
        AtomicInteger changes = new AtomicInteger();
        t.watch(x -> changes.incrementAndGet());
        Map<String, Integer> live = new LinkedHashMap<>();
        live.put("0", 4);
        live.put("1", 4);
        t.seed(live);
        assertThat(t.capacity("spark://m:7077")).isEqualTo(Cluster.Capacity.executors("spark://m:7077", 2, 8));
        assertThat(changes).as("watchers hear of the seed").hasValue(1);

        t.onExecutorAdded(added("2", 2)); // and it follows executors joining and leaving from then on
        t.onExecutorRemoved(new SparkListenerExecutorRemoved(0L, "0", "lost"));
        assertThat(t.executors()).isEqualTo(2);
        assertThat(t.totalCores()).isEqualTo(6);
    }

    @Test
    void aStaleSeedBringsBackNoExecutorWhoseRemovalWasSeenAndCountsNoneTwice() {
        ExecutorTracker t = new ExecutorTracker();
        t.onExecutorAdded(added("1", 4));      // events that arrived between adding the listener and seeding
        t.onExecutorRemoved(new SparkListenerExecutorRemoved(0L, "2", "lost"));
        t.seed(Map.of("1", 4, "2", 4, "3", 2)); // read from the cluster a moment earlier
        assertThat(t.executors()).isEqualTo(2);
        assertThat(t.totalCores()).isEqualTo(6);
        t.onExecutorAdded(added("2", 4));      // the same id may register again
        assertThat(t.totalCores()).isEqualTo(10);
    }

    @Test
    void coresPerExecutorComeFromTheConfOrTheBackendsDefaultParallelism() {
        assertThat(ExecutorTracker.coresPerExecutor(4, 99, false, 2)).as("spark.executor.cores").isEqualTo(4);
        assertThat(ExecutorTracker.coresPerExecutor(null, 8, false, 2)).as("8 cores over 2 executors").isEqualTo(4);
        assertThat(ExecutorTracker.coresPerExecutor(null, 7, false, 3)).isEqualTo(2);
        assertThat(ExecutorTracker.coresPerExecutor(null, 200, true, 2)).as("spark.default.parallelism says nothing of cores")
                .isEqualTo(1);
        assertThat(ExecutorTracker.coresPerExecutor(null, 2, false, 0)).isEqualTo(1);
    }
}
