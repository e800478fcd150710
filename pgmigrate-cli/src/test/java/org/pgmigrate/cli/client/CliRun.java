package org.pgmigrate.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pgmigrate.cli.Main;

/** One {@code pgmigrate} command line run through {@link Main#run}, with what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs with {@code --data-dir dataDir} appended, so that no test ever reads ~/.pgmigrate. */
    public static CliRun in(Path dataDir, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--data-dir");
        all.add(dataDir.toString());
        return run(all.toArray(String[]::new));
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
