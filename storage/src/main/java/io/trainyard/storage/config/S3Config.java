package io.trainyard.storage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the services find the bucket ({@code trainyard.s3.*}). */
@ConfigMapping(prefix = "trainyard.s3")
public interface S3Config {

    /** S3 endpoint URL (S3Proxy locally, MinIO in Kubernetes). */
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    /** Access key. */
    String accessKey();

    /** Secret key. */
    String secretKey();

    /** The one bucket trainyard keeps datasets, checkpoints and models in. */
    @WithDefault("trainyard")
    String bucket();

    /** Region to sign requests for. */
    @WithDefault("us-east-1")
    String region();

    /** How many of a run's newest checkpoints to keep. */
    @WithDefault("3")
    int keepCheckpoints();
}
