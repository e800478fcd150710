package org.pgmigrate.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTest {

    @Test
    void lineBreaksTabsEscapeAndOtherControlsBecomeVisibleEscapes() {
        assertThat(ControlCharacters.escape("a\nb\rc\td\u001b[31me\u0000f\u007fg\u0085h"))
                .isEqualTo("a\\nb\\rc\\td\\u001b[31me\\u0000f\\u007fg\\u0085h");
    }

    @Test
    void unicodeLineSeparatorsAndBidiOverridesAreEscapedToo() {
        assertThat(ControlCharacters.escape("x\u2028y\u2029z\u202eevil\u2066")).isEqualTo("x\\u2028y\\u2029z\\u202eevil\\u2066");
    }

    @Test
    void printableTextIsLeftAsItIsIncludingBackslashesAndNonAscii() {
        String text = "Database 'café' (C:\\data) \u00e9t\u00e9 \uD83D\uDE00";
        assertThat(ControlCharacters.escape(text)).isSameAs(text);
        assertThat(ControlCharacters.escape(null)).isNull();
    }
}
