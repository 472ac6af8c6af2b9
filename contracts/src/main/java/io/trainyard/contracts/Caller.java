package io.trainyard.contracts;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who makes a request, and the one place that says what they may do with an experiment or a dataset. The scheduler
 * and the results service both decide with these rules, so that they never disagree.
 *
 * <p>Things made before owners were recorded have no owner ({@code owner == null}): they stay readable by everyone,
 * as they were, and only an admin may change them.
 *
 * @param user the user name from the token (its {@code upn}, else its {@code sub})
 * @param role the strongest role the token carries
 */
public record Caller(String user, Role role) {

    /** User names as owners are stored: no spaces, no slashes, at most 100 characters. */
    public static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}");

    public Caller {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user name '" + user + "' is not acceptable: 1 to 100 letters, digits, "
                    + "'.', '_', '@', '+' or '-', starting with a letter or digit");
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** May submit experiments and upload datasets. */
    public boolean canCreate() {
        return role == Role.ADMIN || role == Role.RESEARCHER;
    }

    /** May see something owned by {@code owner} with this visibility (null visibility: private). */
    public boolean canRead(String owner, Visibility visibility) {
        return isAdmin() || owner == null || user.equals(owner) || visibility == Visibility.SHARED;
    }

    /** May cancel or replace something owned by {@code owner}. */
    public boolean canChange(String owner) {
        return isAdmin() || (role == Role.RESEARCHER && user.equals(owner));
    }
}
