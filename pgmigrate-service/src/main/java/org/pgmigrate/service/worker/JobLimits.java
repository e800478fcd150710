package org.pgmigrate.service.worker;

/**
 * How much work one service node does at once. {@code migrations}: migrations running concurrently;
 * {@code databaseJobs}: databases copied concurrently across all of them; {@code tableJobs} and {@code indexJobs}:
 * the engine's parallel COPY and index workers per database. Immutable.
 */
public record JobLimits(int migrations, int databaseJobs, int tableJobs, int indexJobs) {

    public static final JobLimits DEFAULT = new JobLimits(4, 2, 4, 2);

    public JobLimits {
        check("migrations", migrations, 64);
        check("databaseJobs", databaseJobs, 64);
        check("tableJobs", tableJobs, 64);
        check("indexJobs", indexJobs, 64);
    }

    private static void check(String key, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(key + " must be 1 to " + max + ", was " + value);
        }
    }
}
