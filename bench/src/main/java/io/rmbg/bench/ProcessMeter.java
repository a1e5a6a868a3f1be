package io.rmbg.bench;

import javax.management.ObjectName;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Memory and CPU of this process, from {@code /proc} (Linux).
 *
 * <p>CPU is split into <i>inference</i> and <i>everything else</i>. ONNX Runtime's intra-op pool
 * runs on native threads the JVM does not know, so {@code ThreadMXBean} cannot see the model's CPU.
 * Instead each thread's time is read from {@code /proc/self/task/<tid>/stat} and threads are told
 * apart with the JVM's own thread dump (which lists every Java and JVM-internal thread with its
 * native id): inference is the named model thread(s) plus every thread the JVM does not list (the
 * runtime's pool); the rest (decode, resize, PNG, hashing, Flink, GC, JIT) is "outside inference".
 */
final class ProcessMeter {
    private static final Pattern NID = Pattern.compile("^\"(.*)\" .*nid=(0x[0-9a-fA-F]+|\\d+)");
    private static final long TICK_NANOS = 1_000_000_000L / 100; // USER_HZ is 100 on Linux

    private ProcessMeter() {}

    /** A point-in-time reading. */
    record Sample(
            long nanoTime,
            long processCpuNanos,
            long inferenceCpuNanos,
            long rssKb,
            long hwmKb,
            long heapCommittedKb,
            long directKb) {
        /**
         * Resident memory that is not Java heap: native (ONNX Runtime, zlib, libjpeg), direct
         * buffers, code.
         */
        long offHeapRssKb() {
            return rssKb - heapCommittedKb;
        }

        long outsideInferenceCpuNanos() {
            return processCpuNanos - inferenceCpuNanos;
        }
    }

    /**
     * @param inferenceThread which Java thread names run the model (their own share of it)
     */
    static Sample sample(Predicate<String> inferenceThread) {
        long now = System.nanoTime();
        Map<Long, String> javaThreads = javaThreadsByNativeId();
        long inference = 0;
        long total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                long tid;
                try {
                    tid = Long.parseLong(task.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                long cpu = threadCpuNanos(task);
                total += cpu;
                String name = javaThreads.get(tid);
                if (name == null || inferenceThread.test(name)) {
                    inference += cpu;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/task (Linux only)", e);
        }
        long process = processCpuNanos();
        long[] memory = memoryKb();
        // Threads that ended earlier count in the process total but in no task: clamp the split.
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
        return new Sample(
                now, Math.max(process, total), inference, memory[0], memory[1], heap, directKb());
    }

    /** Memory held by direct {@code ByteBuffer}s (the model's batch buffers among them), in KiB. */
    static long directKb() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(p -> p.getName().equals("direct"))
                        .mapToLong(BufferPoolMXBean::getMemoryUsed)
                        .sum()
                / 1024;
    }

    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /** {VmRSS, VmHWM} in KiB. */
    static long[] memoryKb() {
        long rss = 0;
        long hwm = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status (Linux only)", e);
        }
        return new long[] {rss, hwm};
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static long threadCpuNanos(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            // Fields after the command name, which may itself hold spaces and parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks =
                    Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * TICK_NANOS;
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended while we looked
        }
    }

    /** Native thread id → name of every thread the JVM knows, from its own thread dump. */
    private static Map<Long, String> javaThreadsByNativeId() {
        String dump;
        try {
            dump =
                    (String)
                            ManagementFactory.getPlatformMBeanServer()
                                    .invoke(
                                            new ObjectName(
                                                    "com.sun.management:type=DiagnosticCommand"),
                                            "threadPrint",
                                            new Object[] {new String[0]},
                                            new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("cannot take a thread dump to attribute CPU time", e);
        }
        Map<Long, String> threads = new HashMap<>();
        for (String line : List.of(dump.split("\n"))) {
            Matcher m = NID.matcher(line);
            if (m.find()) {
                String nid = m.group(2);
                long id =
                        nid.startsWith("0x")
                                ? Long.parseLong(nid.substring(2), 16)
                                : Long.parseLong(nid);
                threads.put(id, m.group(1));
            }
        }
        return threads;
    }
}
