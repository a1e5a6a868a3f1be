package io.rmbg.local;

import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import io.rmbg.core.model.ModelUnavailableException;
import io.rmbg.core.model.NpmModelFetcher;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.ModelSettings;
import io.rmbg.job.config.PipelineConfig;
import io.rmbg.testkit.SyntheticModels;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.rmbg.local.LocalConsole.say;

/**
 * The model {@code bin/rmbg local} runs when the user named none: the real IS-Net model, fetched
 * into the user's cache on first use; the colour-key net only when it cannot be fetched (no npm, no
 * registry).
 *
 * @param config the settings with the chosen model
 * @param real whether that is a real model (the demo then sends photos, not drawings)
 */
record DemoModel(PipelineConfig config, boolean real) {

    /** {@code config} unchanged when its {@code model.path} is the user's own. */
    static DemoModel choose(PipelineConfig config, Path dataDir, int slots) throws Exception {
        if (!config.model().path().equals(ModelSettings.PATH.defaultValue())) {
            return new DemoModel(config, false);
        }
        FetchableModel real = FetchableModel.DEFAULT;
        try {
            Path file = new NpmModelFetcher(ModelCache.user(), LocalConsole::say).fetch(real);
            say(
                    "Model: "
                            + real.name()
                            + " ("
                            + real.description()
                            + ", profile "
                            + real.profile()
                            + ") from "
                            + file
                            + ". Weights: xuebinqin/DIS via "
                            + real.npmSpec()
                            + " (AGPL-3.0); see README, Models.");
            PipelineConfig.Builder b =
                    config.toBuilder()
                            .set(ConfigKeys.MODEL_PATH, file.toString())
                            .set(ConfigKeys.MODEL_PROFILE, real.profile());
            if (config.model().intraOpThreads() == 0) {
                // Each slot runs its own session: split the cores, do not oversubscribe.
                b.set(
                        ConfigKeys.MODEL_INTRA_OP_THREADS,
                        Math.max(1, Runtime.getRuntime().availableProcessors() / slots));
            }
            return new DemoModel(b.build(), true);
        } catch (ModelUnavailableException e) {
            say("The real model is not available: " + e.getMessage());
        }
        Path model = dataDir.resolve("models/colour-key.onnx");
        if (!Files.exists(model)) {
            Files.createDirectories(model.getParent());
            SyntheticModels.writeColourKeyModel(model, 1024);
        }
        say(
                "Model: "
                        + model
                        + " — FALLBACK: a colour-key demo net written by this project (keeps reddish"
                        + " pixels, drops bluish ones), so the demo sends drawings, not photos. Run bin/rmbg models pull "
                        + real.name()
                        + " once npm can reach its registry, or point model.path at a model (see README).");
        return new DemoModel(
                config.toBuilder().set(ConfigKeys.MODEL_PATH, model.toString()).build(), false);
    }
}
