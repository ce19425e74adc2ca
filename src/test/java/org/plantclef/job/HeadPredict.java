package org.plantclef.job;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.plantclef.testutil.KafkaBroker;

/**
 * Predict options for the ITCases that score with the head strategy and the tiny model (no
 * classifier to train), without sources or sinks.
 */
final class HeadPredict {

    private HeadPredict() {}

    /** The head strategy on {@code model} at 56 px, batches of 4, one thread. */
    static Configuration conf(Path model) {
        Configuration conf = new Configuration();
        conf.set(PredictOptions.MODEL, model.toString());
        conf.set(PredictOptions.STRATEGY, "head");
        conf.set(PredictOptions.IMAGE_SIZE, 56);
        conf.set(PredictOptions.BATCH_SIZE, 4);
        conf.set(PredictOptions.THREADS, 1);
        return conf;
    }

    /**
     * {@link #conf} as a streaming job from upload events on {@code <name>-uploads} (group {@code
     * <name>-it}, URIs under {@code photos}) to {@code <name>-predictions} and {@code
     * <name>-dead-letters}.
     */
    static Configuration kafka(Path model, KafkaBroker kafka, String name, Path photos) {
        Configuration conf = conf(model);
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        conf.set(PredictOptions.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        conf.set(PredictOptions.KAFKA_IN, name + "-uploads");
        conf.set(PredictOptions.KAFKA_GROUP, name + "-it");
        conf.set(PredictOptions.KAFKA_ALLOWED_URIS, photos.toUri().toString());
        conf.set(PredictOptions.KAFKA_OUT, name + "-predictions");
        conf.set(PredictOptions.KAFKA_DEAD_LETTERS, name + "-dead-letters");
        conf.set(PredictOptions.MAX_WAIT, Duration.ofMillis(100));
        return conf;
    }
}
