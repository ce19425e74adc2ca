package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.plantclef.embed.TinyModels;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;

/**
 * The shape of the predict dataflow: decode + tile, embed and classify run chained in one task, so
 * tiles (hundreds of KB of pixels each) never leave the thread that cut them; only the scored tiles
 * (a few species each) are shuffled, to the per-plot aggregation.
 */
class PredictJobGraphTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(PredictOptions.Mode.class)
    void tilesNeverCrossTheNetwork(PredictOptions.Mode mode) throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("plots"));
        Files.write(photos.resolve("p1.jpg"), ImageEncoder.jpeg(RgbImage.blank(120, 90), 0.9f));
        Configuration conf = HeadPredict.conf(TinyModels.headModel(tmp.resolve("model")));
        conf.set(PredictOptions.MODE, mode);
        if (mode == PredictOptions.Mode.STREAMING) {
            conf.set(PredictOptions.WATCH, photos.toString());
        } else {
            conf.set(PredictOptions.INPUT, photos.toString());
        }
        conf.set(PredictOptions.OUTPUT, tmp.resolve("out").toString());
        PredictJob job = new PredictJob(PredictJob.Settings.from(conf));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobGraph graph = job.graph(env).getJobGraph();

        List<JobVertex> vertices = new ArrayList<>();
        graph.getVertices().forEach(vertices::add);
        JobVertex tile = only(vertices, "tile");
        assertThat(tile.getName())
                .as("decode + tile, embed and classify chained in one task")
                .contains("embed")
                .contains("classify");
        JobVertex aggregate = only(vertices, "aggregate");
        assertThat(aggregate).isNotSameAs(tile);
        for (JobEdge edge : aggregate.getInputs()) {
            assertThat(edge.getSource().getProducer().getName())
                    .as("what the aggregation receives comes from classify")
                    .contains("classify");
        }
    }

    private static JobVertex only(List<JobVertex> vertices, String name) {
        List<JobVertex> found = vertices.stream().filter(v -> v.getName().contains(name)).toList();
        assertThat(found).as("vertices named %s among %s", name, vertices).hasSize(1);
        return found.get(0);
    }
}
