package dev.fanout;

import dev.fanout.history.BatchRecord;
import dev.fanout.history.BatchSpec;
import dev.fanout.internal.workflow.WorkflowRecord;
import dev.fanout.internal.workflow.WorkflowRun;
import dev.fanout.workflow.Workflow;
import dev.fanout.workflow.WorkflowListener;
import dev.fanout.workflow.WorkflowResult;
import dev.fanout.internal.engine.LongestFirst;
import dev.fanout.internal.history.HistoryRecorder;
import dev.fanout.history.HistoryStore;
import dev.fanout.internal.BatchIds;
import dev.fanout.history.ResumePlan;
import dev.fanout.report.Reports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Pattern;
import dev.fanout.internal.engine.BatchRequest;
import dev.fanout.internal.engine.Engine;
import dev.fanout.internal.engine.EngineSettings;
import dev.fanout.internal.spark.ExecutorTracker;
import dev.fanout.internal.spark.SchedulerPools;
import dev.fanout.internal.sql.SqlBinding;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a {@link SparkJob} once, or over many parameter sets in parallel, inside one Spark application: the library
 * entry point, for a driver program, a notebook, or the command line (which only maps its options to this).
 *
 * <pre>{@code
 * Fanout fanout = Fanout.builder(spark)                  // any session: a notebook's, spark-submit's, one fanout built
 *         .parallelism(Parallelism.auto())                // or Parallelism.fixed(8); auto().coresPerRun(2).max(32)
 *         .history(Path.of("/dbfs/fanout/history.db"))   // SQLite; or .history(HistoryStore); none = nothing recorded
 *         .timeout(Duration.ofMinutes(10)).retry(RetryPolicy.retries(2))
 *         .secrets(Pattern.compile("(?i)token|password"))
 *         .build();
 * BatchResult first = fanout.forEach(new DailyMetrics(),
 *         Items.withConstants(Items.range("day", LocalDate.parse("2026-01-01"), LocalDate.parse("2026-03-31")),
 *                             Map.of("warehouse", "/data")));
 * BatchResult again = fanout.resume(new DailyMetrics(), first.batchId()); // only what did not succeed; same batch id
 * fanout.report(first.batchId(), Path.of("report.html"));
 * String one = fanout.run(new DailyMetrics(), Map.of("day", "2024-01-01", "warehouse", "/data"));
 * WorkflowResult nightly = fanout.run(Workflow.read(Path.of("airline.yml")), Map.of("batch", "2")); // a workflow file
 * }</pre>
 *
 * <p>Each run gets its own {@code newSession()}, a job group that is never reused, a description
 * ({@code JobName key=value ...}, secrets masked) and a FAIR pool of its own while it runs; a run past its timeout has
 * its Spark jobs cancelled and its slot is reused only once its tasks have stopped. A {@code Fanout} is thread-safe
 * and is one budget of slots: batches it runs at the same time share its parallelism and its pools.
 */
public final class Fanout implements AutoCloseable {
    private final SparkSession spark;
    private final EngineSettings settings;
    private final Engine engine;
    private final HistoryStore history;
    private final boolean ownsHistory;
    private final BatchSpec.Launch launch;
    private final Order order;
    private final Map<String, RuntimeException> historyFailures = new ConcurrentHashMap<>();
    private final Set<WorkflowRun> workflows = ConcurrentHashMap.newKeySet();

    private Fanout(SparkSession spark, EngineSettings settings, Builder b) {
        this.spark = spark;
        this.settings = settings;
        this.engine = new Engine(spark, settings);
        this.order = b.order;
        this.ownsHistory = b.historyStore == null && b.historyFile != null;
        this.history = b.historyStore != null ? b.historyStore : b.historyFile != null ? HistoryStore.sqlite(b.historyFile) : null;
        this.launch = b.launch;
    }

