package org.pgmigrate.testkit.junit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A source and a target cluster shared by the tests of one class, started before the first and stopped after the
 * last (even when tests fail).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClusterPair clusters = ClusterPair.of(15, 15);
 * ... clusters.source().uri("shop") ...
 * }</pre>
 */
public final class ClusterPair implements BeforeAllCallback, AfterAllCallback {

    private final PgCluster.Builder sourceBuilder;
    private final PgCluster.Builder targetBuilder;
    private PgCluster source;
    private PgCluster target;

    private ClusterPair(PgCluster.Builder source, PgCluster.Builder target) {
        this.sourceBuilder = source;
        this.targetBuilder = target;
    }

    public static ClusterPair of(int sourceVersion, int targetVersion) {
        return new ClusterPair(PgCluster.builder().version(sourceVersion).name("source"),
                PgCluster.builder().version(targetVersion).name("target"));
    }

    /** With custom builders, e.g. a source with particular settings. */
    public static ClusterPair of(PgCluster.Builder source, PgCluster.Builder target) {
        return new ClusterPair(source, target);
    }

    public PgCluster source() {
        return source;
    }

    public PgCluster target() {
        return target;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        source = sourceBuilder.start();
        target = targetBuilder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (target != null) {
                target.close();
            }
        } finally {
            if (source != null) {
                source.close();
            }
        }
    }
}
