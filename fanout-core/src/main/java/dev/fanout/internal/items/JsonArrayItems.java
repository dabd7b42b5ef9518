package dev.fanout.internal.items;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A JSON items file: one array of objects, streamed element by element. */
final class JsonArrayItems extends ItemFile {
    private JsonParser parser;
    private int element;

    JsonArrayItems(Path file) {
        super(file);
    }

    @Override
    protected Map<String, String> read(BufferedReader in) throws IOException {
        try {
            if (parser == null) {
                parser = JsonItems.JSON.createParser(in);
                if (parser.nextToken() != JsonToken.START_ARRAY) {
                    throw new BadInputException(file + ": expected a JSON array of objects ([{...}, ...]);"
                            + " for one object per line name the file .jsonl");
                }
            }
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new BadInputException(file + ": the JSON array is never closed");
            }
            if (token == JsonToken.END_ARRAY) {
                if (parser.nextToken() != null) {
                    throw new BadInputException(file + " line " + parser.currentTokenLocation().getLineNr()
                            + ": unexpected content after the array");
                }
                return null;
            }
            int line = parser.currentTokenLocation().getLineNr();
            JsonNode node = parser.readValueAsTree();
            return JsonItems.item(file + " element " + element++ + " (line " + line + ")", node);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadInputException(file + (at == null ? "" : " line " + at.getLineNr() + " column " + at.getColumnNr())
                    + ": malformed JSON: " + dev.fanout.ErrorInfo.firstLine(e.getOriginalMessage()));
        }
    }
}
