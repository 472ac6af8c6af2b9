package io.trainyard.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one bucket trainyard keeps everything in, on the MinIO client.
 *
 * <p>Each put is atomic: a reader sees the old object or the new one, never half of one. Every MinIO failure
 * becomes a {@link StorageException}; a missing object is an empty {@link Optional}, not an error.
 */
public class ObjectStore {

    private static final String NO_SUCH_KEY = "NoSuchKey";
    private static final String NO_SUCH_BUCKET = "NoSuchBucket";

    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketReady;

    public ObjectStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** A store on {@code settings}; nothing is sent until first use, and the first write creates the bucket. */
    public static ObjectStore of(S3Settings settings) {
        MinioClient client = MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region())
                .build();
        return new ObjectStore(client, settings.bucket());
    }

    /** Connects to {@code settings} and creates the bucket when it is missing. */
    public static ObjectStore connect(S3Settings settings) {
        ObjectStore store = of(settings);
        store.ensureBucket();
        return store;
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
        bucketReady = true;
    }

    public void put(String key, byte[] body, String contentType) {
        put(key, new ByteArrayInputStream(body), body.length, contentType);
    }

    /** Streams {@code size} bytes (or, with size -1, until the end in 10 MiB parts) to {@code key}. */
    public void put(String key, InputStream body, long size, String contentType) {
        if (!bucketReady) {
            ensureBucket();
        }
        call("put " + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(key)
                .stream(body, size, size < 0 ? 10L * 1024 * 1024 : -1)
                .contentType(contentType)
                .build()));
    }

    public Optional<byte[]> get(String key) {
        return open(key).map(in -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new StorageException("read " + key + ": " + e.getMessage(), e);
            }
        });
    }

    /** Opens {@code key} for streaming; the caller closes the stream. */
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw new StorageException("get " + key + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new StorageException("get " + key + ": " + e.getMessage(), e);
        }
    }

    public boolean exists(String key) {
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return false;
            }
            throw new StorageException("stat " + key + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new StorageException("stat " + key + ": " + e.getMessage(), e);
        }
    }

    /** Every key under {@code prefix}, recursively, in the order S3 lists them (lexicographic). */
    public List<String> list(String prefix) {
        return call("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                keys.add(item.get().objectName());
            }
            return keys;
        });
    }

    /** Sizes of every object under {@code prefix}, added up. */
    public long size(String prefix) {
        return call("list " + prefix, () -> {
            long total = 0;
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                total += item.get().size();
            }
            return total;
        });
    }

    public void delete(List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        call("delete " + keys.size() + " objects", () -> {
            List<DeleteObject> objects = keys.stream().map(DeleteObject::new).toList();
            // removeObjects is lazy: the deletes happen while the results are iterated.
            for (Result<DeleteError> result : client.removeObjects(RemoveObjectsArgs.builder()
                    .bucket(bucket).objects(objects).build())) {
                DeleteError error = result.get();
                throw new StorageException("delete " + error.objectName() + ": " + error.message(), null);
            }
            return null;
        });
    }

    public void deletePrefix(String prefix) {
        delete(list(prefix));
    }

    private static boolean isMissing(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return NO_SUCH_KEY.equals(code) || NO_SUCH_BUCKET.equals(code);
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, S3Call<T> call) {
        try {
            return call.run();
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(what + ": " + e.getMessage(), e);
        }
    }
}
