package org.plantclef.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.MetadataRow;

/**
 * Joins images with their metadata row on {@code image_name}. An image meets its row whichever
 * arrives first; at the end of the input (an event-time timer at the end of time, which in BATCH
 * mode fires as soon as the key is done) an image still without a row is emitted as it is and
 * counted, a row without an image is counted, and state is cleared.
 *
 * <p>The species of the directory and of the CSV must agree: an image whose two species ids differ
 * is a labelling error, sent to the dead letters rather than trained on. A second row for the same
 * image_name is a dead letter too.
 */
public final class MetadataJoin
        extends KeyedCoProcessFunction<String, ImageRecord, MetadataRow, ImageRecord> {

    private static final long serialVersionUID = 1L;

    /** Accumulator: images for which the CSV had no row. */
    public static final String IMAGES_WITHOUT_METADATA = "images-without-metadata";

    /** Accumulator: CSV rows for which there was no image. */
    public static final String METADATA_WITHOUT_IMAGE = "metadata-without-image";

    private transient ListState<ImageRecord> waiting;
    private transient ValueState<MetadataRow> row;
    private transient ValueState<Boolean> matched;
    private transient LongCounter imagesWithoutMetadata;
    private transient LongCounter metadataWithoutImage;

    @Override
    public void open(OpenContext openContext) {
        waiting =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("waiting", ImageRecord.class));
        row = getRuntimeContext().getState(new ValueStateDescriptor<>("row", MetadataRow.class));
        matched =
                getRuntimeContext().getState(new ValueStateDescriptor<>("matched", Boolean.class));
        imagesWithoutMetadata = new LongCounter();
        metadataWithoutImage = new LongCounter();
        getRuntimeContext().addAccumulator(IMAGES_WITHOUT_METADATA, imagesWithoutMetadata);
        getRuntimeContext().addAccumulator(METADATA_WITHOUT_IMAGE, metadataWithoutImage);
    }

    @Override
    public void processElement1(ImageRecord image, Context ctx, Collector<ImageRecord> out)
            throws Exception {
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        MetadataRow metadata = row.value();
        if (metadata == null) {
            waiting.add(image);
        } else {
            emit(image, metadata, ctx, out);
        }
    }

    @Override
    public void processElement2(MetadataRow metadata, Context ctx, Collector<ImageRecord> out)
            throws Exception {
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        if (row.value() != null) {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(
                            metadata.imageName(),
                            "metadata",
                            "duplicate metadata row for image_name '"
                                    + metadata.imageName()
                                    + "'; the first one is used"));
            return;
        }
        row.update(metadata);
        for (ImageRecord image : waiting.get()) {
            emit(image, metadata, ctx, out);
        }
        waiting.clear();
    }

    private void emit(
            ImageRecord image, MetadataRow metadata, Context ctx, Collector<ImageRecord> out)
            throws Exception {
        matched.update(true);
        Long species = image.speciesId();
        if (species != null
                && metadata.speciesId() != null
                && !species.equals(metadata.speciesId())) {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(
                            image.path(),
                            "metadata",
                            "species_id conflict: the directory says "
                                    + species
                                    + ", the metadata says "
                                    + metadata.speciesId()));
            return;
        }
        Map<String, String> merged = new HashMap<>(image.metadata());
        merged.putAll(metadata.columns());
        out.collect(image.withMetadata(species != null ? species : metadata.speciesId(), merged));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ImageRecord> out)
            throws Exception {
        for (ImageRecord image : waiting.get()) {
            imagesWithoutMetadata.add(1);
            out.collect(image);
        }
        if (row.value() != null && matched.value() == null) {
            metadataWithoutImage.add(1);
        }
        waiting.clear();
        row.clear();
        matched.clear();
    }
}
