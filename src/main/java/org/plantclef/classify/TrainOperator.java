package org.plantclef.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.plantclef.embed.DjlEnvironment;
import org.plantclef.record.Sample;
import org.plantclef.record.TrainedClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers every sample (run it with parallelism 1), and at the end of input builds the label index,
 * trains the linear classifier with {@link LinearTrainer} and emits it with its summary. Progress
 * is logged per epoch.
 */
public final class TrainOperator extends AbstractStreamOperator<String>
        implements OneInputStreamOperator<Sample, String>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainOperator.class);

    private final LinearTrainer.Params params;
    private final long minImages;
    private final String feature;

    private transient FloatBuffer features;
    private transient long[] speciesOf;
    private transient boolean[] validation;
    private transient String[] names;
    private transient int count;
    private transient int dim;

    private final String outputDir;

    /**
     * @param output the classifier directory, written here in the task (the weights stay out of the
     *     job's result stream: C x D floats are far above what collecting to a client carries)
     */
    public TrainOperator(
            LinearTrainer.Params params, long minImages, String feature, String output) {
        this.params = params;
        this.minImages = minImages;
        this.feature = feature;
        this.outputDir = output;
    }

    @Override
    public void open() throws Exception {
        super.open();
        DjlEnvironment.prepare(0, null);
        features = new FloatBuffer();
        speciesOf = new long[1024];
        validation = new boolean[1024];
        names = new String[1024];
        dim = -1;
    }

    @Override
    public void processElement(StreamRecord<Sample> element) {
        Sample s = element.getValue();
        if (dim < 0) {
            dim = s.features().length;
        } else if (s.features().length != dim) {
            throw new IllegalStateException(
                    s.imageName() + " has " + s.features().length + " features, others " + dim);
        }
        if (count == speciesOf.length) {
            speciesOf = Arrays.copyOf(speciesOf, count * 2);
            validation = Arrays.copyOf(validation, count * 2);
            names = Arrays.copyOf(names, count * 2);
        }
        features.add(s.features());
        speciesOf[count] = s.speciesId();
        validation[count] = s.validation();
        names[count] = s.imageName();
        count++;
    }

    @Override
    public void endInput() throws Exception {
        if (count == 0) {
            throw new IllegalStateException("no samples to train on");
        }
        Map<Long, Long> counts = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            counts.merge(speciesOf[i], 1L, Long::sum);
        }
        LabelIndex labels = LabelIndex.of(counts, minImages);
        if (labels.size() < 2) {
            throw new IllegalStateException(
                    labels.size()
                            + " species have at least "
                            + minImages
                            + " images; at least 2 are needed (lower --min-images)");
        }
        float[] all = features.array();
        features = null;
        // Samples arrive in an order that depends on the upstream parallelism: sort them (by image
        // name, then species, then features) so the seeded shuffles pick the same samples on
        // every run.
        Integer[] sorted = new Integer[count];
        for (int i = 0; i < count; i++) {
            sorted[i] = i;
        }
        float[] data = all;
        int d = dim;
        Arrays.sort(
                sorted,
                (a, b) -> {
                    int byName = names[a].compareTo(names[b]);
                    if (byName != 0) {
                        return byName;
                    }
                    int bySpecies = Long.compare(speciesOf[a], speciesOf[b]);
                    return bySpecies != 0
                            ? bySpecies
                            : Arrays.compare(data, a * d, a * d + d, data, b * d, b * d + d);
                });
        int trainCount = 0;
        int valCount = 0;
        for (int i = 0; i < count; i++) {
            if (labels.classOf(speciesOf[i]) >= 0) {
                if (validation[i]) {
                    valCount++;
                } else {
                    trainCount++;
                }
            }
        }
        // Train and validation are views into the one feature buffer: no copy.
        int[] trainRows = new int[trainCount];
        int[] trainY = new int[trainCount];
        int[] valRows = new int[valCount];
        int[] valY = new int[valCount];
        int t = 0;
        int v = 0;
        for (int k = 0; k < count; k++) {
            int i = sorted[k];
            int c = labels.classOf(speciesOf[i]);
            if (c < 0) {
                continue;
            }
            if (validation[i]) {
                valRows[v] = i;
                valY[v++] = c;
            } else {
                trainRows[t] = i;
                trainY[t++] = c;
            }
        }
        LOG.info(
                "Training {} on {} train / {} validation images, {} of {} species (>= {} images),"
                        + " {} features",
                params.loss(),
                trainCount,
                valCount,
                labels.size(),
                counts.size(),
                minImages,
                dim);
        LinearTrainer.Result result =
                LinearTrainer.train(
                        new LinearTrainer.Data(all, trainY, dim, trainRows),
                        new LinearTrainer.Data(all, valY, dim, valRows),
                        labels.size(),
                        params,
                        e ->
                                LOG.info(
                                        "epoch {}/{}: train loss {} acc {}, val loss {} acc {},"
                                                + " {} samples/s",
                                        e.epoch(),
                                        params.epochs(),
                                        String.format(Locale.ROOT, "%.4f", e.trainLoss()),
                                        String.format(Locale.ROOT, "%.3f", e.trainAccuracy()),
                                        String.format(Locale.ROOT, "%.4f", e.valLoss()),
                                        String.format(Locale.ROOT, "%.3f", e.valAccuracy()),
                                        String.format(Locale.ROOT, "%.0f", e.samplesPerSecond())));
        long[] species = labels.species().stream().mapToLong(Long::longValue).toArray();
        String info = info(result, labels, counts, trainCount, valCount);
        ClassifierWriter.write(
                new TrainedClassifier(result.weight(), result.bias(), species, dim, info),
                outputDir);
        LOG.info("Wrote classifier directory {}", outputDir);
        output.collect(new StreamRecord<>(info));
    }

    private String info(
            LinearTrainer.Result result,
            LabelIndex labels,
            Map<Long, Long> counts,
            int trainCount,
            int valCount) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("feature", feature);
        root.put("dim", dim);
        root.put("classes", labels.size());
        root.put("loss", params.loss().name());
        ObjectNode hyper = root.putObject("hyper_parameters");
        hyper.put("optimizer", "adam");
        hyper.put("learning_rate", params.learningRate());
        hyper.put("batch_size", params.batchSize());
        hyper.put("max_epochs", params.epochs());
        hyper.put("patience", params.patience());
        hyper.put("balanced", params.balanced());
        hyper.put("seed", params.seed());
        hyper.put("min_images", minImages);
        root.put("epochs_run", result.epochs().size());
        root.put("best_epoch", result.bestEpoch());
        ArrayNode epochs = root.putArray("epochs");
        for (LinearTrainer.Epoch e : result.epochs()) {
            ObjectNode n = epochs.addObject();
            n.put("epoch", e.epoch());
            n.put("train_loss", e.trainLoss());
            n.put("train_accuracy", e.trainAccuracy());
            n.put("val_loss", e.valLoss());
            n.put("val_accuracy", e.valAccuracy());
            n.put("samples_per_second", Math.round(e.samplesPerSecond()));
        }
        root.put("val_macro_f1", result.valMacroF1());
        ObjectNode data = root.putObject("data");
        data.put("images", count);
        data.put("species", counts.size());
        data.put("species_kept", labels.size());
        data.put("train_images", trainCount);
        data.put("val_images", valCount);
        root.put("seconds", result.time().toMillis() / 1000.0);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A growable float array. */
    static final class FloatBuffer {
        private float[] data = new float[1 << 16];
        private int size;

        /** The most floats one Java array holds. */
        static final long MAX = Integer.MAX_VALUE - 8;

        void add(float[] values) {
            long needed = (long) size + values.length;
            if (needed > MAX) {
                throw new IllegalStateException(
                        "more than "
                                + MAX
                                + " feature values: too many images for one training operator at"
                                + " this dimension (use --feature DCT, or fewer images)");
            }
            if (needed > data.length) {
                long grown = Math.min(MAX, Math.max(2L * data.length, needed));
                data = Arrays.copyOf(data, (int) grown);
            }
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        float[] array() {
            return data;
        }
    }
}
