package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void controlCharactersAndLineBreaksBecomeEscapesAndOrdinaryTextStaysAsItIs() {
        assertThat(Printable.escape("x\nALTER ROLE tenant SUPERUSER;--")).isEqualTo("x\\nALTER ROLE tenant SUPERUSER;--");
        assertThat(Printable.escape("a\r\tb\u001b[2Jc\u0085d\u2028e\\f")).isEqualTo("a\\r\\tb\\u001b[2Jc\\u0085d\\u2028e\\\\f");
        String plain = "Ünï 名前 ☃ \"quoted\" 'x'";
        assertThat(Printable.escape(plain)).isSameAs(plain);
    }
}
