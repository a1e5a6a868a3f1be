package io.rmbg.core.process;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.compose.Compositor;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.SealedBlobException;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.AlphaMask;
import io.rmbg.core.image.FastPngEncoder;
import io.rmbg.core.image.FixedPointMaskResizer;
import io.rmbg.core.image.ImageDecoder;
import io.rmbg.core.image.ImageFormat;
import io.rmbg.core.image.ImageProbe;
import io.rmbg.core.image.MaskResizer;
import io.rmbg.core.image.PngEncoder;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.core.records.StageTimings;

import java.util.Base64;
import java.util.OptionalDouble;

/**
 * The CPU stages of one job around inference, as plain Java: {@link #intake} (fetch, probe, decode,
 * store the original) before the model and {@link #finish} (mask, cut-out, PNG, store) after it.
 * {@code intake} also comes in two halves, {@link #fetch} and {@link #decode}, so a caller can
 * admit the decode by the size the header announces. Every stage checks the job's {@link
 * Cancellation} before it starts and before each blob write. Thread-safe: callers run many jobs at
 * once on a pool.
 */
public final class JobProcessor {
    static final String PNG = "image/png";

    /**
     * For the benchmark only: {@code -Drmbg.bench.legacy-cpu-path=true} (read per job) runs the
     * previous CPU path (ImageIO JPEG decoding, float resampling of the model input and the mask,
     * the whole cut-out built first, Paeth + zlib PNGs), so the old and new paths' CPU per image
     * can be measured in one run. Same pixels either way, but for the integer mask resize's at most
     * one grey level of alpha ({@link FixedPointMaskResizer}); the model input is within {@link
     * io.rmbg.core.inference.Preprocessor#TOLERANCE}.
     */
    public static final String LEGACY_CPU_PATH = "rmbg.bench.legacy-cpu-path";

    /** The mask resize of each path: integer bilinear (within one grey level), or the float one. */
    private static final MaskResize MASK_RESIZER = FixedPointMaskResizer::toMask;

    private static final MaskResize MASK_RESIZER_FLOAT = MaskResizer::toMask;

    @FunctionalInterface
    private interface MaskResize {
        AlphaMask toMask(
                float[] probabilities,
                int srcWidth,
                int srcHeight,
                int dstWidth,
                int dstHeight,
                OptionalDouble threshold);
    }

    private final BlobStore blobs;
    private final ImageLimits limits;
    private final ImageDecoder decoder;
    private final ImageDecoder legacyDecoder;
    private final BlobSealer sealer;

    public JobProcessor(BlobStore blobs, ImageLimits limits) {
        this(blobs, limits, BlobSealer.OFF);
    }

    /** Stores the blobs of sensitive jobs sealed by {@code sealer} (docs/contracts.md §10). */
    public JobProcessor(BlobStore blobs, ImageLimits limits, BlobSealer sealer) {
        this.blobs = blobs;
        this.limits = limits;
        this.decoder = new ImageDecoder(limits.maxPixels());
        this.legacyDecoder = ImageDecoder.imageIoOnly(limits.maxPixels());
        this.sealer = sealer;
    }

    /** Reads the source, checks its size from the header, decodes it and stores the original. */
    public DecodedImage intake(ImageEvent event, long startedAtMillis) throws ProcessingException {
        return decode(fetch(event, Cancellation.NONE), startedAtMillis, Cancellation.NONE);
    }

    /**
     * The first half of {@link #intake}: reads the source and probes its header (format, size),
     * without decoding, so the caller can decide whether and when the decode may run.
     */
    public FetchedImage fetch(ImageEvent event, Cancellation cancellation)
            throws ProcessingException {
        cancellation.throwIfCancelled("reading the source");
        long t0 = System.nanoTime();
        byte[] bytes = read(event, cancellation);
        long t1 = System.nanoTime();
        cancellation.throwIfCancelled("probing the image");
        return new FetchedImage(event, bytes, ImageProbe.probe(bytes), ms(t1 - t0));
    }

    /** The second half of {@link #intake}: decodes the fetched source and stores the original. */
    public DecodedImage decode(
            FetchedImage fetched, long startedAtMillis, Cancellation cancellation)
            throws ProcessingException {
        cancellation.throwIfCancelled("decoding");
        long t1 = System.nanoTime();
        RasterImage image =
                (Boolean.getBoolean(LEGACY_CPU_PATH) ? legacyDecoder : decoder)
                        .decode(fetched.bytes());
        long t2 = System.nanoTime();

        ImageFormat format = fetched.info().format();
        BlobRef original =
                store(
                        fetched.event(),
                        BlobKind.ORIGINAL,
                        format.extension(),
                        format.contentType(),
                        fetched.bytes(),
                        fetched.sha256(),
                        image.width(),
                        image.height(),
                        cancellation);
        long t3 = System.nanoTime();
        return new DecodedImage(
                fetched.event(),
                format,
                image,
                original,
                startedAtMillis,
                fetched.fetchMs(),
                ms(t2 - t1),
                ms(t3 - t2));
    }

    /** Turns the model's probabilities into the mask and cut-out, stores both, and ends the job. */
    public JobResult finish(SegmentedImage segmented) throws ProcessingException {
        return finish(segmented, Cancellation.NONE);
    }

