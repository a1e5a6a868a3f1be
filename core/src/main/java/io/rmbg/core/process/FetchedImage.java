package io.rmbg.core.process;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.image.ImageInfo;
import io.rmbg.core.records.ImageEvent;

/**
 * A job whose source bytes are read and whose header is probed, not yet decoded: what admission to
 * the slot's {@link MemoryBudget} is decided on. {@code sha256} is the bytes' SHA-256 (hex), taken
 * once: the reuse key and the original's blob address both need it.
 */
public record FetchedImage(
        ImageEvent event, byte[] bytes, ImageInfo info, long fetchMs, String sha256) {

    /** Hashes {@code bytes}. */
    public FetchedImage(ImageEvent event, byte[] bytes, ImageInfo info, long fetchMs) {
        this(event, bytes, info, fetchMs, ContentAddress.sha256Hex(bytes));
    }
}
