package io.trainyard.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * JSON encoding of every message on the broker, with the schema version check.
 *
 * <p>Every message is an object with a {@code schemaVersion}; a reader accepts versions up to its own and ignores
 * properties it does not know, so a newer writer can add fields without breaking older readers.
 */
public final class Messages {

    /** Version of the message schema this build writes. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private Messages() {
    }

    /** The mapper used for messages; share it rather than configuring another. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Encodes a command. */
    public static byte[] encode(TrainRun command) {
        return write(MAPPER.valueToTree(command));
    }

    /** Encodes an event, adding its schema version. */
    public static byte[] encode(RunEvent event) {
        ObjectNode node = MAPPER.valueToTree(event);
        node.put("schemaVersion", SCHEMA_VERSION);
        return write(node);
    }

    /** Encodes a control signal. */
    public static byte[] encode(CancelRuns signal) {
        return write(MAPPER.valueToTree(signal));
    }

    /** Decodes a control signal or says precisely why it cannot. */
    public static CancelRuns decodeControl(byte[] body) {
        return read(body, CancelRuns.class);
    }

    /** Decodes a command or says precisely why it cannot. */
    public static TrainRun decodeCommand(byte[] body) {
        return read(body, TrainRun.class);
    }

    /** Decodes an event or says precisely why it cannot. */
    public static RunEvent decodeEvent(byte[] body) {
        return read(body, RunEvent.class);
    }

    private static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode message", e);
        }
    }

    private static <T> T read(byte[] body, Class<T> type) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidMessageException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidMessageException("expected a JSON object", null);
        }
        JsonNode version = node.get("schemaVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new InvalidMessageException("missing schemaVersion", null);
        }
        if (version.asInt() > SCHEMA_VERSION || version.asInt() < 1) {
            throw new InvalidMessageException("schemaVersion " + version.asInt()
                    + " is not supported (this build reads 1 to " + SCHEMA_VERSION + ")", null);
        }
        try {
            return MAPPER.treeToValue(node, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InvalidMessageException("invalid " + type.getSimpleName() + ": " + cause.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidMessageException("invalid " + type.getSimpleName() + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }
}
