package io.rmbg.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Real photos the demo, the tests and the benchmark send through the real model: scikit-image's
 * sample photos, public domain or CC0 (sources and licences in {@code samples/photos/NOTICE.md}),
 * re-encoded as JPEGs of at most 640 px. They are on the classpath under {@code photos/}.
 */
public final class SamplePhotos {
    /** Eileen Collins, NASA portrait (public domain), 512x512. */
    public static final String ASTRONAUT = "astronaut";

    /** A cat's face, close up (CC0, Stefan van der Walt), 451x300. */
    public static final String CHELSEA = "chelsea";

    /** An espresso cup on its saucer (CC0, Rachel Michetti), 600x400. */
    public static final String COFFEE = "coffee";

    /** DSCOVR on Falcon 9 at the launch pad (SpaceX, public domain), 640x427. */
    public static final String ROCKET = "rocket";

    /** Every photo, in the order the demo sends them. */
    public static final List<String> ALL = List.of(ASTRONAUT, CHELSEA, COFFEE, ROCKET);

    private SamplePhotos() {}

    /** The JPEG bytes of photo {@code name}. */
    public static byte[] jpeg(String name) {
        String resource = "/photos/" + name + ".jpg";
        try (InputStream in = SamplePhotos.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(
                        "no sample photo " + resource + " on the classpath; known: " + ALL);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
