package org.pgmigrate.engine.catalog;

import java.util.List;

/**
 * What CREATE DATABASE and ALTER DATABASE ... SET need to recreate a database's character on the target.
 *
 * @param localeProvider 'c' (libc) or 'i' (ICU); libc before PostgreSQL 15
 * @param iculocale      the ICU locale when the provider is ICU, else null
 * @param settings       {@code name=value} entries of ALTER DATABASE ... SET (pg_db_role_setting, role 0)
 */
public record DatabaseProperties(String name, String encoding, String collate, String ctype, char localeProvider,
                                 String iculocale, List<String> settings) {

    public DatabaseProperties {
        settings = List.copyOf(settings);
    }
}
