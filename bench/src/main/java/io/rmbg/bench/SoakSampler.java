package io.rmbg.bench;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * Told of every result (see {@link FlinkRun#run}); every {@code every} results, and at the last, it
 * takes a {@link SoakSample}, prints it as a table row and appends it to the CSV, flushed, so that
 * a run cut short still leaves its rows. At every tenth of the run (and so at the end of the
 * warm-up and at the last result) it also measures the live heap, a full GC then heap used, so that
 * a heap leak shows apart from the sawtooth of young collections; each pauses the pipeline for a
 * fraction of a second. Not more often: full GCs would also free direct buffers that, on a
 * TaskManager, wait for the old generation to fill.
 */
final class SoakSampler implements LongConsumer, Closeable {
    private final PrintStream out;
    private final BufferedWriter csv;
    private final long every;
    private final long images;
    private final long warmUpImages;
    private final long startNanos;
    private final long liveHeapStep;
    private final List<SoakSample> samples = new CopyOnWriteArrayList<>();
    private long nextLiveHeap;
    private volatile SoakSample warm;

    /**
     * @param warmUpImages the first sample at or past this many results is the warm one, that later
     *     samples are compared with
     */
    SoakSampler(PrintStream out, Path csvFile, long every, long images, long warmUpImages)
            throws IOException {
        this.out = out;
        this.csv = Files.newBufferedWriter(csvFile);
        this.every = every;
        this.images = images;
        this.warmUpImages = warmUpImages;
        this.startNanos = System.nanoTime();
        this.liveHeapStep = Math.max(1, images / 10);
        this.nextLiveHeap = liveHeapStep;
        out.println(SoakSample.TABLE_HEADER + "   (memory in MiB)");
        write(SoakSample.CSV_HEADER);
    }

    @Override
    public void accept(long seen) {
        if (seen % every != 0 && seen != images) {
            return;
        }
        SoakSample sample = SoakSample.take(seen, FlinkRun.Probe.failed.get(), startNanos, last());
        boolean warmNow = warm == null && seen >= warmUpImages;
        if (warmNow || seen >= nextLiveHeap || seen == images) {
            sample = sample.withLiveHeap();
            while (nextLiveHeap <= seen) {
                nextLiveHeap += liveHeapStep;
            }
        }
        if (warmNow) {
            warm = sample;
        }
        samples.add(sample);
        out.println(sample.tableRow());
        write(sample.csvRow());
    }

    List<SoakSample> samples() {
        return List.copyOf(samples);
    }

    /** The first sample after the warm-up, {@code null} before it. */
    SoakSample warm() {
        return warm;
    }

    private SoakSample last() {
        return samples.isEmpty() ? null : samples.get(samples.size() - 1);
    }

    private void write(String line) {
        try {
            csv.write(line);
            csv.newLine();
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the soak CSV", e);
        }
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
