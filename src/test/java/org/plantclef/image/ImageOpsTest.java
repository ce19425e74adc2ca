package org.plantclef.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageOpsTest {

    @Test
    void tilesA1001x799ImageIntoNine333x266TilesRowMajor() throws Exception {
        RgbImage image = TestImages.gradient(1001, 799);
        List<Tile> tiles = ImageOps.grid(image, 3);

        assertThat(tiles).hasSize(9);
        for (int i = 0; i < 9; i++) {
            Tile tile = tiles.get(i);
            int row = i / 3;
            int col = i % 3;
            assertThat(tile.index()).isEqualTo(i);
            assertThat(tile.bounds().row()).isEqualTo(row);
            assertThat(tile.bounds().col()).isEqualTo(col);
            assertThat(tile.bounds().x()).isEqualTo(col * 333);
            assertThat(tile.bounds().y()).isEqualTo(row * 266);
            assertThat(tile.image().width()).isEqualTo(333);
            assertThat(tile.image().height()).isEqualTo(266);
            // The tile holds exactly the pixels of its rectangle.
            assertThat(tile.image().getRgb(0, 0)).isEqualTo(image.getRgb(col * 333, row * 266));
            assertThat(tile.image().getRgb(332, 265))
                    .isEqualTo(image.getRgb(col * 333 + 332, row * 266 + 265));
        }
        // The remainder (1001 - 999 columns, 799 - 798 rows) is dropped.
        Tile last = tiles.get(8);
        assertThat(last.bounds().x() + last.bounds().width()).isEqualTo(999);
        assertThat(last.bounds().y() + last.bounds().height()).isEqualTo(798);
    }

    @Test
    void oneByOneGridIsTheWholeImage() throws Exception {
        RgbImage image = TestImages.gradient(7, 5);
        List<Tile> tiles = ImageOps.grid(image, 1);
        assertThat(tiles).singleElement().satisfies(t -> assertThat(t.image()).isEqualTo(image));
    }

    @Test
    void imageSmallerThanTheGridIsRejected() {
        assertThatThrownBy(() -> ImageOps.grid(TestImages.gradient(2, 10), 3))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("image 2x10 is smaller than the 3x3 grid");
    }

    @Test
    void gridSizeMustBePositive() {
        assertThatThrownBy(() -> ImageOps.gridBounds(10, 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void centerSquareOfLandscapeAndPortrait() {
        RgbImage landscape = TestImages.gradient(10, 6);
        RgbImage square = ImageOps.centerSquare(landscape);
        assertThat(square.width()).isEqualTo(6);
        assertThat(square.height()).isEqualTo(6);
        assertThat(square.getRgb(0, 0)).isEqualTo(landscape.getRgb(2, 0));

        RgbImage portrait = TestImages.gradient(4, 7); // (7 - 4) / 2 = 1 row off the top
        RgbImage square2 = ImageOps.centerSquare(portrait);
        assertThat(square2.width()).isEqualTo(4);
        assertThat(square2.getRgb(3, 3)).isEqualTo(portrait.getRgb(3, 4));
    }

    @Test
    void squareCropResizesTheCentre() {
        RgbImage crop = ImageOps.squareCrop(TestImages.gradient(300, 200), 128, Interpolation.AREA);
        assertThat(crop.width()).isEqualTo(128);
        assertThat(crop.height()).isEqualTo(128);
    }

    @Test
    void cropOutsideTheImageFails() {
        assertThatThrownBy(() -> TestImages.gradient(5, 5).crop(3, 3, 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside a 5x5 image");
    }
}
