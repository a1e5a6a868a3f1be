package io.rmbg.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The Node.js reference: {@code bench/node/reference.mjs} runs
 * {@code @imgly/background-removal-node} 1.4.5 (the npm package's own pipeline on onnxruntime-node)
 * over the same photos. Installed with npm into {@code bench/target/node} on first use, with {@code
 * --ignore-scripts}: the install scripts of onnxruntime-node and sharp 0.32 download binaries from
 * GitHub, while the CPU binaries the reference needs ship inside the npm packages (sharp is pinned
 * to 0.33.5, whose binaries are npm packages).
 */
final class NodeReference {
    private static final Pattern SUMMARY = Pattern.compile("ms_per_photo=(\\d+)");

    private final Path sources;
    private final Path installDir;
    private final PrintStream out;

    NodeReference(Path sources, Path installDir, PrintStream out) {
        this.sources = sources;
        this.installDir = installDir;
        this.out = out;
    }

    /**
     * Mean wall ms per photo (session loaded, one photo at a time), or -1 when it could not run.
     */
    double msPerPhoto(String variant, int rounds, List<Path> photos) {
        try {
            install();
            List<String> command =
                    new ArrayList<>(
                            List.of("node", "reference.mjs", variant, Integer.toString(rounds)));
            photos.forEach(p -> command.add(p.toAbsolutePath().toString()));
            String summary = run(command, true);
            Matcher m = SUMMARY.matcher(summary);
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException | InterruptedException e) {
            out.println("  node reference not run: " + e.getMessage());
            return -1;
        }
    }

    private void install() throws IOException, InterruptedException {
        Files.createDirectories(installDir);
        for (String file : List.of("package.json", "reference.mjs")) {
            Files.copy(
                    sources.resolve(file),
                    installDir.resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(installDir.resolve("node_modules/@imgly/background-removal-node"))) {
            out.println(
                    "  installing the node reference with npm into "
                            + installDir
                            + " (about 300 MB) …");
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"), false);
        }
    }

    /**
     * Runs {@code command} in the install directory; returns its last line, echoing lines when
     * asked.
     */
    private String run(List<String> command, boolean echo)
            throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(command)
                        .directory(installDir.toFile())
                        .redirectErrorStream(true)
                        .start();
        String last = "";
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (echo) {
                    out.println("  " + line);
                }
                last = line;
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command.subList(0, 2)) + " failed: " + last);
        }
        return last;
    }
}
