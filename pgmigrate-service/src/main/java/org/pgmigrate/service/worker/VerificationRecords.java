package org.pgmigrate.service.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.pgmigrate.engine.verify.CutoverVerification;
import org.pgmigrate.engine.verify.TableVerification;
import org.pgmigrate.engine.verify.VerificationReport;
import org.pgmigrate.service.migration.VerificationDetails;

/**
 * Writes each database's entry of {@code verificationDetails}, with what the comparison covered: an offline copy,
 * an online base copy (not the final state: changes are applied after it), or the check after a cutover, whose
 * differences on tables and sequences written on the source after the end point are a warning, not a failure.
 * Thread-safe (stateless; the store serializes updates).
 */
final class VerificationRecords {

    private final RunControl run;

    VerificationRecords(RunControl run) {
        this.run = run;
    }

    /** The engine's verification of a copy: {@code scope} is Copy (offline) or BaseCopy (online). */
    void copy(String db, VerificationReport report, String scope) {
        if (report == null) {
            return;
        }
        put(db, new VerificationDetails.Database(db, report.equal() ? "Succeeded" : "Failed",
                tables(report, t -> false), report.sequenceMismatches(), report.objectMismatches(), scope,
                report.warnings()));
    }

    /** The check after a cutover: passed unless a difference is not explained by writes after the end point. */
    void afterCutover(String db, CutoverVerification v) {
        List<String> warnings = new ArrayList<>();
        v.warning().ifPresent(warnings::add);
        warnings.addAll(v.report().warnings());
        put(db, new VerificationDetails.Database(db, v.passed() ? "Succeeded" : "Failed",
                tables(v.report(), v::changedOnSource), v.report().sequenceMismatches(), v.report().objectMismatches(),
                VerificationDetails.SCOPE_AFTER_CUTOVER, warnings));
    }

    private static List<VerificationDetails.Table> tables(VerificationReport report, Predicate<String> changedOnSource) {
        List<VerificationDetails.Table> tables = new ArrayList<>();
        for (TableVerification t : report.tables()) {
            String message = t.equal() ? null : changedOnSource.test(t.table())
                    ? t.describe() + " (written on the source after the cutover's end point)" : t.describe();
            tables.add(new VerificationDetails.Table(t.table(), t.source().rows(), t.target().rows(), t.equal(),
                    message));
        }
        return tables;
    }

    /** Adds (or replaces) the database's entry; the overall status is Succeeded when every entry is. */
    private void put(String db, VerificationDetails.Database entry) {
        run.updateMigration(m -> {
            List<VerificationDetails.Database> dbs = new ArrayList<>();
            if (m.verificationDetails() != null) {
                m.verificationDetails().databases().stream().filter(d -> !d.databaseName().equals(db)).forEach(dbs::add);
            }
            dbs.add(entry);
            boolean allPassed = dbs.stream().allMatch(d -> d.status().equals("Succeeded"));
            return m.withVerificationDetails(new VerificationDetails(allPassed ? "Succeeded" : "Failed", dbs));
        });
    }
}
