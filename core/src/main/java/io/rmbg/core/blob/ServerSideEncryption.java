package io.rmbg.core.blob;

import java.util.Locale;

/**
 * {@code s3.sse}: whether the store itself encrypts what the job writes (S3's server-side
 * encryption headers on every PutObject). Independent of the job's own sealing of sensitive blobs;
 * reads need nothing, the store decrypts for any reader it authorises.
 */
public enum ServerSideEncryption {
    /** No header: the bucket's default applies. */
    NONE("none"),
    /** SSE-S3: {@code x-amz-server-side-encryption: AES256}. */
    AES256("aes256"),
    /** SSE-KMS: {@code aws:kms}, with {@code s3.sse-kms-key-id} or the account's default key. */
    KMS("aws:kms");

    private final String setting;

    ServerSideEncryption(String setting) {
        this.setting = setting;
    }

    /** The value of {@code s3.sse} that selects this. */
    public String setting() {
        return setting;
    }

    /** Parses {@code s3.sse} (case-insensitive). */
    public static ServerSideEncryption parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ServerSideEncryption sse : values()) {
            if (sse.setting.equals(value)) {
                return sse;
            }
        }
        throw new IllegalArgumentException(
                "s3.sse must be none, aes256 or aws:kms, got '" + text + "'");
    }
}
