package io.rmbg.core.process;

import io.rmbg.core.inference.GpuOptions;
import io.rmbg.core.inference.ModelProfile;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Which models a slot serves and where they run.
 *
 * @param path the default model's {@code .onnx} file, readable on every TaskManager
 * @param profile the default model's profile name ({@code rmbg-2.0}, {@code birefnet}, …): input
 *     size, normalisation, output activation; events without {@code params.model} get this model
 * @param device {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto} (see {@code
 *     DeviceSelection})
 * @param intraOpThreads ONNX Runtime threads per session; 0 lets the runtime choose
 * @param gpu CUDA and TensorRT settings, used when the device is a GPU
 * @param additionalModels more models by profile name → file: a slot loads one the first time an
 *     event asks for it in {@code params.model}, then keeps its session
 */
public record ModelOptions(
        String path,
        String profile,
        String device,
        int intraOpThreads,
        GpuOptions gpu,
        Map<String, String> additionalModels)
        implements Serializable {

    public ModelOptions {
        requireNonNull(path, "model.path cannot be null");
        requireNonNull(profile, "model.profile cannot be null");
        requireNonNull(device, "model.device cannot be null");
        requireNonNull(gpu, "gpu cannot be null");
        requireNonNull(additionalModels, "additionalModels cannot be null");
        // A sorted, serialisable copy: the options travel to the TaskManagers with the function.
        additionalModels = Collections.unmodifiableMap(new TreeMap<>(additionalModels));
        if (additionalModels.containsKey(profile)) {
            throw new IllegalArgumentException(
                    "model.additional names the default profile '"
                            + profile
                            + "' again; the default model is model.path");
        }
    }

    /** One model with the default GPU settings. */
    public ModelOptions(String path, String profile, String device, int intraOpThreads) {
        this(path, profile, device, intraOpThreads, GpuOptions.DEFAULTS, Map.of());
    }

    /** The same options serving {@code models} (profile name → file) besides the default one. */
    public ModelOptions withAdditionalModels(Map<String, String> models) {
        return new ModelOptions(path, profile, device, intraOpThreads, gpu, models);
    }

    /** The same options with {@code gpuOptions}. */
    public ModelOptions withGpu(GpuOptions gpuOptions) {
        return new ModelOptions(
                path, profile, device, intraOpThreads, gpuOptions, additionalModels);
    }

    /** The file serving profile {@code name}, if this job serves it. */
    public Optional<String> pathOf(String name) {
        return name.equalsIgnoreCase(profile.trim())
                ? Optional.of(path)
                : Optional.ofNullable(additionalModels.get(name));
    }

    /** The profiles served: the default first, then the additional ones in name order. */
    public List<String> servedProfiles() {
        List<String> names = new ArrayList<>();
        names.add(profile);
        names.addAll(additionalModels.keySet());
        return names;
    }

    /**
     * Parses {@code model.additional}: comma-separated {@code profile=file} pairs, e.g. {@code
     * u2net=/models/u2net.onnx, rmbg-1.4=/models/rmbg-1.4.onnx}. Blank means none.
     *
     * @throws IllegalArgumentException for a pair without '=', an unknown profile or a profile
     *     named twice
     */
    public static Map<String, String> parseAdditional(String value) {
        Map<String, String> models = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return models;
        }
        for (String pair : value.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException(
                        "model.additional: '"
                                + pair.trim()
                                + "' is not profile=file; e.g. u2net=/models/u2net.onnx");
            }
            String name = ModelProfile.named(pair.substring(0, eq).trim()).name();
            if (models.put(name, pair.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException(
                        "model.additional names profile '" + name + "' twice");
            }
        }
        return models;
    }
}
