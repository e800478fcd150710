package org.pgmigrate.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** The converters as a logback configuration uses them: one log record stays one line, whatever it quotes. */
class EscapedConvertersTest {

    @TempDir
    Path dir;

    @Test
    void aMessageAnMdcValueAndAnExceptionMessageCannotStartALineOfTheirOwn() throws Exception {
        Path log = dir.resolve("test.log");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the MDC that slf4j's MDC.put writes to
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(("""
                <configuration>
                  <conversionRule conversionWord="escapedMsg" class="org.pgmigrate.service.logging.EscapedMessageConverter"/>
                  <conversionRule conversionWord="escapedMdc" class="org.pgmigrate.service.logging.EscapedMdcConverter"/>
                  <conversionRule conversionWord="escapedEx" class="org.pgmigrate.service.logging.EscapedThrowableConverter"/>
                  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%-5level db=%%escapedMdc{db} - %%escapedMsg%%n%%escapedEx</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="FILE"/></root>
                </configuration>""").formatted(log).getBytes(StandardCharsets.UTF_8)));
        Logger logger = context.getLogger("test");

        MDC.put("db", "shop\nERROR db=x - forged by a database name");
        try {
            logger.info("PUT /migrations/{} -> 400", "m1\r\nERROR forged by a path\u001b[2J");
            logger.error("failed", new IllegalStateException("outer\nERROR forged by an exception",
                    new RuntimeException("cause\nERROR forged by a cause")));
        } finally {
            MDC.remove("db");
            context.stop();
        }

        String text = Files.readString(log);
        assertThat(text.lines().filter(l -> l.startsWith("ERROR forged") || l.startsWith("ERROR db=x"))).isEmpty();
        assertThat(text.lines().toList().get(0)).isEqualTo("INFO  db=shop\\nERROR db=x - forged by a database name - "
                + "PUT /migrations/m1\\r\\nERROR forged by a path\\u001b[2J -> 400");
        assertThat(text).contains("java.lang.IllegalStateException: outer\\nERROR forged by an exception")
                .contains("Caused by: java.lang.RuntimeException: cause\\nERROR forged by a cause")
                .contains("\tat org.pgmigrate.service.logging.EscapedConvertersTest")
                .doesNotContain("\u001b");
    }
}
