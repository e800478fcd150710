package org.pgmigrate.engine.copy;

import java.sql.SQLException;
import org.pgmigrate.engine.pg.PgConnector.Side;

/**
 * A failure of one part's copy, with the side it happened on, so that the message can name the server. Keeps the
 * SQLSTATE of the failure it wraps, which decides whether the part is retried.
 */
final class CopyFailure extends SQLException {

    private final Side side;
    /** Rows the source sent when the failure came after the whole stream was read (at commit), else -1. */
    private final long rowsStreamed;

    CopyFailure(Side side, SQLException cause, long rowsStreamed) {
        super(cause.getMessage(), cause.getSQLState(), cause);
        this.side = side;
        this.rowsStreamed = rowsStreamed;
    }

    Side side() {
        return side;
    }

    long rowsStreamed() {
        return rowsStreamed;
    }

    /** {@code e} with its side, unless it already has one. */
    static CopyFailure on(Side side, SQLException e, long rowsStreamed) {
        return e instanceof CopyFailure f ? f : new CopyFailure(side, e, rowsStreamed);
    }
}
