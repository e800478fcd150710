package org.pgmigrate.service.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.pgmigrate.engine.verify.SourceWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each database's source had written when its cutover began ({@link SourceWrites}), kept in the migration's
 * checkpoints ({@code online/<db>/end-point-writes}, JSON) so that the verification after the cutover, in this
 * process or after a restart, can tell what the source wrote after the end point. Thread-safe.
 */
final class EndPointWrites {

    private static final Logger LOG = LoggerFactory.getLogger(EndPointWrites.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StoredCheckpoints checkpoints;

    EndPointWrites(StoredCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    void record(String db, SourceWrites writes) {
        try {
            checkpoints.put(key(db), MAPPER.writeValueAsString(writes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize the source's write counters: " + e.getMessage(), e);
        }
    }

    /** The reading taken when the database's last cutover began; empty if none was (or it cannot be read). */
    Optional<SourceWrites> atEndPoint(String db) {
        return checkpoints.get(key(db)).flatMap(json -> {
            try {
                return Optional.of(MAPPER.readValue(json, SourceWrites.class));
            } catch (JsonProcessingException e) {
                LOG.warn("Database {}: the source's write counters at the cutover cannot be read back: {}", db,
                        e.getOriginalMessage());
                return Optional.empty();
            }
        });
    }

    private static String key(String db) {
        return "online/" + db + "/end-point-writes";
    }
}
