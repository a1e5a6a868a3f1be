package io.rmbg.udf.process;

import io.rmbg.udf.image.ImageFormat;
import io.rmbg.udf.image.RasterImage;
import io.rmbg.udf.records.BlobRef;
import io.rmbg.udf.records.ImageEvent;

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
