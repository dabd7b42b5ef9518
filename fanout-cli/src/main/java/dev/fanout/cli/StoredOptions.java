package dev.fanout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FailurePolicy;
import dev.fanout.Parallelism;
import dev.fanout.Redaction;
import dev.fanout.history.BatchSpec;
import java.util.List;
import java.util.Map;

/**
 * How a batch was started, as recorded in the history: what {@code fanout resume} starts it with again
 * unless an option overrides it. Secret {@code -p} and {@code --conf} values are stored masked, so a
 * resume asks for them again.
 *
 * @param conf    the Spark settings given (or preferred by the command), masked
 * @param params  the {@code -p} constants, masked
 * @param parallelism "auto" or a number
 * @param timeout as given (90s, 10m), or null
 */
record StoredOptions(String command, String jobClass, List<String> jars, String master, Map<String, String> conf,
                     String parallelism, Integer coresPerRun, Integer executorsPerRun, Integer maxParallelism,
                     String timeout, int retries, boolean failFast, Map<String, String> params, String itemsSource,
                     String secrets) {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    StoredOptions masked(Redaction redaction) {
        return new StoredOptions(command, jobClass, jars, master, redaction.params(conf), parallelism, coresPerRun,
                executorsPerRun, maxParallelism, timeout, retries, failFast, redaction.params(params), itemsSource, secrets);
    }

    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As the history records it now (read with the reader of this document, so nothing is lost). */
    BatchSpec toSpec() {
        return BatchSpec.fromJson(json());
    }

    /** The options of a recorded batch; the timeout in ISO-8601, which {@code DurationFormat.parse} reads back. */
    static StoredOptions of(BatchSpec s) {
        String parallelism = s.parallelism().dynamic() ? "auto" : s.parallelism().spec();
        Integer cores = null;
        Integer executors = null;
        Integer max = null;
        if (s.parallelism() instanceof Parallelism.Auto a) {
            executors = a.executorsPerRun() > 0 ? a.executorsPerRun() : null;
            cores = a.executorsPerRun() == 0 && a.coresPerRun() != 1 ? a.coresPerRun() : null;
            max = a.max() != Parallelism.DEFAULT_MAX ? a.max() : null;
        }
        BatchSpec.Launch l = s.launch() != null ? s.launch() : new BatchSpec.Launch(null, null, List.of(), Map.of());
        return new StoredOptions(l.command(), s.job(), l.jars(), l.master(), l.conf(), parallelism, cores, executors, max,
                s.timeout() == null ? null : s.timeout().toString(), s.retries(), s.failurePolicy() == FailurePolicy.FAIL_FAST,
                s.params(), s.itemsSource(), s.secrets());
    }

    static StoredOptions parse(String json) {
        try {
            return JSON.readValue(json, StoredOptions.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable options " + json + ": " + e.getOriginalMessage(), e);
        }
    }
}
