package org.pgmigrate.engine.pg;

import java.util.Locale;

/** libpq's sslmode values, with the spellings of the Azure API (Prefer, Require, VerifyCA, VerifyFull) accepted too. */
public enum SslMode {
    DISABLE("disable"),
    ALLOW("allow"),
    PREFER("prefer"),
    REQUIRE("require"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    private final String libpqName;

    SslMode(String libpqName) {
        this.libpqName = libpqName;
    }

    public String libpqName() {
        return libpqName;
    }

    /** Parses "require", "Require", "verify-ca", "VerifyCA", "verify_full"...; throws naming the accepted values. */
    public static SslMode parse(String text) {
        String key = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        for (SslMode mode : values()) {
            if (mode.libpqName.replace("-", "").equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown sslmode '" + text
                + "'. Use one of disable, allow, prefer, require, verify-ca, verify-full (or Prefer, Require, VerifyCA, VerifyFull).");
    }
}
