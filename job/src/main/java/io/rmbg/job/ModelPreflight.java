package io.rmbg.job;

import io.rmbg.core.inference.ExecutionDevice;
import io.rmbg.core.inference.ModelProfile;
import io.rmbg.core.inference.SegmentationModel;
import io.rmbg.core.process.ModelOptions;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks on the submitting machine, before the job is submitted, that every model the job serves
 * can be loaded: the file exists and is readable and, where ONNX Runtime is on the classpath, it
 * opens and fits its profile. A wrong {@code model.path} then fails {@code flink run} and {@code
 * bin/rmbg local} at once, saying what to fix, instead of failing every TaskManager's {@code open}
 * in a restart loop.
 *
 * <p>Where the model exists only on the TaskManagers (not on the machine that submits), set {@code
 * model.check-on-client=false}.
 */
public final class ModelPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPreflight.class);

    private ModelPreflight() {}

    /**
     * @throws IllegalArgumentException naming the setting and the fix, if a model cannot be loaded
     */
    public static void check(PipelineConfig config) {
        if (!config.checkModelOnClient()) {
            LOG.info(
                    "Not checking the models on this machine ({}=false)",
                    ConfigKeys.MODEL_CHECK_ON_CLIENT);
            return;
        }
        ModelOptions models = config.model();
        check(ConfigKeys.MODEL_PATH, models.profile(), models.path());
        for (Map.Entry<String, String> extra : models.additionalModels().entrySet()) {
            check(
                    ConfigKeys.MODEL_ADDITIONAL + " (" + extra.getKey() + ")",
                    extra.getKey(),
                    extra.getValue());
        }
    }

    /**
     * Checks one model file against {@code profile}; {@code setting} names where it was configured.
     */
    static void check(String setting, String profile, String path) {
        Path file = Path.of(path).toAbsolutePath();
        String fix =
                "; put the model there (bin/rmbg models pull NAME) or point "
                        + setting
                        + " at an .onnx file. If the file exists only on the TaskManagers, set "
                        + ConfigKeys.MODEL_CHECK_ON_CLIENT
                        + "=false";
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(setting + " " + file + " does not exist" + fix);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + " " + file + " is not a file" + fix);
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(
                    setting
                            + " "
                            + file
                            + " cannot be read by this user; fix its permissions (TaskManagers must read it too)");
        }
        load(setting, profile, file);
    }

    private static void load(String setting, String profile, Path file) {
        try (SegmentationModel model =
                SegmentationModel.load(file, ModelProfile.named(profile), ExecutionDevice.CPU, 1)) {
            LOG.info(
                    "{} {} loads as profile {} (version {})",
                    setting,
                    file,
                    profile,
                    model.modelVersion());
        } catch (IllegalArgumentException
                | IllegalStateException
                | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(
                    setting
                            + " "
                            + file
                            + " cannot be loaded as profile '"
                            + profile
                            + "': "
                            + e.getMessage()
                            + "; use the model's .onnx file and the profile it was exported"
                            + " for (model.profile / model.additional)",
                    e);
        } catch (LinkageError e) {
            // flink run's classpath need not hold ONNX Runtime (it lives in the TaskManagers'
            // lib/).
            LOG.warn(
                    "ONNX Runtime is not available here ({}): checked only that {} {} is a readable file",
                    e.toString(),
                    setting,
                    file);
        }
    }
}
