package org.pgmigrate.service.worker;

/** One database of a run while its job runs: what stops it, and its live progress. */
record RunningDatabase(StopSignal signal, DatabaseProgress progress) {
}
