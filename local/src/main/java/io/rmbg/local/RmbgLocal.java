package io.rmbg.local;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.rmbg.job.ModelPreflight;
import io.rmbg.job.RmbgJob;
import io.rmbg.job.config.PipelineConfig;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static io.rmbg.local.LocalConsole.say;

/**
 * {@code bin/rmbg local [--demo] [--fresh]}: the whole system on this machine. Starts Kafka,
 * PostgreSQL and an S3 server, runs the real job on a Flink MiniCluster with the web UI, prints a
 * line per finished job ({@link ResultPrinter}), and keeps running until Ctrl-C.
 */
public final class RmbgLocal {
    static final int WEB_UI_PORT = 8081;
    static final int PARALLELISM = 2;

    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        try {
            LocalArgs parsed = LocalArgs.parse(args);
            if (parsed.help()) {
                LocalArgs.printUsage();
                return;
            }
            new RmbgLocal().run(parsed);
        } catch (Throwable e) {
            System.err.println("rmbg local failed: " + e.getMessage());
            System.err.println(
                    "Details are in .local-data/rmbg.log. Fix the cause above and run bin/rmbg local again.");
            // Servers that failed half-way can leave non-daemon threads behind: make sure we exit.
            System.exit(1);
        }
    }

    private void run(LocalArgs args) throws Exception {
        Path dataDir = args.dataDir();
        if (args.fresh()) {
            say("Fresh start: deleting " + dataDir);
            LocalMachine.deleteRecursively(dataDir);
        }
        DemoModel model =
                DemoModel.choose(
                        PipelineConfig.fromArgs(
                                args.configArgs().toArray(String[]::new), System.getenv()),
                        dataDir,
                        PARALLELISM);
        // Before any server starts: a wrong model.path fails in seconds.
        ModelPreflight.check(model.config());

        LocalStack.Options ports = LocalStack.Options.defaults(dataDir);
        LocalMachine.checkPortsFree(
                ports.kafkaPort(),
                ports.controllerPort(),
                ports.postgresPort(),
                ports.s3Port(),
                WEB_UI_PORT,
                LocalResults.SERVICE_PORT,
                LocalResults.REDIS_PORT);
        say("Starting Kafka, PostgreSQL and the S3 server (data in " + dataDir + ") …");
        LocalStack stack = LocalStack.start(ports, model.config());
        PipelineConfig config = stack.config();

        say("Starting Flink (web UI on http://localhost:" + WEB_UI_PORT + ") …");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                        flinkConfiguration(config, dataDir));
        env.setParallelism(PARALLELISM);
        RmbgJob.configure(env, config);
        RmbgJob.pipeline(config).build(env, config);
        JobClient job = env.executeAsync(RmbgJob.JOB_NAME);

        say("Starting Redis and the results service …");
        LocalResults results = LocalResults.start(config, dataDir);
        ResultPrinter printer = new ResultPrinter(config.kafka(), dataDir);
        printer.start();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> shutDown(printer, job, results, stack, dataDir),
                                "rmbg-shutdown"));

        LocalConsole.printEndpoints(config, dataDir, job, WEB_UI_PORT);
        LocalConsole.printResults(results.url(), results.redisLine());
        if (args.demo()) {
            LocalConsole.printDemoToken(
                    results.url(), DemoEvents.DEMO_USER, results.tokenFor(DemoEvents.DEMO_USER));
        }
        if (args.demo() && model.real()) {
            printer.collectInto(DemoEvents.sendPhotos(config, dataDir, SamplePhotos.ALL));
        } else if (args.demo()) {
            DemoEvents.send(config, dataDir);
        }
        stopped.await();
    }

    private void shutDown(
            ResultPrinter printer,
            JobClient job,
            LocalResults results,
            LocalStack stack,
            Path dataDir) {
        say("Stopping …");
        printer.stop();
        results.close();
        try {
            job.cancel().get();
        } catch (Exception e) {
            // already gone
        }
        stack.close();
        say("Stopped. Data kept in " + dataDir + " (use --fresh to start empty).");
        stopped.countDown();
    }

    static Configuration flinkConfiguration(PipelineConfig config, Path dataDir) {
        Configuration conf = RmbgJob.jobConfiguration(config);
        conf.set(RestOptions.PORT, WEB_UI_PORT);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dataDir.resolve("checkpoints").toUri().toString());
        return conf;
    }
}
