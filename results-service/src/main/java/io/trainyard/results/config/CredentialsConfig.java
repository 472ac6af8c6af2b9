package io.trainyard.results.config;

import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The credentials this service needs ({@code trainyard.credentials.*}), read once at startup so that a missing one
 * stops the service before anything connects, with the setting to provide in the message. Each is an expression over
 * the setting the client reads (application.properties), ending in the environment variable to set; only the dev
 * and test profiles have local defaults. S3's keys are required by {@code trainyard.s3} itself.
 */
@ConfigMapping(prefix = "trainyard.credentials")
public interface CredentialsConfig {

    /** {@code rabbitmq-username}, env {@code RABBITMQ_USERNAME}. */
    String rabbitmqUsername();

    /** {@code rabbitmq-password}, env {@code RABBITMQ_PASSWORD}. */
    String rabbitmqPassword();

    /** {@code quarkus.datasource.username}, env {@code QUARKUS_DATASOURCE_USERNAME}. */
    String databaseUsername();

    /** {@code quarkus.datasource.password}, env {@code QUARKUS_DATASOURCE_PASSWORD}. */
    String databasePassword();

    /** Where the token verification key is: {@code mp.jwt.verify.publickey.location} or the key itself. */
    String jwtPublicKey();

    /**
     * Injects the mapping, which is what makes Quarkus read and check it with the rest of the configuration at
     * startup; an interface nobody injects is never checked.
     */
    @Startup
    @ApplicationScoped
    class Check {

        Check(CredentialsConfig credentials) {
            // nothing to do: a missing credential has already stopped the service
        }
    }
}
