package org.pgmigrate.service;

import java.nio.file.Path;
import java.time.Duration;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.service.worker.JobLimits;

/**
 * A service node as its own JVM, for tests that kill it with -9 or pause it with SIGSTOP:
 * {@code ServiceMain <dataDir> <tableJobs> [<storeUri> <nodeName> [<maxMigrations>]]}, the store's password in
 * {@code PGPASSWORD}. Listens on a free loopback port (written to the data dir's endpoint file) until killed.
 */
public final class ServiceMain {

    private ServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int maxMigrations = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        ServiceConfig config = ServiceConfig.defaults(new DataDirectory(Path.of(args[0]))).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200))
                .withJobLimits(new JobLimits(maxMigrations, 1, Integer.parseInt(args[1]), 1));
        if (args.length > 3) {
            config = config.withStore(StoreLocation.parse(args[2]).withPassword(System.getenv("PGPASSWORD")))
                    .withNodeName(args[3]);
        }
        ServiceWiring service = ServiceWiring.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Thread.currentThread().join();
    }
}
