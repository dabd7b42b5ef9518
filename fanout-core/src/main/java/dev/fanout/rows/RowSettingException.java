package dev.fanout.rows;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A setting of a row fan-out is bad: thrown by the builders and factories of this package before any call is made.
 *
 * <p>{@link #setting()} is the name of the setting as the API spells it ({@code rate}, {@code url}, {@code field},
 * {@code input}, {@code outputFormat}…), and the message starts with that name, then says what is wrong and with
 * which value ({@code "rate must be a positive number of calls per second, got 0.0"}). A front end with its own names
 * for the settings (the command line's options) renders the same message with them through {@link #message}, by a
 * table from setting to option, instead of parsing the text. A message may name one more setting, as the fix
 * ({@code "... or give overwrite"}); it is renamed the same way.
 */
public final class RowSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String detail;
    private final String fix;
    private final String tail;

    /** {@code detail} follows the setting's name: {@code " must be at least 1, got 0"}, {@code ": URL template …"}. */
    public RowSettingException(String setting, String detail) {
        this(setting, detail, null, "");
    }

    /** As above, with another setting named after {@code detail} (the fix) and {@code tail} after it. */
    RowSettingException(String setting, String detail, String fix, String tail) {
        super(setting + detail + (fix == null ? "" : fix + tail));
        this.setting = Objects.requireNonNull(setting, "setting");
        this.detail = detail;
        this.fix = fix;
        this.tail = tail;
    }

    /** The bad setting, as the API names it. */
    public String setting() {
        return setting;
    }

    /** The message with each setting's name replaced by {@code names.apply(name)} (e.g. {@code rate -> --rate}). */
    public String message(UnaryOperator<String> names) {
        return names.apply(setting) + detail + (fix == null ? "" : names.apply(fix) + tail);
    }
}
