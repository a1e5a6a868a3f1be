package io.rmbg.core.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fetching real weights: the real npm client and registry for the default model (cached, so a
 * second fetch downloads nothing), and hand-made package tarballs for what must be refused.
 */
class NpmModelFetcherTest {
    @TempDir Path dir;

    @Test
    void fetchesTheDefaultModelOnceAndThenServesItFromTheCache() throws Exception {
        List<String> progress = new ArrayList<>();
        NpmModelFetcher fetcher = new NpmModelFetcher(ModelCache.user(), progress::add);

        Path first = fetcher.fetch(FetchableModel.DEFAULT);
        progress.clear();
        long start = System.nanoTime();
        Path second = fetcher.fetch(FetchableModel.DEFAULT);

        assertThat(second).isEqualTo(first).hasFileName(FetchableModel.DEFAULT.fileName());
        assertThat(Files.size(second)).isEqualTo(FetchableModel.DEFAULT.bytes());
        assertThat(progress).as("nothing fetched the second time").isEmpty();
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    void joinsTheChunksInOffsetOrderAndChecksTheWhole() throws Exception {
        byte[] a = "first chunk ".getBytes(UTF_8);
        byte[] b = "second chunk".getBytes(UTF_8);
        Path tarball = tarball(Map.of("/models/tiny", List.of(a, b)), false);
        FetchableModel tiny = tiny(sha256(concat(a, b)), a.length + b.length);

        Path out = dir.resolve("tiny.onnx");
        NpmModelFetcher.assemble(tarball, tiny, out);

        assertThat(Files.readAllBytes(out)).isEqualTo(concat(a, b));
    }

    @Test
    void refusesAFileThatDoesNotMatchItsPinnedChecksum() throws Exception {
        byte[] a = "some weights".getBytes(UTF_8);
        Path tarball = tarball(Map.of("/models/tiny", List.of(a)), false);
        FetchableModel pinnedElsewhere = tiny("00".repeat(32), a.length);
        Path out = dir.resolve("tiny.onnx");

        assertThatThrownBy(() -> NpmModelFetcher.assemble(tarball, pinnedElsewhere, out))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("does not match its pinned checksum")
                .hasMessageContaining(sha256(a))
                .hasMessageContaining("Nothing was cached");
        assertThat(out).doesNotExist();
    }

    @Test
    void refusesAChunkWhoseBytesDoNotMatchItsName() throws Exception {
        byte[] a = "honest chunk".getBytes(UTF_8);
        Path tarball = tarball(Map.of("/models/tiny", List.of(a)), true);

        assertThatThrownBy(
                        () ->
                                NpmModelFetcher.assemble(
                                        tarball, tiny(sha256(a), a.length), dir.resolve("t.onnx")))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("chunk " + sha256(a) + " has SHA-256");
    }

    @Test
    void saysWhatToDoWhenNpmIsMissing() {
        ModelCache cache = new ModelCache(dir.resolve("cache"));
        NpmModelFetcher fetcher =
                new NpmModelFetcher(cache, line -> {}, List.of(dir.resolve("no-npm").toString()));

        assertThatThrownBy(() -> fetcher.fetch(FetchableModel.ISNET_SMALL))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("npm (Node.js's package manager) was not found")
                .hasMessageContaining("model.path");
        assertThat(cache.find(FetchableModel.ISNET_SMALL)).isEmpty();
    }

    @Test
    void saysWhatToDoWhenTheRegistryCannotBeReached() {
        ModelCache cache = new ModelCache(dir.resolve("cache"));
        List<String> unreachable =
                List.of("npm", "--registry=http://127.0.0.1:9/", "--fetch-retries=0");
        NpmModelFetcher fetcher = new NpmModelFetcher(cache, line -> {}, unreachable);
        FetchableModel notInAnyCache =
                new FetchableModel(
                        "nope",
                        "test",
                        "@imgly/background-removal-data",
                        "0.0.1-not-published",
                        "/models/medium",
                        1,
                        "00".repeat(32),
                        "isnet");

        assertThatThrownBy(() -> fetcher.fetch(notInAnyCache))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining(
                        "npm pack @imgly/background-removal-data@0.0.1-not-published failed")
                .hasMessageContaining("ECONNREFUSED")
                .hasMessageContaining("Is the npm registry reachable");
        assertThat(cache.find(notInAnyCache)).isEmpty();
    }

    @Test
    void cachesUnderXdgCacheHomeOrTheHomeCache() {
        assertThat(ModelCache.userDirectory(Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/u"))
                .isEqualTo(Path.of("/x/cache/rmbg-flink/models"));
        assertThat(ModelCache.userDirectory(Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u/.cache/rmbg-flink/models"));
    }

    @Test
    void knowsBothIsNetVariants() {
        assertThat(FetchableModel.all())
                .containsExactlyInAnyOrder(FetchableModel.ISNET_MEDIUM, FetchableModel.ISNET_SMALL);
        assertThat(FetchableModel.named("small")).contains(FetchableModel.ISNET_SMALL);
        assertThat(FetchableModel.named("ISNET-MEDIUM")).contains(FetchableModel.ISNET_MEDIUM);
        assertThat(FetchableModel.named("rmbg-2.0")).isEmpty();
        assertThat(FetchableModel.all())
                .allSatisfy(m -> assertThat(m.profile()).isEqualTo("isnet"));
    }

    private static FetchableModel tiny(String sha256, long bytes) {
        return new FetchableModel(
                "tiny", "test", "@test/data", "1.0.0", "/models/tiny", bytes, sha256, "isnet");
    }

    /**
     * An npm-style tarball: resources.json listing the chunks (in reverse entry order), chunks
     * named by hash.
     */
    private Path tarball(Map<String, List<byte[]>> resources, boolean corruptChunks)
            throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, List<byte[]>> r : resources.entrySet()) {
            json.append('"').append(r.getKey()).append("\":{\"chunks\":[");
            long offset = 0;
            List<String> parts = new ArrayList<>();
            for (byte[] chunk : r.getValue()) {
                String hash = sha256(chunk);
                parts.add(
                        "{\"hash\":\""
                                + hash
                                + "\",\"offsets\":["
                                + offset
                                + ","
                                + (offset + chunk.length)
                                + "]}");
                offset += chunk.length;
                entries.put(
                        "package/dist/" + hash, corruptChunks ? "tampered".getBytes(UTF_8) : chunk);
            }
            java.util.Collections.reverse(parts);
            json.append(String.join(",", parts)).append("]}");
        }
        json.append('}');
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("package/package.json", "{}".getBytes(UTF_8));
        List<String> names = new ArrayList<>(entries.keySet());
        java.util.Collections.reverse(names);
        names.forEach(n -> all.put(n, entries.get(n)));
        all.put("package/dist/resources.json", json.toString().getBytes(UTF_8));
        Path file = dir.resolve("package.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                out.write(header(e.getKey(), e.getValue().length));
                out.write(e.getValue());
                out.write(new byte[(512 - e.getValue().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        }
        return file;
    }

    private static byte[] header(String name, long size) throws IOException {
        byte[] h = new byte[512];
        System.arraycopy(name.getBytes(UTF_8), 0, h, 0, name.length());
        byte[] sizeField = String.format("%011o", size).getBytes(UTF_8);
        System.arraycopy(sizeField, 0, h, 124, sizeField.length);
        h[156] = '0';
        System.arraycopy("ustar".getBytes(UTF_8), 0, h, 257, 5);
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
