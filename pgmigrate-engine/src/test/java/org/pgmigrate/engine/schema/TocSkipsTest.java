package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which lines of {@code pg_restore --list} a migration leaves out when it skips large objects or extensions. The
 * lines are as pg_restore 15 lists a pre-data/post-data archive (pg_dump 15, with owners and privileges kept), plus
 * the forms pg_dump 17 writes for large objects.
 */
class TocSkipsTest {

    private static final List<String> ARCHIVE = List.of(
            "2; 3079 16385 EXTENSION - citext ",
            "3483; 0 0 COMMENT - EXTENSION citext ",
            "3; 3079 16490 EXTENSION - pg_trgm ",
            "3475; 2613 16571 BLOB - 16571 r1",
            "3485; 0 0 COMMENT - LARGE OBJECT 16571 r1",
            "3474; 2613 16572 BLOB - 16572 postgres",
            "3486; 0 0 ACL - LARGE OBJECT 16572 postgres",
            "3487; 0 0 SECURITY LABEL - LARGE OBJECT 16572 postgres",
            "3490; 2613 16573 BLOB METADATA - 16573..16580 postgres",
            "6; 2615 16400 SCHEMA - extensions postgres",
            "7; 0 0 COMMENT - SCHEMA extensions postgres",
            "214; 1259 16402 TABLE public extension postgres",
            "3488; 0 0 COMMENT public TABLE extension postgres",
            "215; 1259 16410 TABLE public blob postgres",
            "216; 1255 16420 FUNCTION public large_object(integer) postgres",
            "3489; 0 0 ACL public FUNCTION large_object(integer) postgres");

    @Test
    void extensionsAndTheirCommentsAreLeftOutAndNothingElse() {
        assertThat(kept(new TocSkips(false, true))).doesNotContain(ARCHIVE.get(0), ARCHIVE.get(1), ARCHIVE.get(2))
                .hasSize(ARCHIVE.size() - 3);
    }

    @Test
    void largeObjectsWithTheirCommentsPrivilegesAndLabelsAreLeftOutAndNothingElse() {
        assertThat(kept(new TocSkips(true, false))).doesNotContain(ARCHIVE.subList(3, 9).toArray(String[]::new))
                .hasSize(ARCHIVE.size() - 6);
    }

    @Test
    void bothOrNeither() {
        assertThat(kept(new TocSkips(true, true))).containsExactlyElementsOf(ARCHIVE.subList(9, ARCHIVE.size()));
        assertThat(kept(TocSkips.NONE)).containsExactlyElementsOf(ARCHIVE);
    }

    @Test
    void anExtensionEntryNamesItsExtension() {
        assertThat(ARCHIVE.stream().map(TocEntry::parse).flatMap(java.util.Optional::stream)
                .map(TocSkips::extensionName).flatMap(java.util.Optional::stream).toList())
                .containsExactly("citext", "pg_trgm");
    }

    private static List<String> kept(TocSkips skips) {
        return ARCHIVE.stream().map(TocEntry::parse).flatMap(java.util.Optional::stream).filter(skips.negate())
                .map(TocEntry::line).toList();
    }
}
