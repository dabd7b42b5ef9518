package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The one cause-chain walk and first-line cut. */
class ErrorInfoTest {

    @Test
    void theRootCauseIsTheInnermostAndCyclesEndTheWalk() {
        IOException io = new IOException("disk full");
        RuntimeException outer = new CompletionException(new UncheckedIOException("write failed", io));
        assertThat(ErrorInfo.rootCause(outer)).isSameAs(io);
        assertThat(ErrorInfo.causeChain(outer)).hasSize(3).startsWith(outer).endsWith(io);
        RuntimeException alone = new IllegalStateException("alone");
        assertThat(ErrorInfo.rootCause(alone)).isSameAs(alone);
        assertThat(ErrorInfo.rootCause(null)).isNull();

        // a cycle of two (a cause set after the fact) does not loop forever
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        assertThat(ErrorInfo.causeChain(a)).containsExactly(a, b);
        assertThat(ErrorInfo.rootCause(a)).isSameAs(b);
    }

    @Test
    void firstLineCutsAtTheFirstLineBreak() {
        assertThat(ErrorInfo.firstLine("one\ntwo")).isEqualTo("one");
        assertThat(ErrorInfo.firstLine("one\r\ntwo")).isEqualTo("one");
        assertThat(ErrorInfo.firstLine("just one")).isEqualTo("just one");
        assertThat(ErrorInfo.firstLine("")).isEmpty();
        assertThat(ErrorInfo.firstLine(null)).isEqualTo("null");
        assertThat(ErrorInfo.of(new IllegalStateException("bad\nat line 2")).firstLine()).isEqualTo("bad");
        assertThat(ErrorInfo.of(new IllegalStateException()).firstLine()).isEqualTo("java.lang.IllegalStateException");
    }
}