    /**
     * Spark settings for runs that each process a small slice of data (one day, one table), which fanout's command line
     * applies unless the user set them, and which a notebook can set on its cluster (they take effect when the
     * application starts):
     * <ul>
     *   <li>a few shuffle partitions instead of 200 (each would be a task on the driver's critical path);</li>
     *   <li>Delta's snapshot state in 1 partition instead of 50 (a table every run commits to gets a new snapshot per
     *       commit; with 50, runs computing the same snapshot also print "Block rdd_... already exists" warnings; each
     *       task that reads the state generates code for its wide schema again, so 1 costs less than 2: 92 days of the
     *       demo's day job took 7% less CPU);</li>
     *   <li>a cache of compiled generated code of 1,000 classes instead of 100: a small run's plans (Delta's log
     *       replay and file listing among them) generate a few dozen classes, the same ones every run; Spark's cache
     *       is split into segments that evict on their own, so at 100 runs compiled again what an earlier run had
     *       compiled.</li>
     * </ul>
     * Measured on the demo's day job: see docs/performance.md.
     */
    public static Map<String, String> smallRunConf() {
        Map<String, String> conf = new java.util.LinkedHashMap<>();
        conf.put("spark.sql.shuffle.partitions", "4");
        conf.put("spark.databricks.delta.snapshotPartitions", "1");
        conf.put("spark.sql.codegen.cache.maxEntries", "1000");
        return java.util.Collections.unmodifiableMap(conf);
    }

