package org.pgmigrate.testkit.data;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Turns a database into what an owner who attacks the migration tool would leave (the CVE-2018-1058 pattern):
 * functions, aggregates, operators and catalog look-alike views in {@code public} with the names and argument types
 * of the built-ins a tool calls unqualified, every one of them raising "pgmigrate called the planted ...", and the
 * database's {@code search_path} set to {@code public, pg_catalog} so that they win over the real ones; plus settings
 * that change how values print. A session that does not pin its own search_path fails at the first planted name it
 * touches; one that does sees nothing unusual.
 *
 * <p>Call {@link #plant} after loading data: the database's settings apply to every later session, including the
 * caller's own.
 */
public final class HostileDatabase {

    /** Built-in functions that migration tools call; every overload without pseudo-type arguments is planted. */
    public static final List<String> FUNCTIONS = List.of(
            "format", "current_setting", "set_config", "hashtext", "hashtextextended", "md5", "sha256", "unnest",
            "quote_ident", "quote_literal", "quote_nullable", "setval", "nextval", "currval", "pg_export_snapshot",
            "txid_status", "txid_current", "txid_current_if_assigned", "pg_current_xact_id", "pg_xact_status",
            "pg_current_wal_lsn", "pg_current_wal_insert_lsn", "pg_current_wal_flush_lsn", "pg_wal_lsn_diff",
            "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size",
            "pg_size_pretty", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_expr", "pg_get_viewdef",
            "pg_get_triggerdef", "pg_get_functiondef", "format_type", "pg_get_userbyid", "pg_backend_pid",
            "pg_terminate_backend", "pg_cancel_backend", "pg_replication_origin_create",
            "pg_replication_origin_drop", "pg_replication_origin_oid", "pg_replication_origin_session_setup",
            "pg_replication_origin_session_reset", "pg_replication_origin_advance", "pg_replication_origin_progress",
            "pg_replication_origin_xact_setup", "pg_create_logical_replication_slot", "pg_drop_replication_slot",
            "pg_logical_emit_message", "pg_control_system", "pg_postmaster_start_time", "pg_is_in_recovery",
            "lo_get", "lo_put", "lo_create", "lo_from_bytea", "lo_unlink", "pg_try_advisory_lock",
            "pg_advisory_lock", "pg_advisory_unlock", "pg_try_advisory_xact_lock", "now", "clock_timestamp",
            "statement_timestamp", "length", "octet_length", "lower", "upper", "substr", "left", "right",
            "string_to_array", "array_to_string", "array_length", "cardinality", "encode", "decode",
            "convert_to", "convert_from", "row_to_json", "to_json", "to_jsonb", "jsonb_build_object",
            "json_build_object", "generate_series", "has_table_privilege", "has_database_privilege",
            "has_schema_privilege", "has_function_privilege", "has_sequence_privilege", "pg_has_role", "version",
            "current_database", "obj_description", "pg_describe_object", "pg_identify_object", "to_regclass",
            "to_regtype", "to_regproc", "pg_get_function_identity_arguments", "pg_get_function_arguments",
            "pg_get_serial_sequence", "pg_sequence_last_value", "pg_sequence_parameters", "textin", "abs", "mod",
            "floor", "ceil", "round", "int8", "int4", "text", "numeric", "pg_column_size", "pg_typeof",
            "array_agg_finalfn", "pg_stat_get_live_tuples", "pg_get_partkeydef", "pg_get_statisticsobjdef",
            "pg_partition_root", "pg_partition_tree", "pg_ls_dir", "inet_server_addr", "inet_server_port",
            "pg_get_replica_identity_index", "pg_import_system_collations", "pg_walfile_name",
            "pg_replication_slot_advance", "pg_logical_slot_peek_changes", "pg_logical_slot_get_changes");

    private HostileDatabase() {
    }

    /** Plants everything in the database {@code c} is connected to (as its owner or a superuser). */
    public static void plant(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION public.pgmigrate_planted_trap(called text) RETURNS boolean LANGUAGE plpgsql AS $$
                    BEGIN
                      RAISE EXCEPTION 'pgmigrate called the planted public.%', called;
                    END $$;
                    CREATE FUNCTION public.pgmigrate_planted_state(state bigint, v bigint) RETURNS bigint
                      LANGUAGE plpgsql AS $$ BEGIN PERFORM public.pgmigrate_planted_trap('aggregate'); RETURN state; END $$;
                    CREATE FUNCTION public.pgmigrate_planted_state(state numeric, v numeric) RETURNS numeric
                      LANGUAGE plpgsql AS $$ BEGIN PERFORM public.pgmigrate_planted_trap('aggregate'); RETURN state; END $$;
                    CREATE FUNCTION public.pgmigrate_planted_state(state text, v text) RETURNS text
                      LANGUAGE plpgsql AS $$ BEGIN PERFORM public.pgmigrate_planted_trap('aggregate'); RETURN state; END $$;
                    CREATE FUNCTION public.pgmigrate_planted_state(state text, v text, d text) RETURNS text
                      LANGUAGE plpgsql AS $$ BEGIN PERFORM public.pgmigrate_planted_trap('aggregate'); RETURN state; END $$;
                    CREATE FUNCTION public.pgmigrate_planted_count(state bigint) RETURNS bigint
                      LANGUAGE plpgsql AS $$ BEGIN PERFORM public.pgmigrate_planted_trap('count(*)'); RETURN state; END $$;
                    CREATE AGGREGATE public.count(*) (sfunc = public.pgmigrate_planted_count, stype = bigint);
                    CREATE AGGREGATE public.sum(bigint) (sfunc = public.pgmigrate_planted_state, stype = bigint);
                    CREATE AGGREGATE public.sum(numeric) (sfunc = public.pgmigrate_planted_state, stype = numeric);
                    CREATE AGGREGATE public.max(bigint) (sfunc = public.pgmigrate_planted_state, stype = bigint);
                    CREATE AGGREGATE public.min(bigint) (sfunc = public.pgmigrate_planted_state, stype = bigint);
                    CREATE AGGREGATE public.max(text) (sfunc = public.pgmigrate_planted_state, stype = text);
                    CREATE AGGREGATE public.string_agg(text, text) (sfunc = public.pgmigrate_planted_state, stype = text);
                    """);
            // Every overload of the listed functions, with the same argument and result types, so that it is an
            // exact match that an earlier search_path entry wins. Pseudo-types ("any", internal, cstring) cannot be
            // declared in PL/pgSQL; those overloads stay unplanted.
            s.execute("""
                    DO $plant$
                    DECLARE
                      f record;
                    BEGIN
                      FOR f IN
                        SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
                               pg_catalog.pg_get_function_result(p.oid) AS result
                          FROM pg_catalog.pg_proc p
                         WHERE p.pronamespace = 'pg_catalog'::regnamespace
                           AND p.proname = ANY (%s)
                           AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proargtypes::oid[]) a(t)
                                             JOIN pg_catalog.pg_type ty ON ty.oid = a.t
                                            WHERE ty.typname IN ('any', 'internal', 'cstring', 'anyrange',
                                                                 'anymultirange', 'anycompatiblerange',
                                                                 'anycompatiblemultirange', 'trigger',
                                                                 'event_trigger', 'language_handler', 'fdw_handler',
                                                                 'index_am_handler', 'tsm_handler',
                                                                 'table_am_handler', 'opaque'))
                           AND pg_catalog.pg_get_function_result(p.oid) NOT SIMILAR TO
                               '%%(internal|cstring|trigger|anyrange|anymultirange|anycompatiblerange)%%'
                           AND %s
                      LOOP
                        BEGIN
                          EXECUTE pg_catalog.format(
                            'CREATE FUNCTION public.%%I(%%s) RETURNS %%s LANGUAGE plpgsql AS %%L',
                            f.proname, f.args, f.result,
                            pg_catalog.format('BEGIN PERFORM public.pgmigrate_planted_trap(%%L); END',
                                              f.proname || '(' || f.args || ')'));
                        EXCEPTION WHEN others THEN
                          RAISE NOTICE 'not planted: %%(%%): %%', f.proname, f.args, SQLERRM;
                        END;
                      END LOOP;
                    END
                    $plant$
                    """.formatted(arrayLiteral(FUNCTIONS), ordinaryFunction(c)));
            // Operators on the types a tool compares and concatenates.
            StringBuilder ops = new StringBuilder();
            String[][] operators = {
                    {"=", "text", "text"}, {"=", "integer", "integer"}, {"=", "bigint", "bigint"}, {"=", "oid", "oid"},
                    {"=", "name", "name"}, {"=", "boolean", "boolean"}, {"=", "\"char\"", "\"char\""},
                    {"<>", "text", "text"}, {"<>", "integer", "integer"}, {"<>", "oid", "oid"},
                    {"<", "bigint", "bigint"}, {">", "bigint", "bigint"}, {"<", "integer", "integer"},
                    {">", "integer", "integer"}, {">=", "bigint", "bigint"}, {"<=", "bigint", "bigint"},
                    {"||", "text", "text"}, {"~", "text", "text"}, {"!~", "text", "text"}, {"~~", "text", "text"},
                    {"!~", "name", "text"}, {"~", "name", "text"}, {"~~", "name", "text"},
                    {"+", "bigint", "bigint"}, {"-", "bigint", "bigint"}, {"+", "integer", "integer"},
                    {"*", "bigint", "bigint"}, {"/", "bigint", "bigint"}};
            int i = 0;
            for (String[] op : operators) {
                String fn = "public.pgmigrate_planted_op" + i++;
                ops.append("CREATE FUNCTION ").append(fn).append("(").append(op[1]).append(", ").append(op[2])
                        .append(") RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RETURN public.pgmigrate_planted_trap(")
                        .append("'operator ").append(op[0]).append(" (").append(op[1].replace("\"", ""))
                        .append(", ").append(op[2].replace("\"", "")).append(")'); END $$;\n");
                ops.append("CREATE OPERATOR public.").append(op[0]).append(" (LEFTARG = ").append(op[1])
                        .append(", RIGHTARG = ").append(op[2]).append(", PROCEDURE = ").append(fn).append(");\n");
            }
            s.execute(ops.toString());
            // Catalog look-alikes: an unqualified catalog name in a tool's SQL would read these.
            StringBuilder views = new StringBuilder();
            for (String catalog : List.of("pg_class", "pg_namespace", "pg_attribute", "pg_index", "pg_type",
                    "pg_roles", "pg_database", "pg_stat_activity", "pg_replication_slots", "pg_publication",
                    "pg_publication_tables", "pg_constraint", "pg_depend", "pg_sequence", "pg_proc", "pg_settings",
                    "pg_largeobject_metadata", "pg_stat_replication", "pg_locks", "pg_extension")) {
                // Reading it raises; a query naming one of the catalog's columns fails on the missing column.
                views.append("CREATE VIEW public.").append(catalog).append(" AS SELECT public.pgmigrate_planted_trap('")
                        .append(catalog).append("') AS trapped;\n");
            }
            s.execute(views.toString());
            String db = currentDatabase(c);
            s.execute("ALTER DATABASE " + db + " SET search_path = public, pg_catalog;"
                    + "ALTER DATABASE " + db + " SET DateStyle = 'SQL, DMY';"
                    + "ALTER DATABASE " + db + " SET IntervalStyle = 'sql_standard';"
                    + "ALTER DATABASE " + db + " SET extra_float_digits = -15;"
                    + "ALTER DATABASE " + db + " SET bytea_output = 'escape';"
                    + "ALTER DATABASE " + db + " SET xmloption = 'document';"
                    + "ALTER DATABASE " + db + " SET array_nulls = off");
        }
    }

    /** How many planted functions and operators the database has (to prove a test planted what it meant to). */
    public static long plantedCount(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc WHERE pronamespace"
                     + " OPERATOR(pg_catalog.=) 'public'::regnamespace) + (SELECT pg_catalog.count(*) FROM"
                     + " pg_catalog.pg_operator WHERE oprnamespace OPERATOR(pg_catalog.=) 'public'::regnamespace)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String ordinaryFunction(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion() >= 11 ? "p.prokind = 'f'" : "NOT p.proisagg AND NOT p.proiswindow";
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT pg_catalog.current_database()")) {
            rs.next();
            return '"' + rs.getString(1).replace("\"", "\"\"") + '"';
        }
    }

    private static String arrayLiteral(List<String> names) {
        StringBuilder s = new StringBuilder("ARRAY[");
        for (int i = 0; i < names.size(); i++) {
            s.append(i == 0 ? "" : ", ").append('\'').append(names.get(i).replace("'", "''")).append('\'');
        }
        return s.append("]::name[]").toString();
    }
}
