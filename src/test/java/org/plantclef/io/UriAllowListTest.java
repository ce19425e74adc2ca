package org.plantclef.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UriAllowListTest {

    private static final UriAllowList ALLOWED =
            UriAllowList.parse("gs://uploads/plots/, file:///data/uploads");

    private static boolean allows(String uri) throws Exception {
        return ALLOWED.allows(new URI(uri));
    }

    @Test
    void allowsWhatLiesUnderAPrefix() throws Exception {
        assertThat(allows("gs://uploads/plots/a.jpg")).isTrue();
        assertThat(allows("gs://uploads/plots/2024/b.jpg")).isTrue();
        assertThat(allows("gs://uploads/plots/x/../c.jpg")).isTrue();
        assertThat(allows("file:///data/uploads/p.jpg")).isTrue();
        assertThat(allows("GS://uploads/plots/a.jpg")).isTrue();
    }

    @Test
    void refusesEverythingElse() throws Exception {
        assertThat(allows("file:///etc/passwd")).isFalse();
        assertThat(allows("gs://uploads/plots/../secrets.jpg")).isFalse();
        assertThat(allows("gs://uploads/plots/%2e%2e/secrets.jpg")).isFalse();
        assertThat(allows("gs://uploads/plotsX/a.jpg")).isFalse();
        assertThat(allows("gs://other/plots/a.jpg")).isFalse();
        assertThat(allows("file:///data/uploads/../../etc/passwd")).isFalse();
        assertThat(allows("file:///data/uploads-old/p.jpg")).isFalse();
        assertThat(allows("hdfs://uploads/plots/a.jpg")).isFalse();
        assertThat(allows("plots/a.jpg")).isFalse();
        assertThat(allows("file://evil.host/data/uploads/p.jpg")).isFalse();
    }

    @Test
    void badPrefixesAreRefused() {
        assertThatThrownBy(() -> UriAllowList.parse(" , ")).hasMessageContaining("no URI prefix");
        assertThatThrownBy(() -> UriAllowList.parse("uploads/plots"))
                .hasMessageContaining("needs a scheme");
        assertThatThrownBy(() -> UriAllowList.parse("gs://b/../x/")).hasMessageContaining("climbs");
    }
}
