package io.rmbg.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code bin/rmbg local}: its own flags, and everything else for the pipeline's
 * settings ({@code --config FILE}, {@code --KEY VALUE}).
 *
 * @param dataDir where the servers keep their data, absolute
 * @param configArgs the arguments for {@code PipelineConfig.fromArgs}
 * @param help whether only the usage was asked for
 */
record LocalArgs(boolean demo, boolean fresh, Path dataDir, List<String> configArgs, boolean help) {

    static LocalArgs parse(String[] args) {
        boolean demo = false;
        boolean fresh = false;
        Path dataDir = Path.of(".local-data");
        List<String> configArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--demo" -> demo = true;
                case "--fresh" -> fresh = true;
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "-h", "--help" -> {
                    return new LocalArgs(demo, fresh, dataDir.toAbsolutePath(), configArgs, true);
                }
                default -> configArgs.add(args[i]);
            }
        }
        return new LocalArgs(demo, fresh, dataDir.toAbsolutePath(), List.copyOf(configArgs), false);
    }

    static void printUsage() {
        LocalConsole.say(
                "usage: bin/rmbg local [--demo] [--fresh] [--data-dir DIR] [--config FILE] [--KEY VALUE …]");
        LocalConsole.say(
                "  --demo      also send sample photos, print their cut-outs and write a contact sheet");
        LocalConsole.say("  --fresh     delete local data (topics, tables, blobs) before starting");
        LocalConsole.say("  --data-dir  where servers keep data (default .local-data)");
    }
}
