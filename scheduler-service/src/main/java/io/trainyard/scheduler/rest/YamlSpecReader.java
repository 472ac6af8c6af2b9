package io.trainyard.scheduler.rest;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
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
 * <p>The parser is bounded: no aliases, shallow nesting, a limited document size and no duplicate keys, so that a
 * hostile document (a "billion laughs" of nested aliases) is refused instead of expanded. Jackson reads YAML event
 * by event and never applies SnakeYAML's composer limits on aliases and depth: it reads an alias as its anchor's
 * name, so {@code timeColumn: *t} would quietly become "t". Depth is therefore Jackson's own limit, and a walk over
 * the tokens refuses any alias.
 */
@Provider
@Consumes({YamlSpecReader.MEDIA_TYPE, YamlSpecReader.LEGACY_MEDIA_TYPE})
public class YamlSpecReader implements MessageBodyReader<ExperimentSpec> {

    public static final String MEDIA_TYPE = "application/yaml";
    static final String LEGACY_MEDIA_TYPE = "application/x-yaml";

    private static final int MAX_DEPTH = 20;
    private static final int MAX_CODE_POINTS = 1_000_000;

    private final ObjectMapper yaml;

    public YamlSpecReader(ObjectMapper json) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        this.yaml = json.copyWith(YAMLFactory.builder().loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build());
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
            refuseAliases(bytes);
            return yaml.readValue(bytes, ExperimentSpec.class);
        } catch (YAMLException e) {
            // A limit of SnakeYAML's scanner (the document's size) that Jackson did not wrap.
            throw new InvalidRequestException("body", "not an acceptable YAML document: " + e.getMessage());
        }
    }

    /** A spec needs no alias, and Jackson would misread one (as its anchor's name) rather than expand it. */
    private void refuseAliases(byte[] bytes) throws IOException {
        try (YAMLParser parser = (YAMLParser) yaml.createParser(bytes)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias()) {
                    throw new InvalidRequestException("body", "YAML aliases (*" + parser.getText() + ") are not "
                            + "accepted in a spec: write the value out");
                }
            }
        }
    }
}
