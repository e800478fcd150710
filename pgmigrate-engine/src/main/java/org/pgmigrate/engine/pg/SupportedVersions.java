package org.pgmigrate.engine.pg;

import java.util.Optional;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * The PostgreSQL versions pgmigrate migrates from and to, and the one place that says so: validation reports these
 * problems as failed checks, and the engine and the service refuse with the same words before anything is written.
 *
 * <ul>
 *   <li>Sources 9.5 to 18, as Azure's service takes them: pg_dump 15 and newer read servers back to 9.2, and the
 *       engine's catalog queries fall back where a catalog column is younger than the source.</li>
 *   <li>Targets 11 to 18, as Azure's service has them: the engine's target side is written and tested for 11 and
 *       newer (verification hashes with {@code hashtextextended}, indexes on partitioned tables), and a target is
 *       never older than its source.</li>
 *   <li>Online from 10 on: logical decoding with pgoutput and publications came with 10. 9.5 and 9.6 migrate
 *       offline.</li>
 * </ul>
 *
 * <p>Stateless.
 */
public final class SupportedVersions {

    /** 9.5.0. */
    static final int OLDEST_SOURCE = 90500;
    static final int OLDEST_TARGET_MAJOR = 11;
    static final int NEWEST_MAJOR = 18;
    /** 10.0: pgoutput and publications. */
    static final int OLDEST_ONLINE_SOURCE = 100000;

    /** Said in every refusal, so that the user sees what would work. */
    public static final String RANGE = "pgmigrate supports sources 9.5 to " + NEWEST_MAJOR + " and targets "
            + OLDEST_TARGET_MAJOR + " to " + NEWEST_MAJOR;

    private SupportedVersions() {
    }

    /** Why this source cannot be migrated from, or empty. */
    public static Optional<String> sourceProblem(ServerVersion source, String address) {
        if (source.number() < OLDEST_SOURCE) {
            return Optional.of("The source " + address + " runs PostgreSQL " + source + "; " + RANGE + ". Upgrade the"
                    + " source to 9.5 or newer first (pg_upgrade), or move it with pg_dump and pg_restore.");
        }
        if (source.major() > NEWEST_MAJOR) {
            return Optional.of("The source " + address + " runs PostgreSQL " + source + "; " + RANGE + ". This"
                    + " pgmigrate does not know its catalogs yet: use a pgmigrate release that supports PostgreSQL "
                    + source.majorName() + ".");
        }
        return Optional.empty();
    }

    /** Why this target cannot be migrated to, or empty (the target being older than the source is checked apart). */
    public static Optional<String> targetProblem(ServerVersion target, String address) {
        if (target.major() < OLDEST_TARGET_MAJOR) {
            return Optional.of("The target " + address + " runs PostgreSQL " + target + "; " + RANGE + ". Migrate into"
                    + " a server running PostgreSQL " + OLDEST_TARGET_MAJOR + " or newer.");
        }
        if (target.major() > NEWEST_MAJOR) {
            return Optional.of("The target " + address + " runs PostgreSQL " + target + "; " + RANGE + ". Use a"
                    + " pgmigrate release that supports PostgreSQL " + target.majorName() + ", or a target running "
                    + NEWEST_MAJOR + " or older.");
        }
        return Optional.empty();
    }

    /** Why this source cannot be migrated from online (it may still be offline), or empty. */
    public static Optional<String> onlineProblem(ServerVersion source) {
        if (source.number() < OLDEST_ONLINE_SOURCE) {
            return Optional.of("PostgreSQL " + source.majorName() + " has no pgoutput (logical replication came with"
                    + " 10): migrate it offline, or upgrade the source to 10+ first.");
        }
        return Optional.empty();
    }

    /** True when both servers are in the supported range (a target older than its source aside). */
    public static boolean within(ServerVersion source, ServerVersion target) {
        return problem(source, "", target, "").isEmpty();
    }

    /** Why this pair cannot be migrated (source or target outside the range), or empty. */
    public static Optional<String> problem(ServerVersion source, String sourceAddress, ServerVersion target,
                                           String targetAddress) {
        return sourceProblem(source, sourceAddress).or(() -> targetProblem(target, targetAddress));
    }

    /** Why online migration cannot start from this source (outside the range, or without pgoutput), or empty. */
    public static Optional<String> onlineSourceProblem(ServerVersion source, String sourceAddress) {
        return sourceProblem(source, sourceAddress).or(() -> onlineProblem(source)
                .map(p -> "Online migration from the source " + sourceAddress + " is not possible: " + p));
    }

    /** Throws {@link EngineError#UNSUPPORTED_VERSION} when either server is outside the supported range. */
    public static void require(ServerVersion source, String sourceAddress, ServerVersion target, String targetAddress) {
        refuse(problem(source, sourceAddress, target, targetAddress));
    }

    /** Throws {@link EngineError#UNSUPPORTED_VERSION} unless online migration can start from this source. */
    public static void requireOnline(ServerVersion source, String sourceAddress) {
        refuse(onlineSourceProblem(source, sourceAddress));
    }

    private static void refuse(Optional<String> problem) {
        if (problem.isPresent()) {
            throw new EngineException(EngineError.UNSUPPORTED_VERSION, problem.get());
        }
    }
}
