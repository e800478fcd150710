package org.pgmigrate.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgmigrate.cli.output.Json;

class ServerViewTest {

    static final String SERVER = """
            {"id": "/subscriptions/s/resourceGroups/my-rg/providers/Microsoft.DBforPostgreSQL/servers/src",
             "name": "src", "type": "Microsoft.DBforPostgreSQL/servers", "location": "local",
             "properties": {"fullyQualifiedDomainName": "10.0.0.4", "port": 5433, "sslMode": "Require",
                            "state": "Inaccessible"}}""";

    @Test
    void aListGetsOneRowPerServerAndOneServerOneRow() throws Exception {
        String list = ServerView.table(Json.mapper().readTree("[" + SERVER + "," + SERVER.replace("\"src\"", "\"other\"")
                .replace("/servers\"", "/flexibleServers\"") + "]"));
        String one = ServerView.table(Json.mapper().readTree(SERVER));

        assertThat(list.lines()).hasSize(4);
        assertThat(list).contains("src ").contains("other ").contains("flexible").contains("single");
        assertThat(one.lines().skip(2)).singleElement().asString()
                .contains("src").contains("single").contains("my-rg").contains("10.0.0.4").contains("5433")
                .contains("Require").contains("Inaccessible");
    }
}
