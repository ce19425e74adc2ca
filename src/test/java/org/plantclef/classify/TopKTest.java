package org.plantclef.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

    @Test
    void largestFirstTiesByIndex() {
        float[] s = {0.1f, 0.5f, 0.2f, 0.5f, 0.9f, Float.NaN};
        assertThat(TopK.indices(s, 3)).containsExactly(4, 1, 3);
        assertThat(TopK.indices(s, 1)).containsExactly(4);
        assertThat(TopK.indices(s, 10)).containsExactly(4, 1, 3, 2, 0);
        assertThat(TopK.indices(new float[0], 3)).isEmpty();
    }

    @Test
    void agreesWithAFullSort() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            float[] s = new float[1 + random.nextInt(60)];
            for (int i = 0; i < s.length; i++) {
                s[i] = random.nextInt(20) / 20f; // many ties
            }
            int k = 1 + random.nextInt(12);
            int[] expected =
                    IntStream.range(0, s.length)
                            .boxed()
                            .sorted(
                                    Comparator.comparingDouble((Integer i) -> -s[i])
                                            .thenComparingInt(i -> i))
                            .limit(k)
                            .mapToInt(Integer::intValue)
                            .toArray();
            assertThat(TopK.indices(s, k)).as(Arrays.toString(s)).containsExactly(expected);
        }
    }
}
