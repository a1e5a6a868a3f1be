package io.rmbg.core.process;

import io.rmbg.core.image.ImageFormat;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;

/** A job between intake and inference: its source decoded and its original stored. */
public record DecodedImage(
        ImageEvent event,
        ImageFormat format,
        RasterImage image,
        BlobRef original,
        long startedAtMillis,
        long fetchMs,
        long decodeMs,
        long storeMs) {}