    /**
     * As {@link #finish(SegmentedImage)}, skipping what is left once {@code cancellation} is
     * cancelled.
     */
    public JobResult finish(SegmentedImage segmented, Cancellation cancellation)
            throws ProcessingException {
        cancellation.throwIfCancelled("the mask and cut-out");
        DecodedImage decoded = segmented.decoded();
        ImageEvent event = decoded.event();
        ImageParams params = event.params();
        RasterImage image = decoded.image();

        long t0 = System.nanoTime();
        OptionalDouble threshold =
                params.threshold() == null
                        ? OptionalDouble.empty()
                        : OptionalDouble.of(params.threshold());
        boolean legacy = Boolean.getBoolean(LEGACY_CPU_PATH);
        AlphaMask mask =
                (legacy ? MASK_RESIZER_FLOAT : MASK_RESIZER)
                        .toMask(
                                segmented.probabilities(),
                                segmented.maskWidth(),
                                segmented.maskHeight(),
                                image.width(),
                                image.height(),
                                threshold);
        if (params.postProcessMask()) {
            mask = Compositor.postProcess(mask);
        }
        long t1 = System.nanoTime();

        byte[] maskPng;
        byte[] cutOutPng;
        if (legacy) {
            maskPng = PngEncoder.encodeGray(mask);
            cutOutPng =
                    params.background() == null
                            ? PngEncoder.encodeRgba(Compositor.cutOut(image, mask))
                            : PngEncoder.encodeRgb(onBackground(image, mask, params));
        } else {
            // The fast PNG path (FastPngEncoder.fast*): same pixels as the zlib path, a fraction of
            // its CPU; the cut-out is composed row by row as it is encoded.
            maskPng = FastPngEncoder.fastGray(mask);
            cutOutPng =
                    params.background() == null
                            ? Compositor.cutOutPng(image, mask)
                            : FastPngEncoder.fastRgb(onBackground(image, mask, params));
        }
        long t2 = System.nanoTime();

        BlobRef maskRef =
                store(
                        event,
                        BlobKind.MASK,
                        "png",
                        PNG,
                        maskPng,
                        null,
                        mask.width(),
                        mask.height(),
                        cancellation);
        BlobRef processedRef =
                store(
                        event,
                        BlobKind.PROCESSED,
                        "png",
                        PNG,
                        cutOutPng,
                        null,
                        image.width(),
                        image.height(),
                        cancellation);
        long t3 = System.nanoTime();

        long now = System.currentTimeMillis();
        StageTimings timings =
                new StageTimings(
                        Math.max(0, decoded.startedAtMillis() - event.receivedAtMillis()),
                        decoded.fetchMs(),
                        decoded.decodeMs(),
                        segmented.inferenceMs(),
                        ms(t1 - t0),
                        ms(t2 - t1),
                        decoded.storeMs() + ms(t3 - t2));
        return JobResult.of(event, JobStatus.COMPLETED, now)
                .original(decoded.original())
                .mask(maskRef)
                .processed(processedRef)
                .size(image.width(), image.height())
                .model(segmented.model(), segmented.modelVersion())
                .timings(timings)
                .build();
    }

    private static RasterImage onBackground(RasterImage image, AlphaMask mask, ImageParams params) {
        return Compositor.onBackground(image, mask, Compositor.parseHexColour(params.background()));
    }

    private byte[] read(ImageEvent event, Cancellation cancellation) throws ProcessingException {
        if (event.imageUri() != null) {
            return blobs.get(event.imageUri(), limits.maxSourceBytes(), cancellation);
        }
        byte[] bytes;
        try {
            bytes =
                    BlobSealer.isSealedInline(event.imageBase64())
                            ? sealer.openInline(event)
                            : Base64.getDecoder().decode(event.imageBase64());
        } catch (IllegalArgumentException e) {
            throw new ProcessingException(
                    ErrorCode.INVALID_EVENT, "image_base64 is not valid base64: " + e.getMessage());
        } catch (SealedBlobException e) {
            throw new ProcessingException(
                    ErrorCode.STORAGE,
                    "the sensitive inline image, sealed when the event was read, cannot be opened: "
                            + e.getMessage());
        }
        if (bytes.length > limits.maxInlineBytes()) {
            throw new ProcessingException(
                    ErrorCode.IMAGE_TOO_LARGE,
                    "inline image is "
                            + bytes.length
                            + " bytes, the limit is "
                            + limits.maxInlineBytes()
                            + "; upload large images to S3 and send image_uri");
        }
        if (bytes.length == 0) {
            throw new ProcessingException(ErrorCode.IMAGE_DECODE, "inline image is empty");
        }
        return bytes;
    }

    private BlobRef store(
            ImageEvent event,
            BlobKind kind,
            String ext,
            String contentType,
            byte[] bytes,
            String knownSha256,
            int width,
            int height,
            Cancellation cancellation)
            throws ProcessingException {
        String sha = knownSha256 != null ? knownSha256 : ContentAddress.sha256Hex(bytes);
        if (!sealer.seals(event.params())) {
            String uri = blobs.put(kind, sha, ext, contentType, bytes, cancellation);
            return new BlobRef(uri, sha, bytes.length, width, height, contentType);
        }
        if (!sealer.hasKey()) {
            throw new ProcessingException(
                    ErrorCode.STORAGE,
                    "params.sensitive is true but this deployment has no security.master-key, so the"
                            + " image cannot be stored encrypted; set security.master-key (or"
                            + " RMBG_SECURITY_MASTER_KEY), or send the image without sensitive");
        }
        // Sealed (docs/contracts.md §10): the reference's sha256 is the keyed address, so neither
        // key nor trace reveals that two users stored the same bytes.
        String address = sealer.address(event.userId(), sha);
        byte[] sealed = sealer.seal(bytes, address);
        String uri =
                blobs.put(
                        kind,
                        address,
                        BlobSealer.EXTENSION,
                        "application/octet-stream",
                        sealed,
                        cancellation);
        return new BlobRef(uri, address, bytes.length, width, height, contentType);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
