package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;

class ByteSizeTest {

    @Test
    void sizesWithAndWithoutUnitsParse() {
        assertThat(ByteSize.parse("0")).isZero();
        assertThat(ByteSize.parse("512MB")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("1.5 GiB")).isEqualTo(3L << 29);
    }

    @Test
    void aBadSizeIsAMessageNamingTheOptionAndTheFormsNotAJavaException() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "clone", "--source",
                "postgresql://a/b", "--target", "postgresql://c/d", "--split-tables-larger-than", "5XB");

        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("ERROR: Invalid value for option '--split-tables-larger-than': Invalid size"
                + " '5XB': use a number with an optional unit, for example 0, 512MB, 10GB, 1TB.")
                .doesNotContain("Exception").doesNotContain("cannot convert");
    }
}
