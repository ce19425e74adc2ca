package org.plantclef.job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;

/**
 * Keeps one image per key (the image_name of a bounded ingest or embed, the plot id of a bounded
 * predict) and sends every other image with that key to the dead letters, naming the one kept.
 * Which one is kept does not depend on arrival order or parallelism: the smallest path, then the
 * smallest bytes. Two images with one name would otherwise be two rows that every later join
 * confuses, and two photos of one plot would be scored as one plot with twice its tiles.
 *
 * <p>For bounded jobs: the images of a key are held until the key is done (an event-time timer at
 * the end of time, which in BATCH mode fires as soon as the key's records are processed).
 */
public final class DistinctImages extends KeyedProcessFunction<String, ImageRecord, ImageRecord> {

    private static final long serialVersionUID = 1L;

    /** Accumulator and metric: images refused because another image has their key. */
    public static final String DUPLICATES = "duplicate-images";

    private static final Comparator<ImageRecord> KEPT_FIRST =
            Comparator.comparing(ImageRecord::path)
                    .thenComparing((a, b) -> Arrays.compareUnsigned(a.data(), b.data()));

    private final String keyName;
    private transient ListState<ImageRecord> images;
    private transient ValueState<Boolean> timerSet;
    private transient LongCounter duplicates;

    /**
     * {@code images} with one image per key, and the dead letters of the others.
     *
     * @param keyName what the key is, for the dead letter and the operator's name
     */
    public static DeadLetters.Split<ImageRecord> of(
            DataStream<ImageRecord> images, KeySelector<ImageRecord, String> key, String keyName) {
        SingleOutputStreamOperator<ImageRecord> distinct =
                images.keyBy(key, Types.STRING)
                        .process(new DistinctImages(keyName))
                        .name("one image per " + keyName)
                        .uid("distinct-images");
        return new DeadLetters.Split<>(distinct, distinct.getSideOutput(DeadLetters.TAG));
    }

    /**
     * @param keyName what the key is, for the dead letter ("image_name", "plot id")
     */
    public DistinctImages(String keyName) {
        this.keyName = keyName;
    }

    @Override
    public void open(OpenContext openContext) {
        images =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "images", TypeInformation.of(ImageRecord.class)));
        timerSet = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Boolean.class));
        duplicates = new LongCounter();
        getRuntimeContext().addAccumulator(DUPLICATES, duplicates);
    }

    @Override
    public void processElement(ImageRecord image, Context ctx, Collector<ImageRecord> out)
            throws Exception {
        images.add(image);
        if (timerSet.value() == null) {
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            timerSet.update(true);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ImageRecord> out)
            throws Exception {
        List<ImageRecord> all = new ArrayList<>();
        images.get().forEach(all::add);
        images.clear();
        timerSet.clear();
        if (all.isEmpty()) {
            return;
        }
        all.sort(KEPT_FIRST);
        ImageRecord kept = all.get(0);
        out.collect(kept);
        for (int i = 1; i < all.size(); i++) {
            duplicates.add(1);
            ImageRecord dropped = all.get(i);
            String source =
                    dropped.path().equals(kept.path())
                            ? dropped.path() + " (copy " + (i + 1) + " of " + all.size() + ")"
                            : dropped.path();
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(
                            source,
                            "dedupe",
                            "duplicate "
                                    + keyName
                                    + " '"
                                    + ctx.getCurrentKey()
                                    + "': "
                                    + all.size()
                                    + " images have it; "
                                    + kept.path()
                                    + " is kept"));
        }
    }
}
