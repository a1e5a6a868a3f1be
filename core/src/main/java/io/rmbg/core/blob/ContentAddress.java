package io.rmbg.core.blob;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content addressing (docs/contracts.md §4): a blob's key is the lowercase hex SHA-256 of its
 * bytes.
 */
public final class ContentAddress {
    private ContentAddress() {}

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** {@code <kind>/<sha256>.<extension>}, e.g. {@code mask/9f86….png}. */
    public static String key(BlobKind kind, String sha256, String extension) {
        return kind.prefix() + "/" + sha256 + "." + extension;
    }
}
