package io.rmbg.core.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where fetched models live on the user's machine: {@code $XDG_CACHE_HOME/rmbg-flink/models}, or
 * {@code ~/.cache/rmbg-flink/models} when that variable is unset. A file is only ever moved here
 * after its SHA-256 matched, so a file of the right size is trusted without hashing it again.
 */
public final class ModelCache {
    private final Path directory;

    public ModelCache(Path directory) {
        this.directory = directory;
    }

    /** The user's cache, from the environment. */
    public static ModelCache user() {
        return new ModelCache(userDirectory(System.getenv(), System.getProperty("user.home")));
    }

    static Path userDirectory(Map<String, String> env, String home) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache");
        return base.resolve("rmbg-flink").resolve("models");
    }

    public Path directory() {
        return directory;
    }

    /** Where {@code model} is (or would be) cached. */
    public Path pathOf(FetchableModel model) {
        return directory.resolve(model.fileName());
    }

    /** The cached file of {@code model}, if it is there and complete. */
    public Optional<Path> find(FetchableModel model) {
        Path file = pathOf(model);
        try {
            return Files.isRegularFile(file) && Files.size(file) == model.bytes()
                    ? Optional.of(file)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
