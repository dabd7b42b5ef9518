package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemsTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    // ---- CSV ----

    @Test
    void anEmptyCsvCellIsAnAbsentParameterSoTheJobsDefaultApplies() throws IOException {
        Path f = file("items.csv", "day,flaky,note\n2024-01-01,,x\n2024-01-02,true,\"\"\n");
        assertThat(Items.csv(f).toList()).containsExactly(
                Map.of("day", "2024-01-01", "note", "x"),
                // A quoted empty cell is the empty string: the one way to pass "" from CSV.
                Map.of("day", "2024-01-02", "flaky", "true", "note", ""));
    }

    @Test
    void aQuotedCsvCellHoldsCommaQuoteAndNewlineAndErrorsAfterItNameTheRightLine() throws IOException {
        Path f = file("items.csv", "day,note\r\n2024-01-01,\"a, \"\"quoted\"\"\nnote\"\r\n\r\n2024-01-02,plain\r\n2024-01-03\r\n");
        Iterator<Map<String, String>> it = Items.csv(f).iterator();
        assertThat(it.next()).containsExactly(Map.entry("day", "2024-01-01"), Map.entry("note", "a, \"quoted\"\nnote"));
        assertThat(it.next()).containsExactly(Map.entry("day", "2024-01-02"), Map.entry("note", "plain"));
        // The quoted line break counts: the short record is on line 6 of the file.
        assertThatThrownBy(it::hasNext).isInstanceOf(BadInputException.class)
                .hasMessage(f + " line 6: 1 field(s) but the header has 2 (day,note)");
    }

    @Test
    void csvMistakesNameFileLineAndField() throws IOException {
        Path unclosed = file("open.csv", "day\n\"2024-01-01\n");
        assertThatThrownBy(() -> Items.csv(unclosed).toList()).hasMessage(unclosed + " line 2: a quoted field is never closed");
        Path dup = file("dup.csv", "day,day\n1,2\n");
        assertThatThrownBy(() -> Items.csv(dup).toList()).hasMessage(dup + " line 1: header column 'day' appears twice");
        Path stray = file("stray.csv", "day,note\n1,a\"b\n");
        assertThatThrownBy(() -> Items.csv(stray).toList()).hasMessageStartingWith(stray + " line 2: a quote inside an unquoted field (field 2)");
        Path headerOnly = file("header.csv", "day\n\n");
        assertThatThrownBy(() -> Items.csv(headerOnly).toList()).hasMessage("items file '" + headerOnly + "' has no items");
        Path empty = file("empty.csv", "");
        assertThatThrownBy(() -> Items.csv(empty).toList()).hasMessageStartingWith("items file '" + empty + "' is empty");
    }

    @Test
    void aFileIsReadAsItemsAreConsumedNotBeforehand() throws IOException {
        Path f = file("items.csv", "n\n1\n2\n3,extra\n");
        Items items = Items.file(f);
        Iterator<Map<String, String>> it = items.iterator();
        assertThat(it.next()).isEqualTo(Map.of("n", "1"));
        assertThat(it.next()).isEqualTo(Map.of("n", "2"));
        assertThatThrownBy(it::next).hasMessageContaining("line 4");
        assertThat(items.size()).isEqualTo(OptionalLong.empty());
        assertThatThrownBy(items::toList).isInstanceOf(BadInputException.class).hasMessageContaining("line 4");
    }

    @Test
    void aByteOrderMarkIsSkippedAndTextThatIsNotUtf8IsNamed() throws IOException {
        Path bom = file("bom.csv", "\uFEFFday\n2024-01-01\n");
        assertThat(Items.csv(bom).toList()).containsExactly(Map.of("day", "2024-01-01"));
        Path latin1 = Files.write(dir.resolve("latin1.csv"), "city\nK\u00f6ln\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Items.csv(latin1).toList()).hasMessage("items file '" + latin1 + "' is not UTF-8 text");
    }

    // ---- JSON ----

    @Test
    void aJsonLinesErrorNamesLineThreeCountingBlankLines() throws IOException {
        Path f = file("items.jsonl", "{\"day\": \"2024-01-01\"}\n\n{\"day\": \"2024-01-02\",}\n");
        Iterator<Map<String, String>> it = Items.jsonLines(f).iterator();
        assertThat(it.next()).isEqualTo(Map.of("day", "2024-01-01"));
        assertThatThrownBy(it::next).isInstanceOf(BadInputException.class).hasMessageStartingWith(f + " line 3: malformed JSON: ");
    }

    @Test
    void jsonValuesAreTextNullIsAbsentAndContainersAndDuplicatesAreRefused() throws IOException {
        Path f = file("items.ndjson", "{\"n\": 7, \"ok\": true, \"skip\": null, \"s\": \"x\"}\n");
        assertThat(Items.file(f).toList()).containsExactly(Map.of("n", "7", "ok", "true", "s", "x"));
        Path nested = file("nested.jsonl", "{\"day\": [1]}\n");
        assertThatThrownBy(() -> Items.jsonLines(nested).toList()).hasMessage(nested
                + " line 1: field 'day' is an array; parameter values must be strings, numbers or booleans");
        Path dup = file("dup.jsonl", "{\"a\": 1, \"a\": 2}\n");
        assertThatThrownBy(() -> Items.jsonLines(dup).toList()).hasMessageContaining("line 1: malformed JSON: Duplicate field 'a'");
    }

    @Test
    void aJsonArrayIsStreamedAndItsErrorsNameElementAndLine() throws IOException {
        Path good = file("items.json", "[\n  {\"day\": \"2024-01-01\"},\n  {\"day\": \"2024-01-02\"}\n]\n");
        assertThat(Items.json(good).toList()).extracting(m -> m.get("day")).containsExactly("2024-01-01", "2024-01-02");
        Path scalar = file("scalar.json", "[\n  {\"day\": \"2024-01-01\"},\n  \"oops\"\n]\n");
        assertThatThrownBy(() -> Items.json(scalar).toList())
                .hasMessage(scalar + " element 1 (line 3): expected a JSON object ({\"name\": \"value\", ...}), got string");
        Path object = file("object.json", "{\"day\": \"2024-01-01\"}");
        assertThatThrownBy(() -> Items.json(object).toList()).hasMessageStartingWith(object + ": expected a JSON array of objects");
        Path trailing = file("trailing.json", "[{\"n\": 1}]\n[]\n");
        assertThatThrownBy(() -> Items.json(trailing).toList()).hasMessage(trailing + " line 2: unexpected content after the array");
        Path emptyArray = file("none.json", "[]");
        assertThatThrownBy(() -> Items.json(emptyArray).toList()).hasMessage("items file '" + emptyArray + "' has no items");
    }

    // ---- choosing the format ----

    @Test
    void aMissingFileSaysSoBeforeAnyComplaintAboutItsExtension() {
        Path missing = dir.resolve("days.txt");
        assertThatThrownBy(() -> Items.file(missing)).isInstanceOf(BadInputException.class)
                .hasMessage("items file '" + missing + "' does not exist");
        assertThatThrownBy(() -> Items.file(missing, "xml")).hasMessage("items file '" + missing + "' does not exist");
        assertThatThrownBy(() -> Items.csv(dir)).hasMessage("items file '" + dir + "' is a directory, not a file");
    }

    @Test
    void theFormatComesFromTheExtensionOrIsNamed() throws IOException {
        Path txt = file("days.txt", "{\"day\": \"2024-01-01\"}\n");
        assertThatThrownBy(() -> Items.file(txt)).hasMessageStartingWith("cannot tell the format of items file '" + txt + "' from its extension");
        assertThat(Items.file(txt, "JSONL").toList()).containsExactly(Map.of("day", "2024-01-01"));
        assertThatThrownBy(() -> Items.file(txt, "xml")).hasMessage("format 'xml' of items file '" + txt + "' is not one of csv, jsonl, json");
    }

    // ---- ranges ----

    @Test
    void rangesAreInclusiveComputedAndKnowTheirSize() {
        Items days = Items.parseRange("day=2024-01-30..2024-02-08:3");
        assertThat(days.toList()).extracting(m -> m.get("day")).containsExactly("2024-01-30", "2024-02-02", "2024-02-05", "2024-02-08");
        assertThat(days.size()).isEqualTo(OptionalLong.of(4));
        assertThat(days.source()).isEqualTo("--range day=2024-01-30..2024-02-08:3");
        assertThat(Items.range("n", 1, 10, 4)).extracting(m -> m.get("n")).containsExactly("1", "5", "9");
        assertThat(Items.range("day", LocalDate.of(2024, 2, 28), LocalDate.of(2024, 3, 1)).source())
                .isEqualTo("--range day=2024-02-28..2024-03-01");
        // Ten million days would not fit in memory as maps; computed, they cost nothing until asked for.
        Items big = Items.range("n", 1, 10_000_000);
        assertThat(big.toList().get(9_999_999)).isEqualTo(Map.of("n", "10000000"));
    }

    @Test
    void rangeMistakesAreNamed() {
        assertThatThrownBy(() -> Items.parseRange("day=2024-01-10..2024-01-01"))
                .hasMessage("--range 'day=2024-01-10..2024-01-01': FROM 2024-01-10 is after TO 2024-01-01");
        assertThatThrownBy(() -> Items.parseRange("day=2024-01-01..7"))
                .hasMessageStartingWith("--range 'day=2024-01-01..7': FROM and TO must both be ISO dates");
        // a date that is written as one but does not exist names the calendar rule it breaks
        assertThatThrownBy(() -> Items.parseRange("day=2024-02-30..2024-03-02"))
                .hasMessage("--range 'day=2024-02-30..2024-03-02': 2024-02-30 is not a date (February has 28 or 29 days)");
        assertThatThrownBy(() -> Items.parseRange("day=2023-02-01..2023-02-29"))
                .hasMessage("--range 'day=2023-02-01..2023-02-29': 2023-02-29 is not a date (2023 is not a leap year: February has 28 days)");
        assertThatThrownBy(() -> Items.parseRange("day=2024-04-31..2024-05-02"))
                .hasMessage("--range 'day=2024-04-31..2024-05-02': 2024-04-31 is not a date (April has 30 days)");
        assertThatThrownBy(() -> Items.parseRange("day=2024-13-01..2024-12-31"))
                .hasMessage("--range 'day=2024-13-01..2024-12-31': 2024-13-01 is not a date (months are 01 to 12)");
        assertThat(Items.parseRange("day=2024-02-28..2024-02-29").toList()).hasSize(2); // a leap day is a date
        assertThatThrownBy(() -> Items.parseRange("n=1..10:0")).hasMessage("--range 'n=1..10:0': STEP must be 1 or more, got 0");
        assertThatThrownBy(() -> Items.parseRange("n=1..10:x")).hasMessage("--range 'n=1..10:x': STEP 'x' is not a whole number");
        assertThatThrownBy(() -> Items.parseRange("n=1-10")).hasMessageStartingWith("--range 'n=1-10': expected name=FROM..TO");
        assertThatThrownBy(() -> Items.parseRange("n=0..9223372036854775807"))
                .hasMessageContaining("items; at most 10000000 are allowed");
        assertThatThrownBy(() -> Items.range("n", 5, 1)).hasMessage("--range 'n=5..1': FROM 5 is greater than TO 1");
        assertThatThrownBy(() -> Items.range("a day", 1, 2)).hasMessageStartingWith("--range 'a day=1..2': the name must start");
    }

    // ---- constants ----

    @Test
    void constantsAreAddedToEveryItemAndACollisionOrEmptyNameIsNamed() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("env", "prod");
        Items withEnv = Items.withConstants(Items.parseRange("n=1..2"), env, "-p");
        assertThat(withEnv.toList()).containsExactly(Map.of("n", "1", "env", "prod"), Map.of("n", "2", "env", "prod"));
        assertThat(withEnv.constants()).isEqualTo(Map.of("env", "prod"));
        assertThat(withEnv.size()).isEqualTo(OptionalLong.of(2));

        assertThatThrownBy(() -> Items.withConstants(Items.parseRange("n=1..2"), Map.of("n", "5"), "-p"))
                .hasMessage("-p n=5 collides with parameter 'n' of the items in --range n=1..2; give it in one place only");
        assertThatThrownBy(() -> Items.withConstants(Items.of(List.of(Map.of("a", "1"))), Map.of("", "x")))
                .hasMessage("constant '=x': the parameter name is empty");

        // In a file the collision is found when the item is read, before toList returns.
        Path f = file("days.csv", "day\n2024-01-01\n");
        Items fromFile = Items.withConstants(Items.csv(f), Map.of("day", "2024-02-02"), "-p");
        assertThatThrownBy(fromFile::toList)
                .hasMessage("-p day=2024-02-02 collides with parameter 'day' of the items in '" + f + "'; give it in one place only");
    }

    @Test
    void listsAreCopiedAndNullValuesAreAbsent() {
        Map<String, String> item = new LinkedHashMap<>();
        item.put("day", "2024-01-01");
        item.put("flaky", null);
        List<Map<String, String>> given = new java.util.ArrayList<>(List.of(item));
        Items items = Items.of(given, "the demo's days");
        given.clear();
        assertThat(items.toList()).containsExactly(Map.of("day", "2024-01-01"));
        assertThat(items.source()).isEqualTo("the demo's days");
        assertThatThrownBy(() -> Items.withConstants(items, Map.of("day", "x")))
                .hasMessage("constant day=x collides with parameter 'day' of the items in the demo's days; give it in one place only");
    }

    @Test
    void aFileRecordsItsAbsolutePath() throws IOException {
        Path f = file("items.csv", "n\n1\n");
        Path relative = Path.of("").toAbsolutePath().relativize(f);
        assertThat(Items.csv(relative).source()).isEqualTo(f.toString());
    }
}
