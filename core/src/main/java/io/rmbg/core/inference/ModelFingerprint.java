package io.rmbg.core.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file's version as results report it: the first 12 hex characters of its SHA-256, so a
 * result names the exact weights that produced it whatever the file is called.
 */
final class ModelFingerprint {
    private static final int VERSION_HEX_CHARS = 12;

    private ModelFingerprint() {}

    /**
     * Hashes {@code file} through a 1 MiB buffer (a 900 MB model is never held in memory).
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    static String versionOf(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
            return HexFormat.of().formatHex(sha256.digest()).substring(0, VERSION_HEX_CHARS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
