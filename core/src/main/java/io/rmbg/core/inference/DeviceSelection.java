package io.rmbg.core.inference;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Picks the device a slot's model runs on, from the configured {@code model.device} and the GPUs
 * Flink's external-resource framework gave this TaskManager ({@code external-resource.gpu.*}: the
 * GPU driver's discovery script reports their indexes, read through {@code
 * getRuntimeContext().getExternalResourceInfos("gpu")}).
 *
 * <ul>
 *   <li>{@code cpu}: the CPU, whatever Flink assigned;
 *   <li>{@code cuda:N}: GPU N, an explicit override of what Flink assigned;
 *   <li>{@code cuda}: a GPU Flink assigned, spreading subtasks over them by subtask index; GPU 0
 *       when Flink assigned none (the framework is not configured);
 *   <li>{@code auto}: like {@code cuda} when Flink assigned GPUs, the CPU otherwise. One job
 *       configuration then serves GPU and CPU TaskManagers.
 * </ul>
 *
 * A CUDA choice still falls back to the CPU, with a warning, when the session cannot use CUDA (see
 * {@link SegmentationModel#load}).
 */
public final class DeviceSelection {
    /** The external resource name of GPUs in Flink's configuration. */
    public static final String FLINK_GPU_RESOURCE = "gpu";

    /** The property of a GPU's {@code ExternalResourceInfo} that holds its index. */
    public static final String FLINK_GPU_INDEX_PROPERTY = "index";

    /** The device chosen and why, for the log. */
    public record Choice(ExecutionDevice device, String reason) {}

    private DeviceSelection() {}

    /**
     * Chooses the device of subtask {@code subtaskIndex}.
     *
     * @param configured {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}
     * @param assignedGpus the indexes of the GPUs Flink assigned to this TaskManager, in any order;
     *     entries that are not whole numbers are ignored
     * @throws IllegalArgumentException if {@code configured} is none of the accepted forms
     */
    public static Choice choose(
            String configured, Collection<String> assignedGpus, int subtaskIndex) {
        String value =
                requireNonNull(configured, "model.device cannot be null")
                        .trim()
                        .toLowerCase(Locale.ROOT);
        List<Integer> gpus = indexes(assignedGpus);
        boolean auto = value.equals("auto");
        if (auto || value.equals("cuda")) {
            if (!gpus.isEmpty()) {
                int gpu = gpus.get(Math.floorMod(subtaskIndex, gpus.size()));
                return new Choice(
                        ExecutionDevice.cuda(gpu),
                        "model.device="
                                + value
                                + ": Flink assigned GPUs "
                                + gpus
                                + " to this TaskManager; subtask "
                                + subtaskIndex
                                + " takes GPU "
                                + gpu);
            }
            return auto
                    ? new Choice(
                            ExecutionDevice.CPU,
                            "model.device=auto: Flink assigned no GPU (configure"
                                    + " external-resource.gpu.* to use one)")
                    : new Choice(
                            ExecutionDevice.cuda(0),
                            "model.device=cuda: Flink assigned no GPU; using GPU 0");
        }
        ExecutionDevice device = parse(configured);
        String reason =
                device.isCuda() && !gpus.isEmpty() && !gpus.contains(device.index())
                        ? "model.device="
                                + device
                                + " overrides the GPUs Flink assigned ("
                                + gpus
                                + ")"
                        : "model.device=" + device;
        return new Choice(device, reason);
    }

    /**
     * Checks a configured value without choosing; for configuration validation at job submission.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static void check(String configured) {
        if (configured != null && configured.trim().toLowerCase(Locale.ROOT).equals("auto")) {
            return;
        }
        parse(configured);
    }

    private static ExecutionDevice parse(String configured) {
        try {
            return ExecutionDevice.parse(configured);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "invalid model.device '"
                            + configured
                            + "': expected 'cpu', 'cuda' (a GPU Flink assigned), 'cuda:N' (GPU N) or 'auto'"
                            + " (a GPU Flink assigned, else the CPU)",
                    e);
        }
    }

    private static List<Integer> indexes(Collection<String> assigned) {
        List<Integer> out = new ArrayList<>();
        for (String s : assigned) {
            if (s != null
                    && !s.isBlank()
                    && s.trim().chars().allMatch(Character::isDigit)
                    && s.trim().length() < 9) {
                int index = Integer.parseInt(s.trim());
                if (!out.contains(index)) {
                    out.add(index);
                }
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
