package io.rmbg.bench;

import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import io.rmbg.core.model.NpmModelFetcher;
import io.rmbg.core.process.ModelOptions;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code bench/run.sh --real}: the real IS-Net model ({@code isnet-medium} and {@code isnet-small},
 * fetched like {@code bin/rmbg models pull}) on the real sample photos, printed, never asserted:
 *
 * <ol>
 *   <li>per-stage ms of one job, bare (no Flink), batch 1, the model with every core;
 *   <li>the whole {@code BackgroundRemovalFunction} in Flink's async operator, end to end img/s and
 *       its per-stage means, for each CPU setting (slots × intra-op threads, batch 1);
 *   <li>the Node.js reference ({@link NodeReference}) on the same photos, side by side;
 *   <li>one line per variant: {@code real: variant=… best=SLOTSxTHREADS pipeline_img_s=…
 *       node_img_s=… speedup=…}.
 * </ol>
 *
 * Options: {@code --photos DIR} (default samples/photos), {@code --images N} per setting (default
 * 12), {@code --variants medium,small}, {@code --node-rounds N} (default 2; 0 skips the reference).
 */
public final class RealModelBench {
    private final PrintStream out;

    RealModelBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path photos = Path.of("samples/photos");
        Path workDir = Path.of("bench/target/work");
        int images = 12;
        int nodeRounds = 2;
        List<String> variants = List.of("medium", "small");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--photos" -> photos = Path.of(args[i + 1]);
                case "--work-dir" -> workDir = Path.of(args[i + 1]);
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--node-rounds" -> nodeRounds = Integer.parseInt(args[i + 1]);
                case "--variants" -> variants = List.of(args[i + 1].split(","));
                default -> {
                    System.err.println(
                            "unknown option " + args[i] + "; see RealModelBench's Javadoc");
                    System.exit(2);
                }
            }
        }
        new RealModelBench(System.out).run(photos, workDir, images, nodeRounds, variants);
        System.exit(0); // the MiniCluster leaves non-daemon threads behind for a while
    }

    void run(Path photoDir, Path workDir, int images, int nodeRounds, List<String> variants)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Path> photos;
        try (Stream<Path> files = Files.list(photoDir)) {
            photos = files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList();
        }
        List<byte[]> jpegs = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (Path p : photos) {
            byte[] bytes = Files.readAllBytes(p);
            jpegs.add(bytes);
            uris.add(BenchBlobStore.addSource(p.getFileName().toString(), bytes));
        }
        print(
                "rmbg-flink real-model bench: IS-Net 1024² on %d photos (%s), %d cores, java %s",
                photos.size(), photoDir, cores, System.getProperty("java.version"));
        List<int[]> settings = settings(cores);
        List<String> summary = new ArrayList<>();
        NodeReference node =
                new NodeReference(Path.of("bench/node"), workDir.getParent().resolve("node"), out);
        for (String variant : variants) {
            FetchableModel fetchable =
                    FetchableModel.named(variant)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "no model variant " + variant));
            Path file = new NpmModelFetcher(ModelCache.user(), out::println).fetch(fetchable);
            print("");
            print("== %s (%s)", fetchable.name(), fetchable.description());
            try (SegmentationModel model =
                    SegmentationModel.load(file, ModelProfile.ISNET, ExecutionDevice.CPU, cores)) {
                BareLoop loop = new BareLoop(model, jpegs);
                loop.stages(2); // warm-up
                BareLoop.StageMs ms = loop.stages(photos.size());
                print(
                        "bare, one job at a time, batch 1, %d intra-op threads (ms per image, mean of %d):",
                        cores, photos.size());
                print(
                        "  decode %.1f | preprocess %.1f | inference %.1f | postprocess (mask+compose) %.1f"
                                + " | encode PNG %.1f | store (SHA-256) %.1f | total %.1f  → %.2f img/s",
                        ms.decode(),
                        ms.preprocess(),
                        ms.inference(),
                        ms.postprocess(),
                        ms.encode(),
                        ms.store(),
                        ms.total(),
                        1000 / ms.total());
            }
            print(
                    "pipeline (BackgroundRemovalFunction in the async operator, batch 1), %d images per setting:",
                    images);
            double best = 0;
            String bestSetting = "";
            for (int[] s : settings) {
                BenchOptions o =
                        BenchOptions.parse(
                                new String[] {
                                    "--cpu-threads",
                                    "2",
                                    "--capacity",
                                    "4",
                                    "--batch-size",
                                    "1",
                                    "--batch-sizes",
                                    "1",
                                    "--work-dir",
                                    workDir.toString()
                                });
                ModelOptions modelOptions = new ModelOptions(file.toString(), "isnet", "cpu", s[1]);
                FlinkRun.Result r = FlinkRun.run(uris, modelOptions, o, images, 1, s[0], n -> {});
                double[] st = r.meanStageMs();
                print(
                        "  %d slot(s) x %d intra-op thread(s): %.3f img/s end to end | per image ms: queue %.0f"
                                + " | fetch %.0f | decode %.0f | inference %.0f | postprocess %.0f | encode %.0f | store %.0f%s",
                        s[0],
                        s[1],
                        r.imagesPerSecond(),
                        st[0],
                        st[1],
                        st[2],
                        st[3],
                        st[4],
                        st[5],
                        st[6],
                        r.failed() > 0 ? "  (" + r.failed() + " FAILED)" : "");
                if (r.imagesPerSecond() > best) {
                    best = r.imagesPerSecond();
                    bestSetting = s[0] + "x" + s[1];
                }
            }
            double nodeMs = nodeRounds > 0 ? node.msPerPhoto(variant, nodeRounds, photos) : -1;
            String nodePart =
                    nodeMs > 0
                            ? String.format(
                                    Locale.ROOT,
                                    " node_ms_per_img=%.0f node_img_s=%.3f speedup=%.2f",
                                    nodeMs,
                                    1000 / nodeMs,
                                    best * nodeMs / 1000)
                            : " node=not-run";
            summary.add(
                    String.format(
                            Locale.ROOT,
                            "real: variant=%s best=%s pipeline_img_s=%.3f%s",
                            variant,
                            bestSetting,
                            best,
                            nodePart));
        }
        print("");
        summary.forEach(out::println);
    }

    /**
     * Slots × intra-op threads worth comparing on this many cores: one session with all, one per
     * core.
     */
    static List<int[]> settings(int cores) {
        List<int[]> s = new ArrayList<>();
        s.add(new int[] {1, cores});
        if (cores > 1) {
            s.add(new int[] {cores, 1});
        }
        if (cores >= 4) {
            s.add(new int[] {2, cores / 2});
        }
        return s;
    }

    private void print(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
