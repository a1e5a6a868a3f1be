package io.rmbg.core.inference;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Where a model runs, as written in the job configuration: {@code cpu}, {@code cuda} (GPU 0) or
 * {@code cuda:N}. Parsed strictly so a typo fails at startup instead of silently running on CPU.
 */
public record ExecutionDevice(Kind kind, int index) {

    public enum Kind {
        CPU,
        CUDA
    }

    public static final ExecutionDevice CPU = new ExecutionDevice(Kind.CPU, 0);

    public ExecutionDevice {
        requireNonNull(kind, "kind cannot be null");
        if (index < 0 || (kind == Kind.CPU && index != 0)) {
            throw new IllegalArgumentException("invalid device index " + index + " for " + kind);
        }
    }

    public static ExecutionDevice cuda(int index) {
        return new ExecutionDevice(Kind.CUDA, index);
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} (case-insensitive, surrounding spaces
     * ignored).
     *
     * @throws IllegalArgumentException for anything else, quoting the value and the accepted forms
     */
    public static ExecutionDevice parse(String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("cpu")) {
                return CPU;
            }
            if (v.equals("cuda")) {
                return cuda(0);
            }
            if (v.startsWith("cuda:")
                    && v.length() > 5
                    && v.length() <= 9
                    && v.substring(5).chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return cuda(Integer.parseInt(v.substring(5)));
            }
        }
        throw new IllegalArgumentException(
                "invalid execution device '"
                        + value
                        + "': expected 'cpu', 'cuda' or 'cuda:N' with N the GPU index (0, 1, ...)");
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** The configuration form: {@code cpu} or {@code cuda:N}; {@link #parse} accepts it back. */
    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
