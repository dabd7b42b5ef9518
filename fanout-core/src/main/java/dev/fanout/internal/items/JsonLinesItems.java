package dev.fanout.internal.items;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A JSON Lines items file: one JSON object per line; blank lines are skipped. */
final class JsonLinesItems extends ItemFile {
    private int line;

    JsonLinesItems(Path file) {
        super(file);
    }

    @Override
    protected Map<String, String> read(BufferedReader in) throws IOException {
        String text;
        do {
            text = in.readLine();
            line++;
        } while (text != null && text.isBlank());
        if (text == null) {
            return null;
        }
        String where = file + " line " + line;
        JsonNode node;
        try {
            node = JsonItems.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + ": malformed JSON: " + dev.fanout.ErrorInfo.firstLine(e.getOriginalMessage()));
        }
        return JsonItems.item(where, node);
    }
}