    /**
     * Waits until executors have registered with {@code spark}'s cluster and stopped arriving for a few seconds, at most
     * {@code max}, and returns how many there are (0 in local mode, where the driver runs the tasks, and when none came).
     * A new application on a standalone cluster starts before its executors register; sizing from the cluster
     * ({@link Parallelism#auto()}) right away would see none.
     */
    public static int awaitExecutors(SparkSession spark, Duration max) {
        if (spark.sparkContext().isLocal()) {
            return 0;
        }
        try {
            return dev.fanout.internal.spark.ExecutorTracker.of(spark.sparkContext()).awaitExecutors(max, Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Starts configuring fanout on an existing session. */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /**
     * A session builder in FAIR scheduling mode with one pool per slot, of the given weight. Add the
     * master and any other settings, then {@code getOrCreate()}. Must be used before the SparkContext
     * starts: the scheduling mode and pool weights are fixed from then on.
     */
    public static SparkSession.Builder sessionBuilder(int slots, int poolWeight) {
        return sessionBuilder(slots, poolWeight, Map.of());
    }

    /**
     * {@link #sessionBuilder(int, int)} with {@code conf} applied on top; a {@code spark.extraListeners} among them is
     * merged with fanout's own listener instead of replacing it. Session extensions go in {@code conf} (or
     * spark-submit's {@code --conf}) as {@code spark.sql.extensions}, not in a later {@code config(...)} call, which
     * would replace the list: fanout appends its own extension after them, whose parser binds the {@code :name} markers
     * of {@code spark.sql(text, args)} that Delta's parser drops (Spark 4.2, Delta 4.4).
     */
    public static SparkSession.Builder sessionBuilder(int slots, int poolWeight, Map<String, String> conf) {
        Builder.positive("slots", slots);
        Builder.positive("poolWeight", poolWeight);
        SparkSession.Builder b = SparkSession.builder();
        SchedulerPools.fairConf(slots, poolWeight, 0).forEach(b::config);
        // Registered before the context starts, the executor tracker sees every executor from the first
        // (Parallelism.auto()); listeners given by spark-submit's --conf or by the caller are kept.
        String tracker = ExecutorTracker.class.getName();
        String given = conf.getOrDefault(ExecutorTracker.CONF, new org.apache.spark.SparkConf().get(ExecutorTracker.CONF, ""));
        String listeners = given == null ? "" : given.trim();
        conf.forEach((k, v) -> {
            if (!k.equals(ExecutorTracker.CONF) && !k.equals(SqlBinding.EXTENSIONS)) {
                b.config(k, v);
            }
        });
        b.config(ExecutorTracker.CONF, listeners.isEmpty() ? tracker
                : listeners.contains(tracker) ? listeners : listeners + "," + tracker);
        // Last in the list, so that its parser wraps every other (Delta's among them) and sees the SQL parameters.
        b.config(SqlBinding.EXTENSIONS, SqlBinding.withBindingExtensionLast(
                conf.getOrDefault(SqlBinding.EXTENSIONS, new org.apache.spark.SparkConf().get(SqlBinding.EXTENSIONS, ""))));
        return b;
    }

    /**
     * Runs {@code job} once and returns its exit value. With a history, the run is recorded as a batch of one item.
     *
     * @throws RunFailedException    the job failed (after its retries); the cause is the job's own exception
     * @throws RunTimedOutException  the run passed its timeout; its Spark jobs were cancelled
     * @throws RunCancelledException the run was cancelled by {@link #abort} or JVM shutdown
     */
    public String run(SparkJob job, Map<String, String> params) throws FanoutException {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        BatchResult batch = newBatch(job, List.of(params), (i, t) -> cause.set(t));
        RunResult r = batch.runs().get(0);
        String what = job.name() + " " + settings.redaction().params(params);
        return switch (r.outcome()) {
            case SUCCEEDED -> r.exitValue();
            case FAILED -> throw new RunFailedException(what + " failed after " + r.attempts().size() + " attempt(s): "
                    + r.error().firstLine(), cause.get(), r);
            case TIMED_OUT -> throw new RunTimedOutException(what + " " + r.error().message(), r);
            case CANCELLED, SKIPPED -> throw new RunCancelledException(what + " was cancelled"
                    + (r.error() == null ? "" : ": " + r.error().message()), r);
        };
    }

    /**
     * Runs {@code job} once per item, at most the parallelism at a time, and returns every item's outcome in input
     * order, under a new batch id ({@link BatchResult#batchId()}, the id the history records). Never throws for a
     * failing run: look at the result. Interrupting the calling thread stops the batch (in-flight runs CANCELLED, the
     * rest SKIPPED) and returns the result with the interrupt flag set again.
     *
     * <p>Without a history, items are read lazily, one as each slot frees up. With a {@link Builder#history history},
     * every item is read and recorded before the first run starts (so a resume knows them all, also after a crash),
     * then each run is recorded the moment it ends.
     *
     * @param items {@link Items} (a range, a file, with constants) or any iterable of parameter maps
     * @throws BadInputException an item is invalid (a file's line, a field), when known before any run starts
     */
    public BatchResult forEach(SparkJob job, Iterable<? extends Map<String, String>> items) {
        return newBatch(Objects.requireNonNull(job, "job"), Objects.requireNonNull(items, "items"), (i, t) -> { });
    }

    /**
     * Runs again the items of a recorded batch whose latest run did not succeed (failed, timed out, cancelled,
     * skipped, or never reached because the driver died), as a new execution of the same batch: same batch id,
     * original item indices, this {@code Fanout}'s settings.
     *
     * @throws IllegalStateException no history configured
     * @throws BadInputException     no such batch, a batch still running (its process alive), a batch of another job,
     *                               or a secret parameter that was masked in the history (give it again with
     *                               {@link #resume(SparkJob, String, Map)})
     */
    public BatchResult resume(SparkJob job, String batchId) {
        return resume(job, batchId, Map.of());
    }

    /** {@link #resume(SparkJob, String)} with {@code overrides} replacing (or adding) parameters of every item run again. */
    public BatchResult resume(SparkJob job, String batchId, Map<String, String> overrides) {
        Objects.requireNonNull(job, "job");
        HistoryStore store = requireHistory("resume");
        ResumePlan plan = ResumePlan.of(store, batchId, job.name(), Map.copyOf(overrides), settings.redaction());
        if (plan.items().isEmpty()) {
            Instant now = settings.clock().instant();
            return new BatchResult(batchId, job.name(), 0, now, now, Map.of(), List.of(), false);
        }
        BatchSpec recorded = plan.batch().spec();
        int[] indices = plan.items().keySet().stream().mapToInt(Integer::intValue).toArray();
        List<Map<String, String>> values = new ArrayList<>(plan.items().values());
        job.check(values, spark); // before the execution is recorded: a refused resume leaves no execution behind
        Map<String, String> params = new java.util.LinkedHashMap<>(recorded.params());
        params.putAll(overrides);
        BatchSpec spec = spec(job, recorded.itemsSource(), params);
        HistoryRecorder recorder = HistoryRecorder.resume(store, batchId, spec, settings.redaction(), engine.limitNow(),
                spark.sparkContext().defaultParallelism());
        int[] start = startOrder(job, values); // longest first here too, from earlier batches' succeeded runs
        return record(recorder, new BatchRequest(job, batchId, inStartOrder(values, start).iterator(),
                start == null ? k -> indices[k] : k -> indices[start[k]],
                OptionalLong.of(values.size()), (i, t) -> { }, List.of(recorder), rangeTypes(recorded.itemsSource())));
    }

    /**
     * Runs a workflow ({@link Workflow#read}) with {@code params} set on top of its defaults, and returns every task's
     * outcome, value and iterations. Tasks with no path between them run at the same time; every iteration of every
     * task shares this {@code Fanout}'s slots (and, when the file sets a smaller fixed {@code parallelism}, stays
     * within that too); each loop stays within its {@code concurrency}. With a history, the run is recorded under
     * {@link WorkflowResult#runId()} and can be resumed. Job classes are loaded with this thread's context class loader.
     *
     * @throws BadInputException a param the file does not declare, a class that is not a {@code SparkJob}, a SQL file
     *                           that is missing or does not split: before anything runs
     */
    public WorkflowResult run(Workflow workflow, Map<String, String> params) {
        return run(workflow, params, Jobs.classLoader(List.of()), WorkflowListener.NONE);
    }

    /** {@link #run(Workflow, Map)} loading job classes with {@code loader} ({@link Jobs#classLoader}), heard by {@code listener}. */
    public WorkflowResult run(Workflow workflow, Map<String, String> params, ClassLoader loader, WorkflowListener listener) {
        Workflow wf = workflow.withParams(params);
        Map<String, SparkJob> jobs = wf.loadJobs(loader);
        return runWorkflow(WorkflowRun.start(workflowContext(), wf, jobs, listener, BatchIds.next(settings.clock())));
    }

    /**
     * Runs again what did not succeed in the recorded workflow run {@code runId}: every task that failed, timed out, was
     * cancelled, skipped or never reached, and every task downstream of one that runs again; a task that ran some of
     * its iterations runs only those that did not succeed (when nothing upstream runs again). Succeeded tasks keep
     * their recorded values. The workflow's params are the recorded ones with {@code params} on top. Also after the
     * driver was killed.
     *
     * @throws IllegalStateException no history configured
     * @throws BadInputException     no such run, not a workflow run, still running, the file's tasks changed, or a
     *                               secret param that was masked in the history and is not given again
     */
    public WorkflowResult resume(Workflow workflow, String runId, Map<String, String> params) {
        return resume(workflow, runId, params, Jobs.classLoader(List.of()), WorkflowListener.NONE);
    }

    /** {@link #resume(Workflow, String, Map)} loading job classes with {@code loader}, heard by {@code listener}. */
    public WorkflowResult resume(Workflow workflow, String runId, Map<String, String> params, ClassLoader loader,
                                 WorkflowListener listener) {
        HistoryStore store = requireHistory("resume");
        WorkflowRecord.RecordedRun run = WorkflowRecord.RecordedRun.read(store, runId, workflow);
        BatchRecord recorded = run.run();
        Map<String, String> merged = new java.util.LinkedHashMap<>();
        recorded.spec().params().forEach((k, v) -> {
            if (workflow.params().containsKey(k)) {
                merged.put(k, v);
            }
        });
        merged.putAll(params);
        merged.forEach((k, v) -> {
            if (Redaction.MASK.equals(v) && settings.redaction().isSecret(k)) {
                throw new BadInputException("param '" + k + "' of workflow run " + runId
                        + " is a secret and was not recorded; give it again: -p " + k + "=VALUE");
            }
        });
        Workflow wf = workflow.withParams(merged);
        Map<String, SparkJob> jobs = wf.loadJobs(loader);
        String hash = sha256(wf.path());
        if (recorded.spec().jobHash() != null && !recorded.spec().jobHash().equals(hash)) {
            org.slf4j.LoggerFactory.getLogger(Fanout.class).warn("{} changed since workflow run {} started; the resume runs"
                    + " the file as it is now (tasks that succeeded are kept as they ran)", wf.path(), runId);
        }
        return runWorkflow(WorkflowRun.resume(workflowContext(), wf, jobs, listener, run));
    }

    private WorkflowResult runWorkflow(WorkflowRun run) {
        workflows.add(run);
        try {
            return run.execute();
        } finally {
            workflows.remove(run);
        }
    }

    private WorkflowRun.Context workflowContext() {
        return new WorkflowRun.Context(engine, settings, spark, history, (job, source) -> spec(job, source, Map.of()),
                wf -> new BatchSpec(wf.path().toString(), BatchSpec.WORKFLOW, settings.parallelism(), settings.timeout(),
                        settings.retry().maxAttempts() - 1, settings.failurePolicy(), settings.redaction().pattern(),
                        wf.params(), launch, sha256(wf.path())),
                spark.sparkContext().defaultParallelism());
    }

    /** The SHA-256 (hex) of a file, so a resume can tell it changed; null when it cannot be read. */
    private static String sha256(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(java.nio.file.Files.readAllBytes(file)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    /**
     * Writes the HTML report of a recorded batch (timeline per slot, durations, failures, Spark metrics), as the
     * command line's {@code fanout report}; secrets are masked as recorded.
     *
     * @throws IllegalStateException no history configured
     * @throws BadInputException     no such batch
     */
    public void report(String batchId, Path file) throws IOException {
        Reports.html(requireHistory("report"), batchId, file);
    }

    /** The history this {@code Fanout} records in, or null when it records nothing. */
    public HistoryStore history() {
        return history;
    }

    /**
     * Why the history of {@code batchId} is incomplete (a write failed while the batch went on: disk full, locked too
     * long), or null when every run was recorded.
     */
    public RuntimeException historyFailure(String batchId) {
        return historyFailures.get(batchId);
    }

    /** Stops every batch this instance is running: in-flight runs are cancelled on the cluster, the rest skipped. */
    public void abort(String reason) {
        workflows.forEach(w -> w.stop(reason));
        engine.abort(reason);
    }

    /**
     * Stops following the cluster's executors and closes the history file this {@code Fanout} opened ({@link
     * Builder#history(Path)}); a store given to it stays open.
     */
    @Override
    public void close() {
        engine.close();
        if (ownsHistory && history != null) {
            history.close();
        }
    }

    private BatchResult newBatch(SparkJob job, Iterable<? extends Map<String, String>> items,
                                 java.util.function.BiConsumer<Integer, Throwable> errors) {
        String id = BatchIds.next(settings.clock());
        Map<String, ParamType<?>> types = items instanceof Items i ? i.types() : Map.of();
        if (history == null) {
            OptionalLong expected = items instanceof Items i ? i.size()
                    : items instanceof Collection<?> c ? OptionalLong.of(c.size()) : OptionalLong.empty();
            if (checksItems(job)) { // read the items up front only for a job that looks at them before it runs
                job.check(items instanceof Items i ? i.toList() : items instanceof List<?> l ? (List<? extends Map<String, String>>) l
                        : items instanceof Collection<?> ? copy(items) : List.of(), spark);
            }
            return engine.run(new BatchRequest(job, id, items.iterator(), i -> i, expected, errors, List.of(), types));
        }
        List<Map<String, String>> all = items instanceof Items i ? i.toList() : copy(items);
        job.check(all, spark);
        BatchSpec spec = items instanceof Items i ? spec(job, i.source(), i.constants()) : spec(job, null, Map.of());
        int[] start = startOrder(job, all);
        HistoryRecorder recorder = HistoryRecorder.newBatch(history, id, job.name(), spec, all,
                settings.redaction(), engine.limitNow(), spark.sparkContext().defaultParallelism());
        return record(recorder, new BatchRequest(job, id, inStartOrder(all, start).iterator(), start == null ? i -> i : k -> start[k],
                OptionalLong.of(all.size()), errors, List.of(recorder), types));
    }

    /**
     * The start order of a batch's items ({@link Order}): longest expected first when the history knows durations of
     * this job's items, else null (input order).
     */
    private int[] startOrder(SparkJob job, List<Map<String, String>> all) {
        if (order != Order.LONGEST_FIRST || history == null || all.size() < 2) {
            return null;
        }
        try {
            return LongestFirst.order(all, LongestFirst.expectedMillis(history, job.name()), settings.redaction()::params);
        } catch (RuntimeException e) { // the order is an optimisation: a history that cannot be read does not stop the batch
            org.slf4j.LoggerFactory.getLogger(Fanout.class).warn("reading earlier durations for the start order failed: {}",
                    e.toString());
            return null;
        }
    }

    /** {@code items} in the order {@code start} gives ({@link #startOrder}); as they are when it is null. */
    private static List<Map<String, String>> inStartOrder(List<Map<String, String>> items, int[] start) {
        if (start == null) {
            return items;
        }
        List<Map<String, String>> ordered = new ArrayList<>(start.length);
        for (int i : start) {
            ordered.add(items.get(i));
        }
        return ordered;
    }

    /** Whether {@code job} overrides {@link SparkJob#check} (a SQL file does; most classes do not). */
    private static boolean checksItems(SparkJob job) {
        try {
            return job.getClass().getMethod("check", List.class, SparkSession.class).getDeclaringClass() != SparkJob.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    private BatchResult record(HistoryRecorder recorder, BatchRequest request) {
        try {
            return engine.run(request);
        } finally {
            recorder.close();
            if (recorder.failure() != null) {
                historyFailures.put(request.batchId(), recorder.failure());
            }
        }
    }

    private static List<Map<String, String>> copy(Iterable<? extends Map<String, String>> items) {
        List<Map<String, String>> all = new ArrayList<>();
        for (Map<String, String> item : items) {
            all.add(item);
        }
        return all;
    }

    /**
     * How this batch is started, as the history records it; the job as {@link Jobs#load} loads it again (a class name,
     * a SQL file's absolute path, with the hash of its text).
     */
    private BatchSpec spec(SparkJob job, String itemsSource, Map<String, String> constants) {
        return new BatchSpec(Jobs.reference(job), itemsSource, settings.parallelism(), settings.timeout(),
                settings.retry().maxAttempts() - 1, settings.failurePolicy(), settings.redaction().pattern(), constants, launch,
                Jobs.sourceHash(job).orElse(null));
    }

    /** The types a recorded batch's items declared: a range's ({@code --range day=…}), none otherwise. */
    private static Map<String, ParamType<?>> rangeTypes(String itemsSource) {
        if (itemsSource == null || !itemsSource.startsWith("--range ")) {
            return Map.of();
        }
        try {
            return Items.parseRange(itemsSource.substring("--range ".length())).types();
        } catch (BadInputException e) {
            return Map.of();
        }
    }

    private HistoryStore requireHistory(String what) {
        if (history == null) {
            throw new IllegalStateException(what + " needs a history: build this Fanout with .history(path) or .history(store)");
        }
        return history;
    }

    /** How many runs this instance has in flight at once, as configured ({@link Builder#parallelism(Parallelism)}). */
    public Parallelism parallelism() {
        return settings.parallelism();
    }

    /**
     * The runs allowed in flight right now: the fixed value, {@code auto()}'s value on the cluster now, or where
     * {@code adaptive()} has moved it.
     */
    public int parallelismNow() {
        return engine.limitNow();
    }

    /** Configures a {@link Fanout}; each setter rejects a bad value at once with a message naming it. */
    public static final class Builder {
        private final SparkSession spark;
        private Parallelism parallelism = Parallelism.fixed(Math.max(2, Runtime.getRuntime().availableProcessors()));
        private Duration timeout;
        private RetryPolicy retry = RetryPolicy.none();
        private FailurePolicy failurePolicy = FailurePolicy.CONTINUE;
        private int poolWeight = 1;
        private final List<FanoutListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private boolean retainRuns = true;
        private Duration cancelGrace = Duration.ofSeconds(60);
        private boolean sessionPerRun = true;
        private Redaction redaction = Redaction.defaults();
        private HistoryStore historyStore;
        private Path historyFile;
        private BatchSpec.Launch launch;
        private Order order = Order.LONGEST_FIRST;

        private Builder(SparkSession spark) {
            this.spark = Objects.requireNonNull(spark, "spark");
        }

        /**
         * At most this many runs in flight at once, over everything this {@code Fanout} runs (default: the driver's
         * cores, at least 2). Same as {@code parallelism(Parallelism.fixed(n))}.
         */
        public Builder parallelism(int parallelism) {
            return parallelism(Parallelism.fixed(parallelism));
        }

        /**
         * How many runs this {@code Fanout} has in flight at once: {@link Parallelism#fixed}, or
         * {@link Parallelism#auto()} to follow the cluster's executors as they come and go. The limit holds for
         * everything the {@code Fanout} runs together (two batches from two threads share it), and its
         * {@link Parallelism#max()} is the number of FAIR pools the runs use.
         */
        public Builder parallelism(Parallelism parallelism) {
            this.parallelism = Objects.requireNonNull(parallelism, "parallelism");
            return this;
        }

        /** Per-attempt deadline; null for none (the default). */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder failurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
            return this;
        }

        /** Shorthand for {@code failurePolicy(FAIL_FAST)}. */
        public Builder failFast() {
            return failurePolicy(FailurePolicy.FAIL_FAST);
        }

        /**
         * The FAIR weight each slot's pool should have (default 1). Weights take effect only for a
         * session built with {@link Fanout#sessionBuilder}; otherwise fanout warns once.
         */
        public Builder poolWeight(int poolWeight) {
            this.poolWeight = positive("poolWeight", poolWeight);
            return this;
        }

        public Builder listener(FanoutListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The clock for start and end times (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether batch results keep every run (default true); false keeps only the counts, for very large batches. */
        public Builder retainRuns(boolean retainRuns) {
            this.retainRuns = retainRuns;
            return this;
        }

        /** After a cancel, how long a slot waits for the run's thread and Spark tasks to stop (default 60s). */
        public Builder cancelGrace(Duration cancelGrace) {
            if (cancelGrace == null || cancelGrace.isNegative()) {
                throw new IllegalArgumentException("cancelGrace must be zero or positive, got " + cancelGrace);
            }
            this.cancelGrace = cancelGrace;
            return this;
        }

        /**
         * Whether each run gets its own {@code newSession()} (default true): private temp views, SQL
         * conf, UDFs and current database. Building a session's state costs Spark roughly 10-20 ms of
         * driver CPU on the run's first query; for many tiny SQL runs that never touch session state,
         * {@code false} lets every run use the given session (job group, pool and description stay per run).
         */
        public Builder sessionPerRun(boolean sessionPerRun) {
            this.sessionPerRun = sessionPerRun;
            return this;
        }

        /**
         * Which parameters are secrets (default {@link Redaction#defaults()}): their values never appear in
         * Spark job descriptions (the Spark UI, event logs) or fanout's logs.
         */
        public Builder redaction(Redaction redaction) {
            this.redaction = Objects.requireNonNull(redaction, "redaction");
            return this;
        }

        /**
         * Parameters whose name matches {@code names} (searched anywhere in the name) are secrets: masked in Spark job
         * descriptions, logs, the history, JSON and reports, as the command line's {@code --secrets}. The job gets the
         * real value. Default {@link Redaction#DEFAULT_PATTERN}.
         */
        public Builder secrets(Pattern names) {
            return redaction(Redaction.of(names));
        }

        /**
         * Records every batch in the SQLite history file {@code file} (created, with its directory, when missing; shared
         * safely by several processes): each {@code forEach} is its own batch, resumable with {@link Fanout#resume}
         * and drawn by {@link Fanout#report}. The file is opened by {@link #build()} and closed by {@link Fanout#close()}.
         */
        public Builder history(Path file) {
            this.historyFile = Objects.requireNonNull(file, "file");
            this.historyStore = null;
            return this;
        }

        /** Records every batch in {@code store} (e.g. {@link HistoryStore#inMemory()}); it stays the caller's to close. */
        public Builder history(HistoryStore store) {
            this.historyStore = Objects.requireNonNull(store, "store");
            this.historyFile = null;
            return this;
        }

        /**
         * How Spark was started, when the caller started it (the command line records its master, jars and settings so
         * that {@code fanout resume} can start Spark the same way); recorded with each batch.
         */
        public Builder launch(BatchSpec.Launch launch) {
            this.launch = launch;
            return this;
        }

        /**
         * The order in which a batch starts its items (default {@link Order#LONGEST_FIRST}: longest expected first
         * where the history knows earlier durations of the same job's items; {@link Order#INPUT}: as given). Results
         * are in input order either way.
         */
        public Builder order(Order order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        public Fanout build() {
            SchedulerPools.check(spark.sparkContext(), parallelism.max(), poolWeight);
            return new Fanout(spark, new EngineSettings(parallelism, timeout, retry, failurePolicy, listeners, clock,
                    retainRuns, cancelGrace, sessionPerRun, redaction), this);
        }

        static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + value);
            }
            return value;
        }
    }
}
