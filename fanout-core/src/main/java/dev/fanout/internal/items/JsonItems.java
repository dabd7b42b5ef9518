package dev.fanout.internal.items;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fanout.BadInputException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What JSON Lines and JSON-array items share: one object per item, whose values are strings, numbers or booleans. */
final class JsonItems {
    /** A name given twice in one object is an error, not "the last one wins". */
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private JsonItems() {}

    /** The item of one JSON object; {@code where} names it in messages. A {@code null} value leaves the parameter out. */
    static Map<String, String> item(String where, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new BadInputException(where + ": expected a JSON object ({\"name\": \"value\", ...}), got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        Map<String, String> item = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isContainerNode()) {
                throw new BadInputException(where + ": field '" + field.getKey() + "' is " + (v.isArray() ? "an array" : "an object")
                        + "; parameter values must be strings, numbers or booleans");
            }
            item.put(field.getKey(), v.asText());
        }
        return Collections.unmodifiableMap(item);
    }

}
