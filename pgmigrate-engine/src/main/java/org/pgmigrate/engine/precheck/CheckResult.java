package org.pgmigrate.engine.precheck;

import java.util.ArrayList;
import java.util.List;

/**
 * One check (the ARM API's ValidationSummaryItem): its type, its overall state and its messages. Every message that
 * is not a success says how to fix the problem.
 */
public record CheckResult(String type, CheckState state, List<Message> messages) {

    public CheckResult {
        messages = List.copyOf(messages);
    }

    /** A ValidationMessage: a severity and a sentence. */
    public record Message(CheckState state, String message) {
    }

    /** Collects the messages of one check; its state is the worst message's. */
    public static final class Builder {
        private final String type;
        private final List<Message> messages = new ArrayList<>();

        public Builder(String type) {
            this.type = type;
        }

        public Builder ok(String message) {
            messages.add(new Message(CheckState.Succeeded, message));
            return this;
        }

        public Builder warn(String message) {
            messages.add(new Message(CheckState.Warning, message));
            return this;
        }

        public Builder fail(String message) {
            messages.add(new Message(CheckState.Failed, message));
            return this;
        }

        public CheckResult build() {
            CheckState state = CheckState.Succeeded;
            for (Message m : messages) {
                state = state.and(m.state());
            }
            return new CheckResult(type, state, messages);
        }
    }
}
