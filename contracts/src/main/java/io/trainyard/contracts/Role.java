package io.trainyard.contracts;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The roles a bearer token may carry (its {@code groups} claim), strongest first: an {@code admin} may do
 * everything, a {@code researcher} submits and manages their own experiments and datasets and reads shared ones, a
 * {@code viewer} only reads shared ones.
 */
public enum Role {
    ADMIN,
    RESEARCHER,
    VIEWER;

    public static final String ADMIN_NAME = "admin";
    public static final String RESEARCHER_NAME = "researcher";
    public static final String VIEWER_NAME = "viewer";

    /** The name in tokens and on the command line. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The strongest of the known roles among {@code groups}; empty when none is known. */
    public static Optional<Role> strongest(Collection<String> groups) {
        for (Role role : values()) {
            if (groups.contains(role.wire())) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    public static Optional<Role> of(String name) {
        for (Role role : values()) {
            if (role.wire().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
