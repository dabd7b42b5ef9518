package dev.fanout.cli;

/** {@code bin/fanout}'s entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String tty = System.getenv("FANOUT_STDERR_TTY"); // set by bin/fanout from `[ -t 2 ]`
        boolean terminal = tty != null ? tty.equals("1") : System.console() != null;
        String history = System.getenv("FANOUT_HISTORY");
        Environment env = new Environment(System.out, System.err, SparkProvider.EMBEDDED, terminal,
                history == null || history.isBlank() ? dev.fanout.history.HistoryStore.defaultPath() : java.nio.file.Path.of(history));
        System.exit(FanoutCommand.commandLine(env).execute(args));
    }
}
