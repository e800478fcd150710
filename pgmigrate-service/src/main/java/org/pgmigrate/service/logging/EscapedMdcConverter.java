package org.pgmigrate.service.logging;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %escapedMdc{key}}: an MDC value (the migration's name, the database's) with its control characters escaped
 * ({@link ControlCharacters}); a database name may hold a newline.
 */
public class EscapedMdcConverter extends MDCConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return ControlCharacters.escape(super.convert(event));
    }
}
