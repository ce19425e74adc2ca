package org.plantclef.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face), float32 tensors only: an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range, padded with spaces to a
 * multiple of 8, then the little-endian data. Files written here load with Python's {@code
 * safetensors.torch.load_file}.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** A float32 tensor: its shape and row-major values. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape holds " + n + " values, data " + data.length);
            }
        }
    }

    /**
     * The bytes of a file holding {@code tensors} (written in name order, as Python's writer does)
     * and the string {@code metadata}.
     */
    public static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out =
                ByteBuffer.allocate(Math.toIntExact(8 + padded + offset))
                        .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : sorted.values()) {
            for (float v : t.data()) {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    /** The tensors of a file (float32 only), by name, in file order. */
    public static Map<String, Tensor> read(byte[] file) throws IOException {
        return parse(file, null);
    }

    /** The string metadata of a file. */
    public static Map<String, String> metadata(byte[] file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        parse(file, out);
        return out;
    }

    private static Map<String, Tensor> parse(byte[] file, Map<String, String> metadataOut)
            throws IOException {
        if (file.length < 8) {
            throw new IOException("not a safetensors file: " + file.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong();
        if (headerLength < 2 || 8 + headerLength > file.length) {
            throw new IOException("not a safetensors file: header length " + headerLength);
        }
        JsonNode header =
                JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        long dataStart = 8 + headerLength;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                if (metadataOut != null) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadataOut.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            JsonNode t = e.getValue();
            if (!"F32".equals(t.path("dtype").asText())) {
                throw new IOException(
                        "tensor "
                                + e.getKey()
                                + " is "
                                + t.path("dtype").asText()
                                + ", only F32 is read");
            }
            long[] shape = new long[t.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
            }
            long begin = t.path("data_offsets").get(0).asLong();
            long end = t.path("data_offsets").get(1).asLong();
            if (begin < 0
                    || end < begin
                    || dataStart + end > file.length
                    || (end - begin) % 4 != 0) {
                throw new IOException("tensor " + e.getKey() + " has bad data offsets");
            }
            float[] data = new float[(int) ((end - begin) / 4)];
            ByteBuffer slice =
                    ByteBuffer.wrap(file, (int) (dataStart + begin), (int) (end - begin))
                            .order(ByteOrder.LITTLE_ENDIAN);
            slice.asFloatBuffer().get(data);
            tensors.put(e.getKey(), new Tensor(shape, data));
        }
        return tensors;
    }
}
