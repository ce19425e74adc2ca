package org.plantclef.embed;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageOps;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.Resizer;
import org.plantclef.image.RgbImage;
import org.plantclef.image.Tile;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.ImageSources;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.TileRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a plot photo and cuts it into the N×N grid of DESIGN.md, or into several grids (the
 * multiscale strategy: each photo is decoded once and cut at every scale). Each tile is reduced to
 * the model's input square right here, so the records between this and the embed operator carry
 * model-sized pixels, not megapixel crops. Photos that do not decode or are smaller than a grid go
 * to the dead letters, with none of their tiles sent on: a plot is scored whole or not at all.
 */
public final class TileFunction extends ProcessFunction<ImageRecord, TileRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(TileFunction.class);

    private static final long serialVersionUID = 1L;

    private final int[] grids;
    private final int tilesInPlot;
    private final int imageSize;
    private final long maxPixels;

    /** Metric: photos decoded and cut. */
    public static final String IMAGES = "images-tiled";

    /** Metric: tiles cut. */
    public static final String TILES = "tiles";

    /** Metric: photos per second (a one-minute moving rate). */
    public static final String IMAGES_PER_SECOND = "images-per-second";

    private transient ImageDecoder decoder;
    private transient Counter images;
    private transient Counter tileCount;
    private transient Preprocessor preprocessor;

    public TileFunction(int grid, int imageSize, long maxPixels) {
        this(new int[] {grid}, imageSize, maxPixels);
    }

    /**
     * @param grids the N of every N×N grid to cut, in the order tiles are emitted (1 = whole image)
     */
    public TileFunction(int[] grids, int imageSize, long maxPixels) {
        if (grids.length == 0) {
            throw new IllegalArgumentException("at least one grid is needed");
        }
        int total = 0;
        for (int grid : grids) {
            if (grid < 1) {
                throw new IllegalArgumentException("grid must be at least 1, was " + grid);
            }
            total += grid * grid;
        }
        this.grids = grids.clone();
        this.tilesInPlot = total;
        this.imageSize = imageSize;
        this.maxPixels = maxPixels;
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = new ImageDecoder(maxPixels);
        preprocessor = new Preprocessor(imageSize);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        images = metrics.counter(IMAGES);
        tileCount = metrics.counter(TILES);
        metrics.meter(IMAGES_PER_SECOND, new MeterView(images));
    }

    /** The plot a photo shows: its plot_id column, else its file name without extension. */
    public static String plotIdOf(ImageRecord image) {
        return image.plotId() != null
                ? image.plotId()
                : ImageSources.stripExtension(image.imageName());
    }

    /** Longest plot id accepted. */
    public static final int MAX_PLOT_ID_LENGTH = 256;

    /**
     * Why {@code plotId} cannot be a plot id, or null when it can: it is the first column of the
     * submission CSV ({@code ;}-separated, one row per line) and the key of every output, so no
     * {@code ;}, no line breaks or other control characters, not empty, at most {@value
     * #MAX_PLOT_ID_LENGTH} characters.
     */
    @Nullable
    public static String checkPlotId(String plotId) {
        if (plotId == null || plotId.isBlank()) {
            return "empty plot id";
        }
        if (plotId.length() > MAX_PLOT_ID_LENGTH) {
            return "plot id longer than " + MAX_PLOT_ID_LENGTH + " characters";
        }
        for (int i = 0; i < plotId.length(); i++) {
            char c = plotId.charAt(i);
            if (c == ';' || Character.isISOControl(c)) {
                return "plot id "
                        + plotId.replaceAll("\\p{Cntrl}", "?")
                        + " contains "
                        + (c == ';' ? "';'" : "a control character")
                        + ", which the submission CSV cannot hold";
            }
        }
        return null;
    }

    /**
     * Decodes {@code image} and cuts it into every grid, each tile reduced to the model's square.
     *
     * @throws InvalidImageException the only failure bad bytes may cause (the fuzz tests hold it to
     *     that)
     */
    List<TileRecord> cut(
            ImageDecoder decoder, Preprocessor preprocessor, ImageRecord image, String plotId)
            throws InvalidImageException {
        RgbImage decoded = decoder.decode(image.data());
        List<TileRecord> tiles = new ArrayList<>(tilesInPlot);
        for (Tile square : squares(decoded, grids, preprocessor)) {
            tiles.add(
                    new TileRecord(
                            image.imageName(),
                            plotId,
                            square.index(),
                            square.bounds().grid(),
                            tilesInPlot,
                            square.image().width(),
                            square.image().height(),
                            square.image().rgb()));
        }
        return tiles;
    }

    /**
     * Every grid's tiles of {@code decoded}, in order, each already reduced to the model's square.
     *
     * @throws InvalidImageException when the image is smaller than a grid
     */
    public static List<Tile> squares(RgbImage decoded, int[] grids, Preprocessor preprocessor)
            throws InvalidImageException {
        List<Tile> out = new ArrayList<>();
        for (int grid : grids) {
            for (Tile.Bounds b : ImageOps.gridBounds(decoded.width(), decoded.height(), grid)) {
                // Each tile is resized where it lies in the photo, never copied out first.
                Resizer.Region region = new Resizer.Region(b.x(), b.y(), b.width(), b.height());
                out.add(new Tile(b, preprocessor.square(decoded, region)));
            }
        }
        return out;
    }

    @Override
    public void processElement(ImageRecord image, Context ctx, Collector<TileRecord> out) {
        String plotId = plotIdOf(image);
        String refused = checkPlotId(plotId);
        if (refused != null) {
            ctx.output(DeadLetters.TAG, DeadLetter.of(image.path(), "tile", refused));
            return;
        }
        List<TileRecord> tiles;
        try {
            tiles = cut(decoder, preprocessor, image, plotId);
        } catch (InvalidImageException e) {
            ctx.output(DeadLetters.TAG, DeadLetter.of(image.path(), "tile", e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // A bug of ours or of a decoder (fuzzing found none): one photo must not stop the job.
            LOG.error("Cannot tile {}", image.path(), e);
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(image.path(), "tile", "cannot tile or preprocess: " + e));
            return;
        }
        // Outside the try: a failure of a chained operator downstream (thrown through collect)
        // must fail the task and restart it from its checkpoint, never pass for a bad image.
        tiles.forEach(out::collect);
        images.inc();
        tileCount.inc(tiles.size());
    }
}
