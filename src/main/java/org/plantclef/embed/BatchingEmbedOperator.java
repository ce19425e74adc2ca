package org.plantclef.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds records in batches with one model per subtask.
 *
 * <p>Each record's image is reduced to the model's input square on arrival (so the buffer holds at
 * most {@code batchSize} small squares, never full-size photos) and buffered; the buffer goes to
 * the model when it is full, when the oldest record has waited {@code maxWaitMillis}, before every
 * watermark, before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}: nothing buffered
 * is ever left out of a checkpoint, so the operator needs no state) and at the end of input. A
 * record whose image cannot be read goes to the dead letters.
 */
public final class BatchingEmbedOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingEmbedOperator.class);

    /** Metric: records embedded. */
    public static final String EMBEDDED = "embedded";

    /** Metric: records embedded per second (a one-minute moving rate). */
    public static final String EMBEDDED_PER_SECOND = "embedded-per-second";

    /** Metric: milliseconds per model call (preprocessing, inference, DCT), as a histogram. */
    public static final String BATCH_MILLIS = "embed-batch-millis";

    /** Metric: batches run through the model. */
    public static final String BATCHES = "embed-batches";

    private final EmbedderFactory factory;
    private final EmbedAdapter<IN, OUT> adapter;
    private final int batchSize;
    private final long maxWaitMillis;

    private transient Embedder embedder;
    private transient Preprocessor preprocessor;
    private transient List<IN> records;
    private transient List<RgbImage> squares;
    private transient long batchGeneration;
    private transient Counter embedded;
    private transient Counter batches;
    private transient Histogram batchMillis;

    /**
     * @param batchSize records per model call
     * @param maxWaitMillis longest a record waits for its batch to fill (processing time)
     */
    public BatchingEmbedOperator(
            EmbedderFactory factory,
            EmbedAdapter<IN, OUT> adapter,
            int batchSize,
            long maxWaitMillis) {
        if (batchSize < 1 || maxWaitMillis < 1) {
            throw new IllegalArgumentException("batch size and wait must be positive");
        }
        this.factory = factory;
        this.adapter = adapter;
        this.batchSize = batchSize;
        this.maxWaitMillis = maxWaitMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        adapter.open();
        DjlEnvironment.taskSlots(
                getContainingTask()
                        .getEnvironment()
                        .getTaskManagerInfo()
                        .getConfiguration()
                        .get(TaskManagerOptions.NUM_TASK_SLOTS));
        embedder = factory.open(gpuIndex());
        preprocessor = new Preprocessor(embedder.imageSize());
        records = new ArrayList<>(batchSize);
        squares = new ArrayList<>(batchSize);
        embedded = getMetricGroup().counter(EMBEDDED);
        batches = getMetricGroup().counter(BATCHES);
        getMetricGroup().meter(EMBEDDED_PER_SECOND, new MeterView(embedded));
        batchMillis =
                getMetricGroup().histogram(BATCH_MILLIS, new DescriptiveStatisticsHistogram(1000));
    }

    /**
     * The GPU for this subtask: Flink's external resource "gpu" lists the GPUs of this TaskManager
     * (not of the slot), so subtasks spread over them by subtask index; without it, the subtask
     * index (the embedder takes it modulo the GPU count).
     */
    private int gpuIndex() {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos("gpu");
        List<Integer> indices = new ArrayList<>();
        for (ExternalResourceInfo gpu : gpus) {
            var index = gpu.getProperty("index");
            if (index.isPresent()) {
                try {
                    indices.add(Integer.parseInt(index.get().trim()));
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring GPU index '{}' from the gpu external resource", index.get());
                }
            }
        }
        if (indices.isEmpty()) {
            return subtask;
        }
        indices.sort(null);
        return indices.get(subtask % indices.size());
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        IN record = element.getValue();
        RgbImage square;
        try {
            square = preprocessor.square(adapter.image(record));
        } catch (InvalidImageException | RuntimeException e) {
            // Unusable pixels are this record's problem only: the job goes on without it.
            String reason =
                    e instanceof InvalidImageException ? e.getMessage() : "cannot preprocess: " + e;
            output.collect(
                    DeadLetters.TAG,
                    new StreamRecord<>(DeadLetter.of(adapter.source(record), "embed", reason)));
            return;
        }
        if (records.isEmpty()) {
            long generation = batchGeneration;
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis,
                            time -> {
                                if (generation == batchGeneration) {
                                    flush();
                                }
                            });
        }
        records.add(record);
        squares.add(square);
        if (records.size() >= batchSize) {
            flush();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    /**
     * Buffered records go out before the watermark does: a record emitted after it would be late
     * downstream. In particular the final watermark of a bounded input in STREAMING mode (which the
     * per-plot aggregator takes as the end of input) comes before {@link #endInput}.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        batchGeneration++;
        if (records == null || records.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<Embedding> embeddings = embedder.embed(squares);
        batchMillis.update((System.nanoTime() - start) / 1_000_000);
        for (int i = 0; i < records.size(); i++) {
            output.collect(new StreamRecord<>(adapter.output(records.get(i), embeddings.get(i))));
        }
        embedded.inc(records.size());
        batches.inc();
        records.clear();
        squares.clear();
    }

    @Override
    public void close() throws Exception {
        try {
            if (embedder != null) {
                embedder.close();
            }
        } finally {
            super.close();
        }
    }
}
