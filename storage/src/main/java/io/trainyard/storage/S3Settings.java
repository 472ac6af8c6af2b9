package io.trainyard.storage;

/**
 * Where the bucket is.
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}
 * @param accessKey S3 access key
 * @param secretKey S3 secret key
 * @param bucket    the one bucket trainyard uses
 * @param region    region to sign for (S3Proxy and MinIO accept {@code us-east-1})
 */
public record S3Settings(String endpoint, String accessKey, String secretKey, String bucket, String region) {
}
