package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trainyard.scheduler.service.ExperimentSpec;
import io.trainyard.scheduler.service.InvalidRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an experiment spec written in YAML ({@value #MEDIA_TYPE}) with the application's JSON settings, so that a
 * YAML spec is held to exactly the rules of a JSON one.
 *
 * <p>The parser is bounded: few aliases, shallow nesting, a limited document size and no duplicate keys, so that a
 * hostile document (a "billion laughs" of nested aliases) is refused instead of expanded.
 */
@Provider
@Consumes({YamlSpecReader.MEDIA_TYPE, YamlSpecReader.LEGACY_MEDIA_TYPE})
public class YamlSpecReader implements MessageBodyReader<ExperimentSpec> {

    public static final String MEDIA_TYPE = "application/yaml";
    static final String LEGACY_MEDIA_TYPE = "application/x-yaml";

    /** A spec needs none; a few are harmless. */
    private static final int MAX_ALIASES = 10;
    private static final int MAX_DEPTH = 20;
    private static final int MAX_CODE_POINTS = 1_000_000;

    private final ObjectMapper yaml;

    public YamlSpecReader(ObjectMapper json) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        this.yaml = json.copyWith(YAMLFactory.builder().loaderOptions(options).build());
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == ExperimentSpec.class && mediaType != null && mediaType.getSubtype().contains("yaml");
    }

    /** An empty body reads as null, which the spec validation answers like a missing JSON body. */
    @Override
    public ExperimentSpec readFrom(Class<ExperimentSpec> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, String> headers, InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            return yaml.readValue(bytes, ExperimentSpec.class);
        } catch (YAMLException e) {
            // A limit of the parser (aliases, depth, size) that Jackson did not wrap.
            throw new InvalidRequestException("body", "not an acceptable YAML document: " + e.getMessage());
        }
    }
}
