package org.plantclef.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;
import org.plantclef.record.ImageRecord;

/**
 * The image Parquet format: the DS@GT columns {@code image_name, path, data, species_id}, then
 * metadata columns as strings. Builds the Avro schema, converts records both ways, and reads the
 * schema of Parquet files written by others (Spark writes {@code species_id} as INT32 or INT64).
 */
public final class ImageParquet {

    public static final String IMAGE_NAME = "image_name";
    public static final String PATH = "path";
    public static final String DATA = "data";
    public static final String SPECIES_ID = "species_id";
    public static final String PLOT_ID = "plot_id";

    /** The columns every image Parquet has, in order. */
    public static final List<String> BASE_COLUMNS = List.of(IMAGE_NAME, PATH, DATA, SPECIES_ID);

    /** The metadata columns of the PlantCLEF 2024 training CSV, after image_name and species_id. */
    public static final List<String> PLANTCLEF_2024_METADATA =
            List.of(
                    "organ",
                    "obs_id",
                    "license",
                    "partner",
                    "author",
                    "altitude",
                    "latitude",
                    "longitude",
                    "gbif_species_id",
                    "species",
                    "genus",
                    "family",
                    "dataset",
                    "publisher",
                    "references",
                    "url",
                    "learn_tag",
                    "image_backup_url");

    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ImageParquet() {}

    /**
     * The Avro schema of image Parquet: the base columns, {@code plot_id} if {@code withPlotId},
     * then the given metadata columns as optional strings.
     *
     * @param metadataColumns as {@link #metadataColumns(List)} returns them
     */
    public static Schema schema(List<String> metadataColumns, boolean withPlotId) {
        SchemaBuilder.FieldAssembler<Schema> fields =
                SchemaBuilder.record("ImageRow")
                        .namespace("org.plantclef")
                        .fields()
                        .requiredString(IMAGE_NAME)
                        .optionalString(PATH)
                        .requiredBytes(DATA)
                        .optionalLong(SPECIES_ID);
        if (withPlotId) {
            fields = fields.optionalString(PLOT_ID);
        }
        for (String column : metadataColumns(metadataColumns)) {
            fields = fields.optionalString(column);
        }
        return fields.endRecord();
    }

    /** {@link #schema(List, boolean)} without a plot id column. */
    public static Schema schema(List<String> metadataColumns) {
        return schema(metadataColumns, false);
    }

    /**
     * The metadata columns of {@code columns} (a CSV header, or an input Parquet's non-binary
     * columns): {@code image_name}, {@code species_id} and duplicates left out, names checked.
     *
     * @throws IllegalArgumentException naming a column that is not a valid Parquet name or that
     *     would overwrite one of ours ({@code path}, {@code data}, {@code plot_id})
     */
    public static List<String> metadataColumns(List<String> columns) {
        List<String> out = new ArrayList<>();
        for (String column : columns) {
            if (column.equals(IMAGE_NAME) || column.equals(SPECIES_ID) || out.contains(column)) {
                continue;
            }
            if (column.equals(PATH) || column.equals(DATA) || column.equals(PLOT_ID)) {
                throw new IllegalArgumentException(
                        "column '"
                                + column
                                + "' would overwrite the image Parquet column of that name;"
                                + " rename it");
            }
            if (!AVRO_NAME.matcher(column).matches()) {
                throw new IllegalArgumentException(
                        "column name '"
                                + column
                                + "' cannot be a Parquet column: use letters, digits and _"
                                + " (not starting with a digit)");
            }
            out.add(column);
        }
        return out;
    }

