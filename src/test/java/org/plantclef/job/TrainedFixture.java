package org.plantclef.job;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.plantclef.embed.TinyModels;
import org.plantclef.synth.SyntheticDataset;

/**
 * What the predict ITCases start from: a small synthetic dataset, its plot photos as image Parquet,
 * and a classifier trained (ingest, embed with the tiny model, train) on its species.
 */
record TrainedFixture(SyntheticDataset.Result data, Path plots, Path classifier) {

    /** The tiny model's input side used throughout. */
    static final int IMAGE_SIZE = 56;

    static TrainedFixture create(Path dir, int plots) throws Exception {
        SyntheticDataset.Result data =
                SyntheticDataset.generate(
                        dir.resolve("data"),
                        new SyntheticDataset.Spec(5, 24, plots, 96, 240, 180, 3, 11));
        Path images = dir.resolve("train-images");
        Configuration ingest = new Configuration();
        ingest.set(IngestOptions.INPUT, data.layout().train().toString());
        ingest.set(IngestOptions.OUTPUT, images.toString());
        ingest.set(IngestOptions.SQUARE_SIZE, 64);
        new IngestJob(IngestJob.Settings.from(ingest))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        Path plotImages = dir.resolve("plot-images");
        Configuration plotIngest = new Configuration();
        plotIngest.set(IngestOptions.INPUT, data.layout().plots().toString());
        plotIngest.set(IngestOptions.OUTPUT, plotImages.toString());
        plotIngest.set(IngestOptions.SQUARE_SIZE, 0);
        new IngestJob(IngestJob.Settings.from(plotIngest))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        Path embeddings = dir.resolve("embeddings");
        Configuration embed = new Configuration();
        embed.set(EmbedOptions.INPUT, images.toString());
        embed.set(EmbedOptions.OUTPUT, embeddings.toString());
        embed.set(EmbedOptions.MODEL, TinyModels.tokens().toString());
        embed.set(EmbedOptions.IMAGE_SIZE, IMAGE_SIZE);
        embed.set(EmbedOptions.THREADS, 1);
        embed.set(EmbedOptions.DCT, true);
        new EmbedJob(EmbedJob.Settings.from(embed))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        Path classifier = dir.resolve("classifier");
        Configuration train = new Configuration();
        train.set(TrainOptions.INPUT, embeddings.toString());
        train.set(TrainOptions.OUTPUT, classifier.toString());
        train.set(TrainOptions.MIN_IMAGES, 5);
        train.set(TrainOptions.FEATURE, TrainOptions.Feature.DCT);
        train.set(TrainOptions.EPOCHS, 30);
        train.set(TrainOptions.LEARNING_RATE, 0.05);
        new TrainJob(TrainJob.Settings.from(train))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        return new TrainedFixture(data, plotImages, classifier);
    }

    /** Predict options for the tiny model and this classifier, without source or sinks. */
    Configuration predictConf(String strategy) {
        Configuration conf = new Configuration();
        conf.set(PredictOptions.MODEL, TinyModels.tokens().toString());
        conf.set(PredictOptions.CLASSIFIER, classifier.toString());
        conf.set(PredictOptions.STRATEGY, strategy);
        conf.set(PredictOptions.IMAGE_SIZE, IMAGE_SIZE);
        conf.set(PredictOptions.BATCH_SIZE, 4);
        conf.set(PredictOptions.THREADS, 1);
        return conf;
    }
}
