package org.plantclef.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.plantclef.record.PlotPrediction;
import org.plantclef.record.ScoredTile;

/** The outputs of predict: per-plot JSON Lines and the submission CSV. */
public final class Predictions {

    /** The single submission file of a bounded run, under the output directory. */
    public static final String SUBMISSION_FILE = "submission.csv";

    /** The directory of the JSON Lines files, and of an unbounded run's submission parts. */
    public static final String JSON_DIR = "predictions";

    public static final String SUBMISSION_DIR = "submission";

    private Predictions() {}

    /**
     * One JSON object per plot: {@code plot_id, image_name, strategy, species_ids, scores,
     * tiles_expected, tiles_seen, complete, tiles:[{grid, index, species_ids, probabilities}]}.
     */
    public static String toJson(PlotPrediction p) {
        ObjectMapper mapper = JsonHolder.MAPPER;
        ObjectNode node = mapper.createObjectNode();
        node.put("plot_id", p.plotId());
        node.put("image_name", p.imageName());
        node.put("strategy", p.strategy());
        ArrayNode species = node.putArray("species_ids");
        for (long s : p.speciesIds()) {
            species.add(s);
        }
        ArrayNode scores = node.putArray("scores");
        for (float s : p.scores()) {
            scores.add(s);
        }
        node.put("tiles_expected", p.tilesExpected());
        node.put("tiles_seen", p.tilesSeen());
        node.put("complete", p.complete());
        ArrayNode tiles = node.putArray("tiles");
        for (ScoredTile t : p.tiles()) {
            ObjectNode tile = tiles.addObject();
            tile.put("grid", t.gridSize());
            tile.put("index", t.tileIndex());
            ArrayNode ts = tile.putArray("species_ids");
            for (long s : t.species()) {
                ts.add(s);
            }
            ArrayNode tp = tile.putArray("probabilities");
            for (float v : t.probabilities()) {
                tp.add(v);
            }
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + p, e);
        }
    }

    /** Writes {@code predictions} as {@code predictions-*.jsonl} into {@code dir}. */
    public static void jsonSink(DataStream<PlotPrediction> predictions, String dir) {
        predictions
                .map((MapFunction<PlotPrediction, String>) Predictions::toJson)
                .name("predictions to JSON")
                .uid("predictions-json")
                .sinkTo(DeadLetters.jsonLines(dir, "predictions"))
                .name("prediction files")
                .uid("prediction-sink");
    }

    /** The submission of a bounded run: one sorted {@code submission.csv} at the end. */
    public static void submissionFile(DataStream<PlotPrediction> predictions, String file) {
        predictions
                .transform(
                        "submission csv", BasicTypeInfo.VOID_TYPE_INFO, new SubmissionWriter(file))
                .uid("submission-file")
                .setParallelism(1)
                .setMaxParallelism(1);
    }

    /**
     * The submission of an unbounded run: part files with the header, committed at checkpoints (a
     * plot's row becomes visible once the checkpoint after its prediction completes).
     */
    public static void submissionParts(DataStream<PlotPrediction> predictions, String dir) {
        FileSink<PlotPrediction> sink =
                FileSink.forBulkFormat(new Path(dir), new SubmissionPartWriter.Factory())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .withOutputFileConfig(
                                OutputFileConfig.builder()
                                        .withPartPrefix("submission")
                                        .withPartSuffix(".csv")
                                        .build())
                        .build();
        predictions.sinkTo(sink).name("submission parts").uid("submission-parts");
    }

    /** A submission part: the header, then one row per plot. */
    static final class SubmissionPartWriter implements BulkWriter<PlotPrediction> {
        private final FSDataOutputStream out;

        SubmissionPartWriter(FSDataOutputStream out) throws IOException {
            this.out = out;
            write(Submission.HEADER);
        }

        private void write(String line) throws IOException {
            OutputStream o = out;
            o.write(line.getBytes(StandardCharsets.UTF_8));
            o.write('\n');
        }

        @Override
        public void addElement(PlotPrediction p) throws IOException {
            write(Submission.row(p.plotId(), p.speciesIds()));
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void finish() throws IOException {
            out.flush();
        }

        static final class Factory implements BulkWriter.Factory<PlotPrediction> {
            private static final long serialVersionUID = 1L;

            @Override
            public BulkWriter<PlotPrediction> create(FSDataOutputStream out) throws IOException {
                return new SubmissionPartWriter(out);
            }
        }
    }

    private static final class JsonHolder {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
