package io.trainyard.results.rest;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.trainyard.contracts.Caller;
import io.trainyard.contracts.Role;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@link Caller} of the current request, from its verified token: the user is the token's {@code upn} (else its
 * {@code sub}), the role the strongest known one of its {@code groups}. Read reactively: authentication is not
 * proactive here (so that its failures reach {@link ProblemMapper}), and the identity must not be awaited on the
 * event loop.
 */
@ApplicationScoped
public class Callers {

    private final CurrentIdentityAssociation identities;

    public Callers(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    public Uni<Caller> current() {
        return identities.getDeferredIdentity().map(Callers::of);
    }

    /** For blocking endpoints, on a worker thread. */
    public Caller currentBlocking() {
        return of(identities.getIdentity());
    }

    static Caller of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw new io.quarkus.security.UnauthorizedException("a bearer token is required");
        }
        Role role = Role.strongest(identity.getRoles()).orElseThrow(() -> new ForbiddenException(
                "the token carries none of the roles admin, researcher, viewer"));
        try {
            return new Caller(identity.getPrincipal().getName(), role);
        } catch (IllegalArgumentException e) {
            throw new ForbiddenException("the token's user name is not acceptable: " + e.getMessage());
        }
    }
}
