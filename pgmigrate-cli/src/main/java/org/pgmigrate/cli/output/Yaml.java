package org.pgmigrate.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;

/**
 * {@code --output yaml} in the shape of az's {@code yaml.safe_dump(default_flow_style=False)}: block style, list
 * items at their key's indentation, no document marker, quotes only where a plain scalar would read as something
 * else (a number, true/false, null, an empty string). Thread-safe (Jackson's writers are immutable).
 */
final class Yaml {

    private static final ObjectWriter WRITER = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.INDENT_ARRAYS)
            .build()).writer();

    private Yaml() {
    }

    static String render(JsonNode node) {
        try {
            return WRITER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
