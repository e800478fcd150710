package org.pgmigrate.service.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {

    @Test
    void theKnownPasswordsAreMaskedWhereverTheyAppear() {
        String out = SecretScrubber.scrub("connecting with s3cr3t-Source and t4rget! ... s3cr3t-Source again",
                Arrays.asList("s3cr3t-Source", "t4rget!", null, ""));
        assertThat(out).isEqualTo("connecting with *** and *** ... *** again");
    }

    @Test
    void passwordAssignmentsAndUriPasswordsAreMaskedWithoutKnowingThem() {
        String out = SecretScrubber.scrub("""
                PGPASSWORD=hunter2 pg_ctl restart
                psql "host=db password=swordfish user=bob"
                export DB_PASSWORD='abc123'
                {"password": "json-secret", "user": "u"}
                url postgresql://bob:pw%40x@db.example.com:5432/app and postgres://alice:tops@h/db
                Password: typed-in
                no password supplied""", List.of());
        assertThat(out).doesNotContain("hunter2", "swordfish", "abc123", "json-secret", "pw%40x", "tops", "typed-in")
                .contains("PGPASSWORD=*** pg_ctl restart", "password=*** user=bob", "DB_PASSWORD='***'",
                        "\"password\": \"***\", \"user\": \"u\"", "postgresql://bob:***@db.example.com:5432/app",
                        "postgres://alice:***@h/db", "Password: ***", "no password supplied");
    }

    @Test
    void aPasswordThatContainsAnotherIsMaskedWhole() {
        assertThat(SecretScrubber.scrub("pw=abc and abcdef", List.of("abc", "abcdef"))).isEqualTo("pw=*** and ***");
    }
}
