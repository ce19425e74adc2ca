package org.plantclef.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, padded with spaces to a multiple of 8, then the
 * little-endian data. Written as F32; read from F32, F16 and BF16 (widened to float32). Files
 * written here load with Python's {@code safetensors.torch.load_file}.
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

    /** The tensors of a file held in memory, by name, in file order, as float32. */
    public static Map<String, Tensor> read(byte[] file) throws IOException {
        return parse(new BytesSource(file), null);
    }

    /**
     * The tensors of a file, by name, in file order, as float32 (F16 and BF16 are widened). Only
     * the header and then each tensor's own bytes are read, so a file larger than 2 GB (a ViT-g)
     * loads as long as each tensor fits a Java array.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(new ChannelSource(channel, file), null);
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString())
                    ? e
                    : new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The string metadata of a file held in memory. */
    public static Map<String, String> metadata(byte[] file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        parse(new BytesSource(file), out);
        return out;
    }

    /** The string metadata of a file; only its header is read. */
    public static Map<String, String> metadata(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            parse(new ChannelSource(channel, file), out);
        }
        return out;
    }

    /** Largest header read: the reference implementation's limit. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Where the bytes are: a file or an array. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code out} from {@code position}. */
        void read(long position, ByteBuffer out) throws IOException;
    }

    private record BytesSource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void read(long position, ByteBuffer out) {
            out.put(bytes, (int) position, out.remaining());
        }
    }

    private record ChannelSource(FileChannel channel, Path file) implements Source {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void read(long position, ByteBuffer out) throws IOException {
            long at = position;
            while (out.hasRemaining()) {
                int n = channel.read(out, at);
                if (n < 0) {
                    throw new IOException(file + " ended early at byte " + at);
                }
                at += n;
            }
        }
    }

    /**
     * Reads and checks the header, then each tensor. Every size is checked against the file's
     * before anything is allocated, so a lying header costs an error, not the heap.
     */
    private static Map<String, Tensor> parse(Source source, Map<String, String> metadataOut)
            throws IOException {
        long size = source.size();
        if (size < 8) {
            throw new IOException("not a safetensors file: " + size + " bytes");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        source.read(0, lengthBytes);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
            throw new IOException(
                    "not a safetensors file: its header length says "
                            + headerLength
                            + " bytes, the file has "
                            + size);
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        source.read(8, headerBytes);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("not a safetensors file: its header is not JSON", e);
        }
        if (header == null || !header.isObject()) {
            throw new IOException("not a safetensors file: its header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        java.util.TreeMap<Long, Long> ranges = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (metadataOut != null) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadataOut.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            if (metadataOut != null) {
                continue;
            }
            JsonNode t = e.getValue();
            String dtype = t.path("dtype").asText();
            int width =
                    switch (dtype) {
                        case "F32" -> 4;
                        case "F16", "BF16" -> 2;
                        default ->
                                throw new IOException(
                                        "tensor "
                                                + name
                                                + " is "
                                                + (dtype.isEmpty() ? "without dtype" : dtype)
                                                + "; only F32, F16 and BF16 are read");
                    };
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IOException("tensor " + name + " has no shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) {
                    throw new IOException("tensor " + name + " has a bad shape " + shapeNode);
                }
                shape[i] = d.asLong();
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                } catch (ArithmeticException overflow) {
                    throw new IOException("tensor " + name + " has a bad shape " + shapeNode);
                }
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataSize) {
                throw new IOException(
                        "tensor "
                                + name
                                + " has data offsets "
                                + offsets
                                + " outside the "
                                + dataSize
                                + " data bytes");
            }
            if (end - begin > Integer.MAX_VALUE - 8) {
                throw new IOException(
                        "tensor "
                                + name
                                + " has "
                                + (end - begin)
                                + " bytes; tensors over 2 GB are not read");
            }
            if (elements * width != end - begin) {
                throw new IOException(
                        "tensor "
                                + name
                                + " of shape "
                                + shapeNode
                                + " and dtype "
                                + dtype
                                + " needs "
                                + elements * width
                                + " bytes, its offsets give "
                                + (end - begin));
            }
            // Ranges may not overlap (the format lays tensors end to end): without this, a
            // header could name the same gigabyte a thousand times.
            if (end > begin) {
                Map.Entry<Long, Long> before = ranges.floorEntry(begin);
                Map.Entry<Long, Long> after = ranges.ceilingEntry(begin);
                if ((before != null && before.getValue() > begin)
                        || (after != null && after.getKey() < end)) {
                    throw new IOException(
                            "tensor " + name + " overlaps another tensor's data " + offsets);
                }
                ranges.put(begin, end);
            }
            ByteBuffer raw = ByteBuffer.allocate((int) (end - begin));
            source.read(dataStart + begin, raw);
            raw.flip().order(ByteOrder.LITTLE_ENDIAN);
            float[] data = new float[(int) elements];
            switch (dtype) {
                case "F32" -> raw.asFloatBuffer().get(data);
                case "F16" -> {
                    for (int i = 0; i < data.length; i++) {
                        data[i] = halfToFloat(raw.getShort());
                    }
                }
                default -> {
                    for (int i = 0; i < data.length; i++) {
                        data[i] = Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16);
                    }
                }
            }
            tensors.put(name, new Tensor(shape, data));
        }
        return tensors;
    }

    /** IEEE 754 binary16 to float, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
