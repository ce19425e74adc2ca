package org.plantclef.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.plantclef.record.TrainedClassifier;

/** Writes a classifier directory through Flink's file systems (local, gs://, ...). */
public final class ClassifierWriter {

    private ClassifierWriter() {}

    public static void write(TrainedClassifier c, String dir) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem();
        fs.mkdirs(root);
        int classes = c.bias().length;
        String info = c.infoJson();
        JsonNode summary = new ObjectMapper().readTree(info);
        String feature = summary.path("feature").asText();
        String loss = summary.path("loss").asText();
        byte[] weights =
                Safetensors.write(
                        Map.of(
                                "weight",
                                new Safetensors.Tensor(new long[] {classes, c.dim()}, c.weight()),
                                "bias",
                                new Safetensors.Tensor(new long[] {classes}, c.bias())),
                        Map.of("feature", feature, "loss", loss, "format", "plantclef-linear"));
        put(fs, new Path(root, Classifier.WEIGHTS), weights);
        StringBuilder species = new StringBuilder();
        for (long s : c.species()) {
            species.append(s).append('\n');
        }
        put(
                fs,
                new Path(root, Classifier.SPECIES),
                species.toString().getBytes(StandardCharsets.UTF_8));
        put(fs, new Path(root, Classifier.INFO), (info + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void put(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
    }
}
