package io.rmbg.core.blob;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * How to reach an S3-compatible store. {@code endpoint} is {@code null} for AWS itself; MinIO and
 * s3proxy need it and {@code pathStyle}. {@link #toString()} never prints the secret.
 */
public record S3Options(
        String endpoint,
        String region,
        String bucket,
        String accessKey,
        String secretKey,
        boolean pathStyle)
        implements Serializable {

    public S3Options {
        requireNonNull(region, "s3.region cannot be null");
        requireNonNull(bucket, "s3.bucket cannot be null");
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
                + "]";
    }
}
