package io.rmbg.udf.process;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * Which model a slot loads and where it runs.
 *
 * @param path the {@code .onnx} file, readable on every TaskManager
 * @param profile a profile name ({@code rmbg-2.0}, {@code birefnet}, …): input size,
 *     normalisation, output activation
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param intraOpThreads ONNX Runtime threads per session; 0 lets the runtime choose
 */
public record ModelOptions(String path, String profile, String device, int intraOpThreads)
        implements Serializable {
    public ModelOptions {
        requireNonNull(path, "model.path cannot be null");
        requireNonNull(profile, "model.profile cannot be null");
        requireNonNull(device, "model.device cannot be null");
    }
}
