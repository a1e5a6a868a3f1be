package io.rmbg.core.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A real segmentation model that the user's machine can fetch from a public npm package, with the
 * facts needed to check what arrives: the package and version, the resource inside it, its size and
 * its pinned SHA-256. The project never ships the weights; {@link NpmModelFetcher} fetches them.
 *
 * <p>Both IS-Net variants come from {@code @imgly/background-removal-data} 1.4.5 (AGPL-3.0; the
 * package's third-party notice names xuebinqin/DIS as the source of the IS-Net weights). Both take
 * {@code input} float {@code [1, 3, 1024, 1024]} and give {@code output} {@code [1, 1, 1024,
 * 1024]}, already a probability: the {@code isnet} profile.
 *
 * @param name what {@code bin/rmbg models pull NAME} and the cache call it
 * @param description one line for {@code bin/rmbg models}
 * @param npmPackage the npm package that carries it
 * @param npmVersion the exact package version (pinned: the checksum belongs to it)
 * @param resource the key in the package's {@code dist/resources.json}
 * @param bytes the reassembled file's size
 * @param sha256 the reassembled file's SHA-256, lowercase hex
 * @param profile the model profile to run it with
 */
public record FetchableModel(
        String name,
        String description,
        String npmPackage,
        String npmVersion,
        String resource,
        long bytes,
        String sha256,
        String profile) {

    private static final String IMGLY_DATA = "@imgly/background-removal-data";
    private static final String IMGLY_VERSION = "1.4.5";

    /** IS-Net (DIS) at 1024², fp16 weights. */
    public static final FetchableModel ISNET_MEDIUM =
            new FetchableModel(
                    "isnet-medium",
                    "IS-Net (DIS) 1024², fp16 weights, 88 MB",
                    IMGLY_DATA,
                    IMGLY_VERSION,
                    "/models/medium",
                    88_188_479L,
                    "b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb",
                    "isnet");

    /** IS-Net (DIS) at 1024², uint8-quantised weights. */
    public static final FetchableModel ISNET_SMALL =
            new FetchableModel(
                    "isnet-small",
                    "IS-Net (DIS) 1024², uint8-quantised weights, 44 MB",
                    IMGLY_DATA,
                    IMGLY_VERSION,
                    "/models/small",
                    44_342_436L,
                    "7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a",
                    "isnet");

    /**
     * What {@code bin/rmbg local --demo} fetches: the variant that is faster on a CPU at equal
     * quality (measured: see docs/performance.md).
     */
    public static final FetchableModel DEFAULT = ISNET_MEDIUM;

    public FetchableModel {
        requireNonNull(name, "name cannot be null");
        requireNonNull(npmPackage, "npmPackage cannot be null");
        requireNonNull(npmVersion, "npmVersion cannot be null");
        requireNonNull(resource, "resource cannot be null");
        requireNonNull(sha256, "sha256 cannot be null");
        requireNonNull(profile, "profile cannot be null");
    }

    /** Every model {@code bin/rmbg models} can fetch, default first. */
    public static List<FetchableModel> all() {
        return DEFAULT == ISNET_MEDIUM
                ? List.of(ISNET_MEDIUM, ISNET_SMALL)
                : List.of(ISNET_SMALL, ISNET_MEDIUM);
    }

    /**
     * The model called {@code name} (case-insensitive; {@code medium} and {@code small} also work).
     */
    public static Optional<FetchableModel> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return all().stream()
                .filter(m -> m.name.equals(n) || m.name.equals("isnet-" + n))
                .findFirst();
    }

    /** {@code package@version}, as npm takes it. */
    public String npmSpec() {
        return npmPackage + "@" + npmVersion;
    }

    /**
     * The cache file name: the name plus a checksum prefix, so a changed pin never reuses a stale
     * file.
     */
    public String fileName() {
        return name + "-" + sha256.substring(0, 12) + ".onnx";
    }
}
