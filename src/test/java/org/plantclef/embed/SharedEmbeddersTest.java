package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.plantclef.image.RgbImage;

/** Models lent to subtasks and taken back, as a restarted task would. */
class SharedEmbeddersTest {

    @BeforeEach
    @AfterEach
    void closeIdle() {
        SharedEmbedders.closeIdle();
    }

    private static long[] delta(long[] before) {
        long[] now = SharedEmbedders.counts();
        return new long[] {now[0] - before[0], now[1] - before[1]};
    }

    @Test
    void aModelHandedBackIsLentAgainInsteadOfLoaded() {
        EmbedderSpec spec = TinyModels.spec(TinyModels.tokens(), 56, 2, false);
        long[] before = SharedEmbedders.counts();
        List<RgbImage> images = List.of(RgbImage.blank(56, 56), RgbImage.blank(60, 40));
        List<Embedding> first;
        try (Embedder embedder = SharedEmbedders.acquire(spec, 0)) {
            first = embedder.embed(images);
        }
        assertThat(delta(before)).containsExactly(1, 0);

        // Two at once (two slots): the idle one is lent, a second is loaded.
        try (Embedder again = SharedEmbedders.acquire(spec, 0);
                Embedder other = SharedEmbedders.acquire(spec, 0)) {
            assertThat(delta(before)).containsExactly(2, 1);
            assertThat(again.embed(images).get(1).cls()).containsExactly(first.get(1).cls());
            assertThat(other.embed(images).get(1).cls()).containsExactly(first.get(1).cls());
        }

        // Other settings are another model.
        try (Embedder dct =
                SharedEmbedders.acquire(TinyModels.spec(TinyModels.tokens(), 56, 2, true), 0)) {
            assertThat(delta(before)).containsExactly(3, 1);
        }

        SharedEmbedders.closeIdle();
        try (Embedder fresh = SharedEmbedders.acquire(spec, 0)) {
            assertThat(delta(before)).as("closed idle models are gone").containsExactly(4, 1);
        }
    }

    @Test
    void aHandedBackModelCannotBeUsedByItsFormerHolder() {
        EmbedderSpec spec = TinyModels.spec(TinyModels.tokens(), 56, 1, false);
        Embedder embedder = SharedEmbedders.acquire(spec, 0);
        embedder.close();
        embedder.close(); // twice is harmless
        assertThatThrownBy(() -> embedder.embed(List.of(RgbImage.blank(56, 56))))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handed back");
    }

    @Test
    void warmUpRunsTwoBatchesOfASmallModel() {
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.tokens(), 56, 4, false), 0)) {
            assertThat(embedder.warmUp()).hasSize(DjlEmbedder.WARM_UP_BATCHES);
        }
    }
}