    /**
     * The columns of an input Parquet schema carried as metadata: all but the base columns, {@code
     * plot_id} and binary columns.
     */
    public static List<String> metadataColumns(Schema schema) {
        List<String> out = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            if (!BASE_COLUMNS.contains(field.name())
                    && !field.name().equals(PLOT_ID)
                    && !isBytes(field.schema())) {
                out.add(field.name());
            }
        }
        return out;
    }

    /** The binary columns of an input Parquet schema other than {@code data}: not carried. */
    public static List<String> droppedColumns(Schema schema) {
        List<String> out = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            if (!field.name().equals(DATA) && isBytes(field.schema())) {
                out.add(field.name());
            }
        }
        return out;
    }

    /** {@code image} as a row of {@code schema}. */
    public static GenericRecord toAvro(ImageRecord image, Schema schema) {
        GenericData.Record row = new GenericData.Record(schema);
        row.put(IMAGE_NAME, image.imageName());
        row.put(PATH, image.path());
        row.put(DATA, ByteBuffer.wrap(image.data()));
        row.put(SPECIES_ID, image.speciesId());
        if (schema.getField(PLOT_ID) != null) {
            row.put(PLOT_ID, image.plotId());
        }
        for (Schema.Field field : schema.getFields()) {
            if (!BASE_COLUMNS.contains(field.name()) && !field.name().equals(PLOT_ID)) {
                row.put(field.name(), image.metadata().get(field.name()));
            }
        }
        return row;
    }

    /**
     * A row of any image Parquet as an {@link ImageRecord}.
     *
     * @param source names the file, for paths of rows that have no {@code path} column
     * @throws IllegalArgumentException naming the problem, when the row lacks a name or bytes or
     *     has a species id that is not a whole number
     */
    public static ImageRecord fromAvro(GenericRecord row, String source) {
        Schema schema = row.getSchema();
        String name = string(row, IMAGE_NAME);
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("row has no " + IMAGE_NAME);
        }
        byte[] data = bytes(row.get(DATA));
        if (data == null) {
            throw new IllegalArgumentException("row '" + name + "' has no " + DATA);
        }
        Long species = null;
        if (schema.getField(SPECIES_ID) != null) {
            Object value = row.get(SPECIES_ID);
            if (value instanceof Integer || value instanceof Long) {
                species = ((Number) value).longValue();
            } else if (value != null) {
                species = parseSpecies(value.toString(), name);
            }
        }
        String path = string(row, PATH);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Schema.Field field : schema.getFields()) {
            String column = field.name();
            if (BASE_COLUMNS.contains(column)
                    || column.equals(PLOT_ID)
                    || isBytes(field.schema())) {
                continue;
            }
            String value = string(row, column);
            if (value != null) {
                metadata.put(column, value);
            }
        }
        return new ImageRecord(
                name,
                path != null ? path : source + "#" + name,
                species,
                string(row, PLOT_ID),
                data,
                metadata);
    }

    private static Long parseSpecies(String value, String name) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "row '" + name + "' has species_id '" + value + "', not a whole number");
        }
    }

    @Nullable
    private static String string(GenericRecord row, String column) {
        if (row.getSchema().getField(column) == null) {
            return null;
        }
        Object value = row.get(column);
        return value == null ? null : value.toString();
    }

    @Nullable
    private static byte[] bytes(@Nullable Object value) {
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] out = new byte[copy.remaining()];
            copy.get(out);
            return out;
        }
        if (value instanceof byte[] array) {
            return array;
        }
        if (value instanceof GenericData.Fixed fixed) {
            return fixed.bytes();
        }
        return null;
    }

    private static boolean isBytes(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return isBytes(branch);
                }
            }
        }
        return schema.getType() == Schema.Type.BYTES || schema.getType() == Schema.Type.FIXED;
    }

    /** The Parquet files under {@code path} (itself, if it is a file), hidden ones skipped. */
    public static List<Path> files(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        FileStatus status = fs.getFileStatus(path);
        List<Path> out = new ArrayList<>();
        if (!status.isDir()) {
            out.add(path);
            return out;
        }
        for (FileStatus child : fs.listStatus(path)) {
            String name = child.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue;
            }
            if (child.isDir()) {
                out.addAll(files(child.getPath()));
            } else if (name.endsWith(".parquet")) {
                out.add(child.getPath());
            }
        }
        return out;
    }

    /**
     * The Avro schema of an existing Parquet file, read from its footer through Flink's file
     * systems (so any scheme Flink reads works here too).
     *
     * @throws IOException when the file is not Parquet, naming it
     */
    public static Schema readSchema(Path file) throws IOException {
        FileSystem fs = file.getFileSystem();
        long length = fs.getFileStatus(file).getLen();
        if (length == 0) {
            throw new IOException(file + " is not a readable Parquet file: it is empty (0 bytes)");
        }
        ParquetInputFile input = new ParquetInputFile(fs.open(file), length);
        try (ParquetFileReader reader = ParquetFileReader.open(input)) {
            MessageType parquet = reader.getFooter().getFileMetaData().getSchema();
            return new AvroSchemaConverter(new Configuration()).convert(parquet);
        } catch (IOException | RuntimeException e) {
            // Parquet names the input by its toString, an object id: say "it" instead.
            String reason = String.valueOf(e.getMessage()).replace(input.toString(), "it");
            throw new IOException(
                    file + " is not a readable Parquet file (truncated or not Parquet): " + reason,
                    e);
        }
    }

    /**
     * Checks that an input Parquet schema has the columns an image needs.
     *
     * @throws IllegalArgumentException naming the file and the missing column
     */
    public static void requireImageColumns(Schema schema, Path file) {
        for (String column : Set.of(IMAGE_NAME, DATA)) {
            if (schema.getField(column) == null) {
                throw new IllegalArgumentException(
                        file
                                + " has no '"
                                + column
                                + "' column (columns: "
                                + schema.getFields().stream().map(Schema.Field::name).toList()
                                + ")");
            }
        }
        if (!isBytes(schema.getField(DATA).schema())) {
            throw new IllegalArgumentException(
                    file + ": column 'data' must be binary, is " + schema.getField(DATA).schema());
        }
    }
}
