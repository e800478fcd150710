package org.pgmigrate.service;

import java.nio.file.Path;
import java.time.Duration;
import org.pgmigrate.service.worker.JobLimits;

/**
 * A service node as its own JVM, for tests that kill it with -9: {@code ServiceMain <dataDir> <tableJobs>}.
 * Listens on a free loopback port (written to the data dir's endpoint file) until killed.
 */
public final class ServiceMain {

    private ServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceConfig config = ServiceConfig.defaults(new DataDirectory(Path.of(args[0]))).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200))
                .withJobLimits(new JobLimits(2, 1, Integer.parseInt(args[1]), 1));
        ServiceWiring service = ServiceWiring.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Thread.currentThread().join();
    }
}
