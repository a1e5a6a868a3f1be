package io.rmbg.core.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * libjpeg-turbo's TurboJPEG Java binding, when the machine has it: about twice as fast as the JDK's
 * libjpeg 6b on 1080p photos (19 → 10 ms·core, including the JDK path's conversion to ARGB), with
 * the same accurate integer IDCT and fancy upsampling, so the same pixels (checked by
 * JpegDecodersTest and the benchmark). It is optional and found at run time, so the build needs
 * nothing native:
 *
 * <ul>
 *   <li>the classes {@code org.libjpegturbo.turbojpeg.*} on the class path, or else the jar at
 *       {@value #DEFAULT_JAR} (Debian/Ubuntu: {@code apt-get install libturbojpeg-java}, which
 *       brings {@code libturbojpeg0}; the JNI loader also wants {@code libturbojpeg.so}, from
 *       {@code libturbojpeg0-dev}), or the jar named by {@code -Drmbg.turbojpeg.jar=…};
 *   <li>{@code -Drmbg.jpeg.decoder=imageio} turns it off.
 * </ul>
 *
 * Which decoder is active is logged once at start-up. Any failure of the native path (a JPEG it
 * refuses or only warns about, e.g. truncated data) falls back to ImageIO, which then reports the
 * error as before.
 */
final class TurboJpeg {
    static final String DEFAULT_JAR = "/usr/share/java/turbojpeg.jar";
    static final String DECODER_PROPERTY = "rmbg.jpeg.decoder";
    static final String JAR_PROPERTY = "rmbg.turbojpeg.jar";

    private static final Logger LOG = LoggerFactory.getLogger(TurboJpeg.class);
    private static final String PACKAGE = "org.libjpegturbo.turbojpeg.";

    /**
     * TJ.PF_BGRX (little-endian ints) / TJ.PF_XRGB (big-endian): bytes that read as 0xXXRRGGBB, and
     * X is 0xFF when decompressing (TurboJPEG API), so the ints are opaque ARGB as they come.
     */
    private static final int PF_BGRX = 3;

    private static final int PF_XRGB = 5;

    /** Why ImageIO decodes JPEGs, when it does; set while {@link #INSTANCE} loads. */
    private static String fallbackReason = "";

    private static final Optional<TurboJpeg> INSTANCE = load();

    private final MethodHandle newDecompressor;
    private final MethodHandle decompressInts;
    private final String version;

    private TurboJpeg(MethodHandle newDecompressor, MethodHandle decompressInts, String version) {
        this.newDecompressor = newDecompressor;
        this.decompressInts = decompressInts;
        this.version = version;
    }

    /** The native decoder, or empty where it is missing or turned off (see the class comment). */
    static Optional<TurboJpeg> instance() {
        return INSTANCE;
    }

    /** "libjpeg-turbo (…)" or "ImageIO (why)", as logged at start-up. */
    static String describe() {
        return INSTANCE.map(t -> "libjpeg-turbo (" + t.version + ")").orElse(fallbackReason);
    }

    /**
     * Decodes an 8-bit, 1- or 3-component JPEG of the given size to opaque packed ARGB.
     *
     * @throws Exception anything the native decoder reports, warnings included: the caller falls
     *     back to ImageIO
     */
    int[] decode(byte[] jpeg, int width, int height) throws Exception {
        int[] argb = new int[width * height];
        try {
            Object d = newDecompressor.invoke(jpeg);
            try {
                decompressInts.invoke(d, argb, 0, 0, width, width, height, pixelFormat(), 0);
            } finally {
                ((Closeable) d).close();
            }
        } catch (Error | Exception e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return argb;
    }

    private static int pixelFormat() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? PF_BGRX : PF_XRGB;
    }

    private static Optional<TurboJpeg> load() {
        String choice = System.getProperty(DECODER_PROPERTY, "auto").toLowerCase(Locale.ROOT);
        if (choice.equals("imageio")) {
            return fallback("ImageIO (-D" + DECODER_PROPERTY + "=imageio)");
        }
        try {
            Class<?> decompressor = findClass();
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle create =
                    lookup.findConstructor(
                            decompressor, MethodType.methodType(void.class, byte[].class));
            MethodHandle decompress =
                    lookup.findVirtual(
                            decompressor,
                            "decompress",
                            MethodType.methodType(
                                    void.class,
                                    int[].class,
                                    int.class,
                                    int.class,
                                    int.class,
                                    int.class,
                                    int.class,
                                    int.class,
                                    int.class));
            TurboJpeg turbo =
                    new TurboJpeg(
                            create.asType(MethodType.methodType(Object.class, byte[].class)),
                            decompress.asType(
                                    decompress.type().changeParameterType(0, Object.class)),
                            source(decompressor));
            // The first decompressor loads the native library: a broken install shows now.
            ((Closeable)
                            lookup.findConstructor(decompressor, MethodType.methodType(void.class))
                                    .invoke())
                    .close();
            LOG.info("JPEG decoding: {}", "libjpeg-turbo (" + turbo.version + ")");
            return Optional.of(turbo);
        } catch (Throwable e) { // ClassNotFound, UnsatisfiedLinkError, ExceptionInInitializer…
            return fallback(
                    "ImageIO (libjpeg-turbo not usable: "
                            + e
                            + "; install libturbojpeg-java and libturbojpeg0-dev for faster"
                            + " decoding)");
        }
    }

    private static Optional<TurboJpeg> fallback(String reason) {
        fallbackReason = reason;
        LOG.info("JPEG decoding: {}", reason);
        return Optional.empty();
    }

    private static Class<?> findClass() throws Exception {
        String name = PACKAGE + "TJDecompressor";
        try {
            return Class.forName(name, true, TurboJpeg.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            Path jar = Path.of(System.getProperty(JAR_PROPERTY, DEFAULT_JAR));
            if (!Files.isRegularFile(jar)) {
                throw new ClassNotFoundException(name + " (no " + jar + ")", e);
            }
            // Never closed: its classes and native library live as long as the process.
            URLClassLoader loader =
                    new URLClassLoader(
                            new URL[] {jar.toUri().toURL()}, TurboJpeg.class.getClassLoader());
            return Class.forName(name, true, loader);
        }
    }

    private static String source(Class<?> c) {
        var location = c.getProtectionDomain().getCodeSource();
        return location == null ? "class path" : location.getLocation().getPath();
    }
}
