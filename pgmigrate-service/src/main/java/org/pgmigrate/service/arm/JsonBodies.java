package org.pgmigrate.service.arm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/** Reads request bodies into JSON trees and writes response trees. Thread-safe. */
public final class JsonBodies {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {
    }

    /** The body as a JSON object; a 400 InvalidRequestContent for an empty body, bad JSON or a non-object. */
    public static ObjectNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT,
                    "The request content was empty. Send a JSON object, such as {\"properties\": {...}}.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "The request content was invalid and could "
                    + "not be deserialized: " + withoutTokens(e.getOriginalMessage()) + where
                    + ". Make sure that the JSON content is properly formatted.");
        }
        if (node == null || !node.isObject()) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "The request content must be a JSON object, "
                    + "was " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()) + ".");
        }
        return (ObjectNode) node;
    }

    /** Jackson quotes the offending token, which may be a password typed without quotes: never echo it. */
    private static String withoutTokens(String message) {
        return message.replaceAll("'[^']{4,}'", "'...'").replaceAll("\\s+", " ").trim();
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }
}
