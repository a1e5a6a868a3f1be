package io.rmbg.core.blob;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * How to reach an S3-compatible store. {@code endpoint} is {@code null} for AWS itself; MinIO and
 * s3proxy need it and {@code pathStyle}. {@code sse} and {@code sseKmsKeyId} ({@code s3.sse},
 * {@code s3.sse-kms-key-id}) ask the store to encrypt what is written; {@code sseKmsKeyId} is
 * {@code null} for the account's default KMS key. {@link #toString()} never prints the secret.
 */
public record S3Options(
        String endpoint,
        String region,
        String bucket,
        String accessKey,
        String secretKey,
        boolean pathStyle,
        ServerSideEncryption sse,
        String sseKmsKeyId)
        implements Serializable {

    public S3Options {
        requireNonNull(region, "s3.region cannot be null");
        requireNonNull(bucket, "s3.bucket cannot be null");
        requireNonNull(sse, "s3.sse cannot be null");
        if (sseKmsKeyId != null && sse != ServerSideEncryption.KMS) {
            throw new IllegalArgumentException(
                    "s3.sse-kms-key-id is set but s3.sse is "
                            + sse.setting()
                            + "; set s3.sse=aws:kms");
        }
    }

    /** Without server-side encryption headers. */
    public S3Options(
            String endpoint,
            String region,
            String bucket,
            String accessKey,
            String secretKey,
            boolean pathStyle) {
        this(
                endpoint,
                region,
                bucket,
                accessKey,
                secretKey,
                pathStyle,
                ServerSideEncryption.NONE,
                null);
    }

    /** The same store, writing with {@code sse} (and the KMS key {@code kmsKeyId}, or null). */
    public S3Options withSse(ServerSideEncryption sse, String kmsKeyId) {
        return new S3Options(
                endpoint, region, bucket, accessKey, secretKey, pathStyle, sse, kmsKeyId);
    }

    @Override
    public String toString() {
        return "S3Options[endpoint="
                + endpoint
                + ", region="
                + region
                + ", bucket="
                + bucket
                + ", accessKey="
                + (accessKey == null ? "<default chain>" : "****")
                + ", pathStyle="
                + pathStyle
                + ", sse="
                + sse.setting()
                + "]";
    }
}
