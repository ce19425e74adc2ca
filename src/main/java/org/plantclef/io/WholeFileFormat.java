package org.plantclef.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.plantclef.record.RawFile;

/**
 * Reads each file whole, as one {@link RawFile} record: images are only meaningful in one piece. A
 * file over the size limit, or one gone by the time it is read, becomes a {@code RawFile} with an
 * error (for the dead-letter output) instead of failing the job; other I/O errors fail the task so
 * that Flink's restart strategy retries the read.
 */
public final class WholeFileFormat implements BulkFormat<RawFile, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final long maxBytes;

    /**
     * @param maxBytes files larger than this are refused without being read
     */
    public WholeFileFormat(long maxBytes) {
        if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "maxBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public BulkFormat.Reader<RawFile> createReader(Configuration config, FileSourceSplit split) {
        return new Reader(split, false);
    }

    @Override
    public BulkFormat.Reader<RawFile> restoreReader(Configuration config, FileSourceSplit split) {
        // The only record of a split is emitted with "skip 1" as its position: on restore a
        // position with a skip count means the file was already emitted.
        boolean done =
                split.getReaderPosition()
                        .map(position -> position.getRecordsAfterOffset() > 0)
                        .orElse(false);
        return new Reader(split, done);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawFile> getProducedType() {
        return TypeInformation.of(RawFile.class);
    }

    private final class Reader implements BulkFormat.Reader<RawFile> {
        private final FileSourceSplit split;
        private boolean done;

        Reader(FileSourceSplit split, boolean done) {
            this.split = split;
            this.done = done;
        }

        @Nullable
        @Override
        public RecordIterator<RawFile> readBatch() throws IOException {
            if (done) {
                return null;
            }
            done = true;
            SingletonResultIterator<RawFile> iterator = new SingletonResultIterator<>();
            iterator.set(read(split.path(), split.fileSize()), CheckpointedPosition.NO_OFFSET, 1);
            return iterator;
        }

        private RawFile read(Path path, long size) throws IOException {
            String name = path.toString();
            if (size > maxBytes) {
                return RawFile.unreadable(
                        name,
                        size,
                        "file is "
                                + size
                                + " bytes, over the limit of "
                                + maxBytes
                                + " (max-file-size)");
            }
            FileSystem fs = path.getFileSystem();
            InputStream opened;
            try {
                opened = fs.open(path);
            } catch (FileNotFoundException e) {
                // Gone since it was listed, or not readable by us: this file's problem only.
                return RawFile.unreadable(name, size, "cannot open the file: " + e.getMessage());
            }
            try (InputStream in = opened) {
                byte[] data = in.readNBytes((int) maxBytes + 1);
                if (data.length > maxBytes) {
                    return RawFile.unreadable(
                            name,
                            data.length,
                            "file grew past the limit of " + maxBytes + " bytes while being read");
                }
                return RawFile.of(name, data);
            } catch (IOException e) {
                throw new IOException("reading " + name + " failed", e);
            }
        }

        @Override
        public void close() {}
    }
}
