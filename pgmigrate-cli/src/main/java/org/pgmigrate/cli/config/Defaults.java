package org.pgmigrate.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/**
 * The defaults of {@code pgmigrate configure --defaults key=value}, like az's {@code [defaults]} section: a
 * {@code key=value} file in the data directory, overridden by {@code PGMIGRATE_DEFAULTS_<KEY>} environment
 * variables (az's {@code AZURE_DEFAULTS_GROUP} convention). A value given as a flag beats both.
 * Immutable; {@link #save} writes a new file atomically.
 */
public final class Defaults {

    /** The keys a default can be set for: those the commands read. */
    public enum Key {
        GROUP("group", "--resource-group"),
        SUBSCRIPTION("subscription", "--subscription"),
        LOCATION("location", "--location");

        private final String name;
        private final String flag;

        Key(String name, String flag) {
            this.name = name;
            this.flag = flag;
        }

        public String keyName() {
            return name;
        }

        /** The flag the default stands in for. */
        public String flag() {
            return flag;
        }

        /** {@code PGMIGRATE_DEFAULTS_GROUP} and so on. */
        public String environmentVariable() {
            return "PGMIGRATE_DEFAULTS_" + name.toUpperCase(Locale.ROOT);
        }

        public static Key parse(String text) {
            for (Key key : values()) {
                if (key.name.equalsIgnoreCase(text.trim())) {
                    return key;
                }
            }
            throw CliException.invalidInput("Unknown default '" + text + "'. Defaults can be set for: group, "
                    + "subscription, location (for example: pgmigrate configure --defaults group=my-rg).");
        }
    }

    /** Where a resolved value came from, for {@code configure --list-defaults}. */
    public record Value(Key key, String value, String source) {
    }

    private final Path file;
    private final Map<Key, String> fileValues;
    private final Environment env;

    private Defaults(Path file, Map<Key, String> fileValues, Environment env) {
        this.file = file;
        this.fileValues = Collections.unmodifiableMap(new TreeMap<>(fileValues));
        this.env = env;
    }

    /** Reads the defaults file of the data directory; a missing file means no defaults. */
    public static Defaults load(DataDir dataDir, Environment env) {
        Path file = dataDir.defaultsFile();
        Map<Key, String> values = new TreeMap<>();
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new CliException(ExitCode.FAILED,
                        "Cannot read the defaults file " + file + ": " + e.getMessage(), e);
            }
            for (String name : properties.stringPropertyNames()) {
                String value = properties.getProperty(name).trim();
                for (Key key : Key.values()) {
                    if (key.name.equals(name) && !value.isEmpty()) {
                        values.put(key, value);
                    }
                }
            }
        }
        return new Defaults(file, values, env);
    }

    /** The flag's value if given, else the environment's, else the file's. */
    public Optional<String> resolve(Key key, String flagValue) {
        if (flagValue != null && !flagValue.isBlank()) {
            return Optional.of(flagValue.trim());
        }
        return value(key).map(Value::value);
    }

    /** The default for a key (environment first, then file), with its source. */
    public Optional<Value> value(Key key) {
        Optional<String> fromEnv = env.get(key.environmentVariable());
        if (fromEnv.isPresent()) {
            return Optional.of(new Value(key, fromEnv.get(), "environment variable " + key.environmentVariable()));
        }
        return Optional.ofNullable(fileValues.get(key)).map(v -> new Value(key, v, file.toString()));
    }

    /**
     * Writes the file's values with {@code changes} applied (an empty value removes the key, as
     * {@code az configure --defaults group=''} does). Returns the defaults as now stored.
     */
    public Defaults save(Map<Key, String> changes) {
        Map<Key, String> values = new TreeMap<>(fileValues);
        changes.forEach((key, value) -> {
            if (value.isBlank()) {
                values.remove(key);
            } else {
                values.put(key, value.trim());
            }
        });
        Properties properties = new Properties();
        values.forEach((key, value) -> properties.setProperty(key.name, value));
        try {
            createPrivateDirectory(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "defaults", ".tmp");
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                properties.store(writer, "pgmigrate defaults (pgmigrate configure --defaults key=value)");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED,
                    "Cannot write the defaults file " + file + ": " + e.getMessage(), e);
        }
        return new Defaults(file, values, env);
    }

    public Path file() {
        return file;
    }

    // The data directory also holds the service's token: never create it readable by others.
    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }
}
