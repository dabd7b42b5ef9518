package dev.fanout.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Columns as wide as their widest cell, two spaces apart: a long value pushes the next column instead of running into it. */
class TextTableTest {
    @Test
    void aLongCellWidensItsColumnAndNumbersAlignRight() {
        String text = new TextTable("BATCH", "NOT SUCCEEDED", "TIME>", "EXEC>")
                .row("20261130-102941-6d99", "1 failed, 2 timed out, 3 cancelled, 40 skipped", "1m05s", 2)
                .row("b", "-", "0.5s", 10)
                .render("");
        assertThat(text.split("\n")).containsExactly(
                "BATCH                 NOT SUCCEEDED                                    TIME  EXEC",
                "20261130-102941-6d99  1 failed, 2 timed out, 3 cancelled, 40 skipped  1m05s     2",
                "b                     -                                                0.5s    10");
    }
}
