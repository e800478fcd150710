package org.pgmigrate.service.migration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerMetadataTest {

    @Test
    void theVersionIsTheMajorOneAndStorageIsInMegabytesRoundedUp() {
        assertThat(ServerMetadata.of("15.18 (Debian 15.18-0+deb12u1)", 8_700_000L, "westeurope"))
                .isEqualTo(new ServerMetadata("15", 9L, "westeurope"));
        assertThat(ServerMetadata.of("18beta1", 1L << 20, null)).isEqualTo(new ServerMetadata("18", 1L, null));
        assertThat(ServerMetadata.of("9.6.24", 0L, null).version()).isEqualTo("9.6");
        assertThat(ServerMetadata.of("10.23", 1L, null)).isEqualTo(new ServerMetadata("10", 1L, null));
        assertThat(ServerMetadata.of("17.6", null, "local").storageMb()).isNull();
    }
}
