package io.rmbg.bench;

import io.rmbg.core.process.ModelOptions;
import io.rmbg.testkit.SyntheticModels;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every run starts from: the model, written to the work directory, and the input JPEGs,
 * generated in code and registered with the in-memory {@link BenchBlobStore}.
 *
 * @param uris where the function finds each JPEG, in the same order
 */
record BenchInputs(
        Path modelFile, ModelOptions modelOptions, List<byte[]> jpegs, List<String> uris) {

    /** Writes the model and generates the inputs, printing one line on each. */
    static BenchInputs prepare(BenchOptions o, PrintStream out) throws Exception {
        if (System.getenv("ORT_DISABLE_TELEMETRY") == null) {
            System.err.println("warning: ORT_DISABLE_TELEMETRY is not set (bench/run.sh sets it)");
        }
        Files.createDirectories(o.workDir());
        Path modelFile = writeModel(o, out);
        long g0 = System.nanoTime();
        List<byte[]> jpegs = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (int i = 0; i < o.distinctImages(); i++) {
            byte[] jpeg = SyntheticPhotos.jpeg(o.width(), o.height(), i);
            jpegs.add(jpeg);
            uris.add(BenchBlobStore.addSource("photo-" + i + ".jpg", jpeg));
        }
        out.println(
                String.format(
                        Locale.ROOT,
                        "inputs: %d distinct JPEGs, mean %.0f KiB, generated in %.1f s",
                        jpegs.size(),
                        jpegs.stream().mapToInt(b -> b.length).average().orElse(0) / 1024,
                        (System.nanoTime() - g0) / 1e9));
        ModelOptions modelOptions =
                new ModelOptions(modelFile.toString(), "rmbg-2.0", o.device(), o.intraOpThreads());
        return new BenchInputs(modelFile, modelOptions, List.copyOf(jpegs), List.copyOf(uris));
    }

    private static Path writeModel(BenchOptions o, PrintStream out) throws Exception {
        Path colourKey = o.workDir().resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(colourKey, 1024);
        if (o.model().equals("colour-key")) {
            return colourKey;
        }
        Path conv =
                o.workDir()
                        .resolve("keyed-conv-" + o.convLayers() + "x" + o.convChannels() + ".onnx");
        BenchModels.writeKeyedConvStack(conv, 1024, o.convLayers(), o.convChannels());
        out.println(
                String.format(
                        Locale.ROOT,
                        "conv-stack model: %d conv layers of %d channels (%.2f GMAC"
                                + " per 1024² image) with the colour key's mask",
                        o.convLayers(),
                        o.convChannels(),
                        BenchModels.convGmac(o.convLayers(), o.convChannels(), 1024)));
        return conv;
    }
}
