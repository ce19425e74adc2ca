package org.plantclef.io;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.flink.core.fs.Path;
import org.plantclef.record.DeadLetter;

/**
 * The image Parquet files of an input, grouped by schema, and the files refused when their footers
 * were read at startup (not Parquet, truncated, no image_name or binary data column): a refused
 * file is one dead letter and the others are read, as one bad part file of a Spark write must not
 * stop a run over a thousand good ones.
 *
 * @param groups the readable files, by schema
 * @param refused one dead letter (stage {@code read}) per refused file
 */
public record ParquetInputs(Map<Schema, List<Path>> groups, List<DeadLetter> refused)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No Parquet input. */
    public static ParquetInputs none() {
        return new ParquetInputs(Map.of(), List.of());
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }
}
