package io.rmbg.ops;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command, its flags and valued options, and the rest for {@link OpsConfig}. */
final class OpsArgs {
    static final Set<String> FLAGS =
            Set.of(
                    "--gc",
                    "--retention",
                    "--reindex",
                    "--partition",
                    "--prepare",
                    "--apply",
                    "--blobs",
                    "--replace");
    static final Set<String> VALUED =
            Set.of(
                    "--grace-hours",
                    "--dead-letter-hours",
                    "--completed-days",
                    "--failed-days",
                    "--pending-days",
                    "--processing-days",
                    "--batch-rows");

    /** Client programs: a path, or a name on PATH; also RMBG_PG_DUMP and RMBG_PG_RESTORE. */
    static final Set<String> PROGRAMS = Set.of("--pg-dump", "--pg-restore");

    String command;
    final List<String> positional = new ArrayList<>();
    final Set<String> flags = new java.util.HashSet<>();
    final Map<String, String> values = new LinkedHashMap<>();
    final Map<String, String> programs = new LinkedHashMap<>();
    final List<String> configArgs = new ArrayList<>();

    static OpsArgs of(String[] args) {
        OpsArgs p = new OpsArgs();
        p.command = args[0];
        if (!Set.of("status", "maintain", "backup", "restore").contains(p.command)) {
            throw new IllegalArgumentException("unknown command '" + p.command + "'");
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (FLAGS.contains(a)) {
                p.flags.add(a);
            } else if (VALUED.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a number");
                }
                String v = args[++i];
                Long.parseLong(v); // a clear failure here, not later
                p.values.put(a, v);
            } else if (PROGRAMS.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a program's path");
                }
                p.programs.put(a, args[++i]);
            } else if (a.startsWith("--")) {
                p.configArgs.add(a);
                if (i + 1 < args.length) {
                    p.configArgs.add(args[++i]);
                }
            } else {
                p.positional.add(a);
            }
        }
        // Said before any connection: a mistake costs no timeout.
        if (p.command.equals("maintain")
                && !p.flags.contains("--gc")
                && !p.flags.contains("--retention")
                && !p.flags.contains("--reindex")
                && !p.flags.contains("--partition")) {
            throw new IllegalArgumentException(
                    "maintain needs --gc, --retention, --reindex or --partition");
        }
        if (p.command.equals("backup") || p.command.equals("restore")) {
            p.directory();
        }
        return p;
    }

    String pgDump(Map<String, String> env) {
        return programs.getOrDefault("--pg-dump", env.getOrDefault("RMBG_PG_DUMP", "pg_dump"));
    }

    /** As given, else the pg_restore beside a pg_dump given as a path, else PATH's. */
    String pgRestore(Map<String, String> env) {
        String given = programs.getOrDefault("--pg-restore", env.get("RMBG_PG_RESTORE"));
        if (given != null) {
            return given;
        }
        Path dump = Path.of(pgDump(env));
        return dump.getParent() == null
                ? "pg_restore"
                : dump.resolveSibling("pg_restore").toString();
    }

    Path directory() {
        if (positional.size() != 1) {
            throw new IllegalArgumentException(
                    command + " needs one directory: " + command + " DIR");
        }
        return Path.of(positional.get(0));
    }
}
