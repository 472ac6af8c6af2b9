package io.trainyard.scheduler.rest;

import io.trainyard.scheduler.config.ApiConfig;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Holds JSON and YAML bodies to {@code trainyard.api.max-body-size}, far below the HTTP server's limit, which must
 * let dataset uploads (CSV, their own limit) through. A declared length over the limit is refused before the body
 * is read; a body without one (chunked) is cut off while it is parsed.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {

    private final long maxBytes;

    public BodyLimit(ApiConfig config) {
        this.maxBytes = config.maxBodySize().asLongValue();
    }

    @ServerRequestFilter
    public Optional<Response> declaredLength(ContainerRequestContext request) {
        if (limited(request.getMediaType()) && request.getLength() > maxBytes) {
            return Optional.of(Problem.of(413, tooLarge().getMessage()).toResponse());
        }
        return Optional.empty();
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (limited(context.getMediaType())) {
            context.setInputStream(new Bounded(context.getInputStream(), maxBytes));
        }
        return context.proceed();
    }

    /**
     * Everything but the raw bodies of dataset uploads: a concrete {@code text/...} or
     * {@code application/octet-stream}. A wildcard type or subtype ({@code application/*} and the like) is no upload
     * type: the JSON endpoints accept it, so it must not let a body past the limit.
     */
    private static boolean limited(MediaType type) {
        if (type == null) {
            return false;
        }
        boolean upload = !type.isWildcardType() && !type.isWildcardSubtype()
                && (type.getType().equalsIgnoreCase("text")
                        || type.isCompatible(MediaType.APPLICATION_OCTET_STREAM_TYPE));
        return !upload;
    }

    private WebApplicationException tooLarge() {
        return new WebApplicationException("the body is larger than " + maxBytes + " bytes "
                + "(trainyard.api.max-body-size); a spec is far smaller: check what is being sent",
                Response.Status.REQUEST_ENTITY_TOO_LARGE);
    }

    private final class Bounded extends FilterInputStream {

        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) {
                throw tooLarge();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0 && (left -= n) < 0) {
                throw tooLarge();
            }
            return n;
        }
    }
}
