package io.rmbg.core.process;

import io.rmbg.core.image.ImageInfo;
import io.rmbg.core.records.ImageEvent;

/**
 * A job whose source bytes are read and whose header is probed, not yet decoded: what admission to
 * the slot's {@link MemoryBudget} is decided on.
 */
public record FetchedImage(ImageEvent event, byte[] bytes, ImageInfo info, long fetchMs) {}
