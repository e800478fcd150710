package org.pgmigrate.engine.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileNamesTest {

    private static final List<String> HOSTILE = List.of("/tmp/x", "..", ".", "", "../../etc", "a/b", "a\\b",
            "tab\there", "new\nline", "\u00e9t\u00e9", "x".repeat(63), "-rf", "~", "$(touch p)");

    @Test
    void everyNameBecomesOnePathElementUnderTheBaseDirectory() {
        Path base = Path.of("/work/dir");
        for (String name : HOSTILE) {
            String element = FileNames.of(name);
            Path resolved = base.resolve(element);
            assertThat(element).as(name).matches("[A-Za-z0-9_][A-Za-z0-9_-]*-[0-9a-f]{16}");
            assertThat(resolved.normalize().getParent()).as(name).isEqualTo(base);
            assertThat(resolved.getFileName().toString()).as(name).isEqualTo(element);
        }
    }

    @Test
    void keepsAReadablePartAndTellsNamesApartThatReadTheSame() {
        assertThat(FileNames.of("shop")).startsWith("shop-");
        assertThat(FileNames.of("/tmp/x")).startsWith("_tmp_x-");
        assertThat(FileNames.of("x".repeat(63))).startsWith("x".repeat(40) + "-").hasSize(40 + 1 + 16);
        Set<String> distinct = new HashSet<>();
        for (String name : List.of("a.b", "a_b", "a/b", "a b", "A.b", "a.B")) {
            distinct.add(FileNames.of(name));
        }
        assertThat(distinct).hasSize(6);
    }

    @Test
    void theSameNameAlwaysGivesTheSameFileNameSoAResumedRunFindsItsFiles() {
        // Pinned: a change here moves the files of interrupted runs out of a resumed run's sight.
        assertThat(FileNames.of("shop")).isEqualTo("shop-8d9001d32c6a703d");
        assertThat(FileNames.of("/tmp/x")).isEqualTo("_tmp_x-2e56aa36f538b33b");
    }
}
