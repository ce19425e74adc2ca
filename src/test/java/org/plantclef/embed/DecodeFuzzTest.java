package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageOps;
import org.plantclef.image.Interpolation;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.TileRecord;
import org.plantclef.testutil.BadInputs;

/**
 * Fuzzes the decode → tile → preprocess path (predict and embed) and the decode → square crop path
 * (ingest) with mutated images and random bytes: every input either gives well-formed tiles or
 * throws {@link InvalidImageException}; nothing else escapes (an escaping exception would be a dead
 * letter "cannot tile" at best, a failed task at worst), and a header's declared size never makes
 * the decoder allocate past its pixel budget. The number of tries is bounded so that CI stays fast;
 * raise them with {@code -Djqwik.tries.default=N} for a longer run.
 */
class DecodeFuzzTest {

    /** A budget small enough that a mutated header cannot make a try slow, as in production. */
    private static final long MAX_PIXELS = 4_000_000L;

    private static final int[] GRIDS = {1, 2, 3};

    private static final int SIZE = 28;

    private final TileFunction tiler = new TileFunction(GRIDS, SIZE, MAX_PIXELS);
    private final ImageDecoder decoder = new ImageDecoder(MAX_PIXELS);
    private final Preprocessor preprocessor = new Preprocessor(SIZE);

    private static final List<byte[]> SEEDS =
            BadInputs.validImages().stream()
                    .filter(c -> (long) c.width() * c.height() <= 10_000)
                    .map(BadInputs.ImageCase::data)
                    .toList();

    @Example
    void everyCorpusCaseDecodesOrIsRefusedAsDeclared() {
        List<String> wrong = new ArrayList<>();
        for (BadInputs.ImageCase c : BadInputs.images()) {
            try {
                RgbImage image = new ImageDecoder().decode(c.data());
                if (!c.decodes() || image.width() != c.width() || image.height() != c.height()) {
                    wrong.add(c + " decoded to " + image.width() + "x" + image.height());
                }
            } catch (InvalidImageException e) {
                if (c.decodes()) {
                    wrong.add(c + " refused: " + e.getMessage());
                } else {
                    assertThat(e.getMessage()).as(c.name()).isNotBlank();
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(BadInputs.invalidImages()).hasSizeGreaterThanOrEqualTo(40);
    }

    @Property(tries = 5000, shrinking = ShrinkingMode.BOUNDED)
    void mutatedImagesTileOrAreRefused(@ForAll("mutatedImages") byte[] data) {
        Statistics.collect(checkTilePath(data) ? "tiled" : "refused");
        checkCropPath(data);
        // Mutations that keep images decodable and ones that break them must both be common.
        Statistics.coverage(
                coverage -> {
                    coverage.check("tiled").percentage(p -> p > 5);
                    coverage.check("refused").percentage(p -> p > 10);
                });
    }

    @Property(tries = 3000, shrinking = ShrinkingMode.BOUNDED)
    void randomBytesAreRefused(@ForAll("randomBytes") byte[] data) {
        checkTilePath(data);
    }

    /** Whether {@code data} gave tiles (true) or was refused as a bad image (false). */
    private boolean checkTilePath(byte[] data) {
        ImageRecord record = new ImageRecord("f.jpg", "fuzz:f.jpg", null, "f", data, Map.of());
        List<TileRecord> tiles;
        try {
            tiles = tiler.cut(decoder, preprocessor, record, "f");
        } catch (InvalidImageException e) {
            assertThat(e.getMessage()).isNotBlank();
            return false;
        }
        assertThat(tiles).hasSize(1 + 4 + 9);
        for (TileRecord tile : tiles) {
            assertThat(tile.width()).isEqualTo(SIZE);
            assertThat(tile.height()).isEqualTo(SIZE);
            assertThat(tile.rgb()).hasSize(SIZE * SIZE * 3);
        }
        return true;
    }

    private void checkCropPath(byte[] data) {
        RgbImage image;
        try {
            image = decoder.decode(data);
        } catch (InvalidImageException e) {
            return;
        }
        assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(MAX_PIXELS);
        RgbImage square = ImageOps.squareCrop(image, 16, Interpolation.BICUBIC);
        assertThat(square.width()).isEqualTo(16);
        assertThat(square.height()).isEqualTo(16);
    }

    @Provide
    Arbitrary<byte[]> mutatedImages() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS).map(byte[]::clone);
        Arbitrary<List<Tuple.Tuple3<Integer, Double, Integer>>> edits =
                Combinators.combine(
                                Arbitraries.integers().between(0, 3),
                                Arbitraries.doubles().between(0, 1),
                                Arbitraries.integers().between(0, 255))
                        .as(Tuple::of)
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(8);
        return Combinators.combine(seed, edits).as(DecodeFuzzTest::mutate);
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        Arbitrary<byte[]> prefix =
                Arbitraries.of(
                        new byte[0],
                        new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
                        new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                        new byte[] {'G', 'I', 'F', '8', '9', 'a'},
                        new byte[] {'B', 'M'});
        Arbitrary<byte[]> body =
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(4096);
        return Combinators.combine(prefix, body)
                .as(
                        (p, b) -> {
                            byte[] out = Arrays.copyOf(p, p.length + b.length);
                            System.arraycopy(b, 0, out, p.length, b.length);
                            return out;
                        });
    }

    /**
     * Applies edits to a valid image: 0 overwrites a byte, 1 truncates, 2 inserts a byte, 3
     * overwrites a byte early in the file (where headers and their declared sizes lie).
     */
    private static byte[] mutate(byte[] data, List<Tuple.Tuple3<Integer, Double, Integer>> edits) {
        byte[] out = data;
        for (Tuple.Tuple3<Integer, Double, Integer> edit : edits) {
            if (out.length == 0) {
                break;
            }
            int at = (int) (edit.get2() * (out.length - 1));
            byte value = (byte) (int) edit.get3();
            switch (edit.get1()) {
                case 0 -> out[at] = value;
                case 1 -> out = Arrays.copyOf(out, at);
                case 2 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = value;
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> out[(int) (edit.get2() * Math.min(out.length - 1, 64))] = value;
            }
        }
        return out;
    }
}
