package org.pgmigrate.testkit.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Freshly initialized data directories to copy instead of running initdb for every cluster.
 *
 * <p>initdb costs about 1.5 s and as much CPU; copying its output takes a tenth of that, and a test suite starts
 * well over a hundred clusters. So the first cluster of a kind (binaries, encoding, locale, superuser) runs initdb
 * into the cache folder, and every later one copies that template, takes a {@link SystemIdentifier system
 * identifier} of its own, and gets its own random password once it runs ({@link PgCluster}).
 *
 * <p>Only when the {@code pgmigrate.clusterTemplates} system property names the cache folder (the build sets it
 * for the tests, under the testkit's {@code target/}); otherwise, as in {@code pgmigrate demo}, every cluster runs
 * initdb. Several JVMs (the build's forks) share one cache: a template is built under an exclusive file lock, in
 * a temporary folder renamed into place when complete, so no JVM ever copies half a template, and none runs initdb
 * for a kind another JVM is already building.
 */
final class ClusterTemplates {

    static final String PROPERTY = "pgmigrate.clusterTemplates";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object LOCK = new Object();

    /** A template: its data directory and the superuser's password in it, which each copy replaces at start. */
    record Template(Path dataDir, String password) {
    }

    private final Path cache;

    ClusterTemplates(Path cache) {
        this.cache = cache;
    }

    /** The cache the build configured, or empty when clusters should run initdb each. */
    static Optional<ClusterTemplates> configured() {
        String folder = System.getProperty(PROPERTY);
        return folder == null || folder.isBlank() ? Optional.empty()
                : Optional.of(new ClusterTemplates(Path.of(folder).toAbsolutePath()));
    }

    /** Copies the template of this kind (made first if missing) to {@code dataDir}, which must not exist yet. */
    Template copyTo(Path dataDir, PgDistribution distribution, InitDb initdb) throws IOException {
        Template template = template(distribution, initdb);
        // cp -a keeps the server user's ownership (when the JVM is root) and the 0700 PostgreSQL demands.
        PgCluster.run(List.of("cp", "-a", template.dataDir().toString(), dataDir.toString()));
        SystemIdentifier.renew(dataDir);
        return template;
    }

    private Template template(PgDistribution distribution, InitDb initdb) throws IOException {
        Path folder = cache.resolve(key(distribution, initdb));
        // Serialized within the JVM too: a FileLock is held per JVM, and a second one from this JVM would throw.
        synchronized (LOCK) {
            Template ready = read(folder);
            if (ready != null) {
                return ready;
            }
            Files.createDirectories(cache);
            Path lockFile = cache.resolve(folder.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                ready = read(folder); // another JVM may have built it while this one waited for the lock
                if (ready != null) {
                    return ready;
                }
                Path work = Files.createTempDirectory(cache, folder.getFileName() + ".build-");
                try {
                    OsUser.handOver(work);
                    String password = "template-" + Long.toHexString(RANDOM.nextLong());
                    initdb.run(distribution, work.resolve("data"), password);
                    Files.writeString(work.resolve("password"), password + "\n");
                    Files.setPosixFilePermissions(work.resolve("password"), PosixFilePermissions.fromString("rw-------"));
                    Files.move(work, folder, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException | RuntimeException e) {
                    PgCluster.deleteTree(work);
                    throw e;
                }
                return read(folder);
            }
        }
    }

    private static Template read(Path folder) throws IOException {
        Path password = folder.resolve("password");
        if (!Files.exists(password)) {
            return null;
        }
        return new Template(folder.resolve("data"), Files.readString(password).trim());
    }

    /**
     * The folder name of a kind: the major and encoding to read, and a digest of all that makes initdb's output
     * differ, the binaries' path, size and time included (an upgraded package makes a new template).
     */
    private String key(PgDistribution distribution, InitDb initdb) throws IOException {
        Path postgres = distribution.binDir().resolve("postgres");
        String identity = String.join("\n", distribution.binDir().toAbsolutePath().toString(),
                Long.toString(Files.size(postgres)), Files.getLastModifiedTime(postgres).toString(),
                String.join(" ", initdb.arguments()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "pg" + distribution.label() + "-" + initdb.encoding().replaceAll("[^A-Za-z0-9]", "")
                    + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs initdb for {@link PgCluster} and for a template alike, so that both make the same cluster. */
    record InitDb(String superuser, String encoding, String locale) {

        /** Every argument but the folder and the password file, which differ per run. */
        List<String> arguments() {
            return List.of("-U", superuser, "--auth-local=trust", "--auth-host=md5", "-E", encoding,
                    "--locale=" + locale);
        }

        void run(PgDistribution distribution, Path dataDir, String password) throws IOException {
            Path pwfile = Files.createTempFile(dataDir.getParent(), "pwfile", "");
            try {
                Files.writeString(pwfile, password + "\n");
                OsUser.handOver(pwfile);
                // 9.x initdb spells it --nosync (--no-sync came with 10).
                String noSync = distribution.major() >= 90 ? "--nosync" : "--no-sync";
                List<String> command = new ArrayList<>(List.of(distribution.initdb().toString(),
                        "-D", dataDir.toString(), "--pwfile=" + pwfile, noSync));
                command.addAll(arguments());
                PgCluster.run(OsUser.asServerUser(command));
            } finally {
                Files.deleteIfExists(pwfile);
            }
        }
    }
}
