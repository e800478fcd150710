package org.pgmigrate.cli.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.pgmigrate.cli.output.Json;

/** az's {@code --tags key[=value] ...}: a key alone gets an empty value; a single "" clears the tags. */
public final class Tags {

    private Tags() {
    }

    public static ObjectNode parse(List<String> tags) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (String tag : tags) {
            if (tag.isEmpty()) {
                continue;
            }
            int eq = tag.indexOf('=');
            if (eq < 0) {
                node.put(tag, "");
            } else {
                node.put(tag.substring(0, eq), tag.substring(eq + 1));
            }
        }
        return node;
    }
}
