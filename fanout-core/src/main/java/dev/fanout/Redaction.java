package dev.fanout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which parameters are secrets, and how to keep them out of everything fanout writes: the Spark job
 * description, logs, history, JSON output and reports. A parameter is a secret when its <em>name</em>
 * matches the pattern anywhere (case-insensitive by default); its value is replaced by {@value #MASK},
 * and wherever else the value appears verbatim (an error message, a stack trace, an exit value) it is
 * masked too. The job itself always gets the real value.
 */
public final class Redaction {
    /** The default: names containing password, secret, token, key or credential, in any case. */
    public static final String DEFAULT_PATTERN = "(?i)password|passwd|secret|token|key|credential";
    public static final String MASK = "***";
    /** Values shorter than this are masked as parameters but not searched for in free text (too many false hits). */
    private static final int MIN_SCRUB_LENGTH = 4;

    private static final Redaction DEFAULT = new Redaction(Pattern.compile(DEFAULT_PATTERN));
    private static final Redaction NONE = new Redaction(null);

    private final Pattern names;

    private Redaction(Pattern names) {
        this.names = names;
    }

    public static Redaction defaults() {
        return DEFAULT;
    }

    /** Nothing is redacted. */
    public static Redaction none() {
        return NONE;
    }

    /**
     * Parameters whose name matches {@code regex} (a {@link Pattern}, searched anywhere in the name) are secrets.
     *
     * @throws IllegalArgumentException naming the pattern when it is not a valid regular expression
     */
    public static Redaction of(String regex) {
        Objects.requireNonNull(regex, "regex");
        try {
            return new Redaction(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("secret name pattern '" + regex + "' is not a regular expression: "
                    + e.getDescription(), e);
        }
    }

    /** Parameters whose name matches {@code names} (searched anywhere in the name, with the pattern's own flags) are secrets. */
    public static Redaction of(Pattern names) {
        return new Redaction(Objects.requireNonNull(names, "names"));
    }

    public String pattern() {
        return names == null ? "" : names.pattern();
    }

    public boolean isSecret(String name) {
        return names != null && names.matcher(name).find();
    }

    /** A copy of {@code params} in the same order, secret values masked. */
    public Map<String, String> params(Map<String, String> params) {
        if (names == null) {
            return params;
        }
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }

    /** {@code text} with every secret value of {@code params} masked; null stays null. */
    public String scrub(String text, Map<String, String> params) {
        if (text == null || names == null) {
            return text;
        }
        List<String> secrets = new ArrayList<>();
        params.forEach((k, v) -> {
            if (isSecret(k) && v.length() >= MIN_SCRUB_LENGTH) {
                secrets.add(v);
            }
        });
        secrets.sort(Comparator.comparingInt(String::length).reversed()); // a longer secret first, if one contains another
        for (String s : secrets) {
            text = text.replace(s, MASK);
        }
        return text;
    }

    public ErrorInfo error(ErrorInfo e, Map<String, String> params) {
        return e == null ? null : new ErrorInfo(e.type(), scrub(e.message(), params), scrub(e.stackTrace(), params));
    }

    /** The run as it may be shown or stored: secret parameters masked, and secret values masked in its texts. */
    public RunResult run(RunResult r) {
        if (names == null) {
            return r;
        }
        Map<String, String> p = r.params();
        List<Attempt> attempts = r.attempts().stream().map(a -> new Attempt(a.number(), a.jobGroup(), a.slot(),
                a.startedAt(), a.endedAt(), a.outcome(), error(a.error(), p), a.metrics())).toList();
        return new RunResult(r.index(), r.runId(), params(p), r.outcome(), scrub(r.exitValue(), p), attempts,
                r.startedAt(), r.endedAt(), error(r.error(), p));
    }

    /** The batch with every run redacted. */
    public BatchResult batch(BatchResult b) {
        if (names == null) {
            return b;
        }
        return b.withRuns(b.runs().stream().map(this::run).toList());
    }

    @Override
    public String toString() {
        return names == null ? "Redaction[none]" : "Redaction[" + names.pattern() + "]";
    }
}
