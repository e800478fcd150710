package org.pgmigrate.cli.clone;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.QualifiedName;

/**
 * A filters file in pgcopydb's INI-like format: sections {@code [include-only-schema]}, {@code [exclude-schema]},
 * {@code [include-only-table]}, {@code [exclude-table]} and {@code [exclude-table-data]}, one exact name per line
 * ({@code schema.table}, double-quoted where a name needs it), blank lines and {@code #} or {@code ;} comments
 * ignored. What pgcopydb has and pgmigrate has not (index and extension sections, {@code ~/regex/} patterns) is
 * refused by line, never ignored: a filter that silently took more than asked would copy the wrong data. No INI
 * library fits, because a quoted name may hold {@code =}, {@code ;} or {@code #}, which INI readers take apart.
 *
 * @param includeOnlySchema the names as written, each already checked to read as a name
 */
record FiltersFile(List<String> includeOnlySchema, List<String> excludeSchema, List<String> includeOnlyTable,
                   List<String> excludeTable, List<String> excludeTableData) {

    private static final List<String> UNSUPPORTED = List.of("exclude-index", "include-only-extension",
            "exclude-extension");

    static FiltersFile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.invalidInput("The filters file " + file + " does not exist.");
        } catch (CharacterCodingException e) {
            throw CliException.invalidInput("The filters file " + file + " is not UTF-8 text.");
        } catch (IOException e) {
            throw CliException.invalidInput("Cannot read the filters file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    static FiltersFile parse(String source, List<String> lines) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        for (String name : List.of("include-only-schema", "exclude-schema", "include-only-table", "exclude-table",
                "exclude-table-data")) {
            sections.put(name, new ArrayList<>());
        }
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            String where = source + " line " + (i + 1);
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw bad(where, "a section header must end with ']': " + line);
                }
                section = line.substring(1, line.length() - 1).strip().toLowerCase(java.util.Locale.ROOT);
                if (UNSUPPORTED.contains(section)) {
                    throw bad(where, "section [" + section + "] is a pgcopydb filter that pgmigrate does not have;"
                            + " the sections are " + known(sections) + ".");
                }
                if (!sections.containsKey(section)) {
                    throw bad(where, "unknown section [" + section + "]; the sections are " + known(sections) + ".");
                }
                continue;
            }
            if (section == null) {
                throw bad(where, "'" + line + "' comes before any section: start with a section such as"
                        + " [exclude-table].");
            }
            if (line.startsWith("~")) {
                throw bad(where, "patterns (" + line + ") are not supported: name each schema or table exactly.");
            }
            try {
                if (section.endsWith("schema")) {
                    QualifiedName.parseSchema(line);
                } else {
                    QualifiedName.parseTable(line);
                }
            } catch (EngineException e) {
                throw bad(where, e.getMessage());
            }
            sections.get(section).add(line);
        }
        return new FiltersFile(sections.get("include-only-schema"), sections.get("exclude-schema"),
                sections.get("include-only-table"), sections.get("exclude-table"), sections.get("exclude-table-data"));
    }

    private static String known(Map<String, List<String>> sections) {
        return "[" + String.join("], [", sections.keySet()) + "]";
    }

    private static CliException bad(String where, String message) {
        return CliException.invalidInput("Filters file " + where + ": " + message);
    }
}
