package org.pgmigrate.service.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %escapedMsg}: the log message with its control characters escaped ({@link ControlCharacters}). Messages
 * carry text from requests (names, paths, the values of bad input), from source databases and from servers' errors;
 * escaped, a newline in any of it cannot start a forged log line. Registered in the logback configurations with
 * {@code <conversionRule conversionWord="escapedMsg" class="..."/>}.
 */
public class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return ControlCharacters.escape(super.convert(event));
    }
}
