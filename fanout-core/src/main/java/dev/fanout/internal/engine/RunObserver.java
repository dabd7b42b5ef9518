package dev.fanout.internal.engine;

/** What a batch tells its engine about each run: for the adaptive parallelism, which learns from them. */
interface RunObserver {
    /** Observes nothing. */
    RunObserver NONE = new RunObserver() {
        @Override
        public long started() {
            return 0;
        }

        @Override
        public void ended(long token, long startedAt, long taskMillis) {}
    };

    /** A run has its permit and starts now; returns a token for {@link #ended}. */
    long started();

    /**
     * The run of {@code token}, started at {@code startedAt} on the engine's ticker, ended (its result recorded), its
     * tasks having held cores for {@code taskMillis}; called before its permit goes back.
     */
    void ended(long token, long startedAt, long taskMillis);
}
