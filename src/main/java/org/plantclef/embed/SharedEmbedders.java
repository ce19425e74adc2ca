package org.plantclef.embed;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.plantclef.image.RgbImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded, warmed-up models of this JVM (a TaskManager, or the local MiniCluster), lent to
 * subtasks: a subtask that closes hands its model back, and the next subtask that opens the same
 * model file with the same settings on the same GPU takes it instead of loading it again. A task
 * restarted after a failure is back at full speed at once, without reading the weights and
 * re-running the warm-up batches (seconds for a ViT-B at 518 px on a CPU). A model nobody takes
 * within {@link #KEEP_IDLE_MILLIS} is closed. Each model serves one subtask at a time, as DJL's
 * predictors are not thread-safe: slots of one TaskManager each hold their own.
 */
public final class SharedEmbedders {

    private static final Logger LOG = LoggerFactory.getLogger(SharedEmbedders.class);

    /** How long an idle model is kept for the next subtask: a restart's usual delay, and more. */
    public static final long KEEP_IDLE_MILLIS = TimeUnit.SECONDS.toMillis(60);

    private record Key(EmbedderSpec spec, int gpuIndex) {}

    private record Idle(DjlEmbedder embedder, long since) {}

    private static final Map<Key, Deque<Idle>> IDLE = new HashMap<>();

    private static Thread reaper;

    private static long opened;
    private static long reused;

    private SharedEmbedders() {}

    /**
     * An embedder for {@code spec}: an idle one if this JVM has one, else a newly loaded and
     * warmed-up one. Closing it hands it back.
     */
    public static Embedder acquire(EmbedderSpec spec, int gpuIndex) {
        Key key = new Key(spec, gpuIndex);
        synchronized (SharedEmbedders.class) {
            Deque<Idle> idle = IDLE.get(key);
            if (idle != null && !idle.isEmpty()) {
                DjlEmbedder embedder = idle.pop().embedder();
                reused++;
                LOG.info("Reusing the loaded model {} (no reload, no warm-up)", spec.modelFile());
                return new Lent(key, embedder);
            }
        }
        // Outside the lock: loading takes seconds, and other subtasks may load theirs meanwhile.
        DjlEmbedder embedder = DjlEmbedder.open(spec, gpuIndex);
        try {
            embedder.warmUp();
        } catch (RuntimeException e) {
            embedder.close();
            throw e;
        }
        synchronized (SharedEmbedders.class) {
            opened++;
        }
        return new Lent(key, embedder);
    }

    /** Models loaded and models reused in this JVM so far: {@code {opened, reused}}. */
    public static synchronized long[] counts() {
        return new long[] {opened, reused};
    }

    /** Closes every idle model now (tests, and a JVM that is done with models). */
    public static void closeIdle() {
        closeIdleOlderThan(Long.MAX_VALUE);
    }

    private static void giveBack(Key key, DjlEmbedder embedder) {
        synchronized (SharedEmbedders.class) {
            IDLE.computeIfAbsent(key, k -> new ArrayDeque<>())
                    .push(new Idle(embedder, System.currentTimeMillis()));
            if (reaper == null) {
                reaper = new Thread(SharedEmbedders::reap, "plantclef-idle-models");
                reaper.setDaemon(true);
                reaper.start();
            }
        }
    }

    /** Closes idle models as they expire; ends when none is left (no thread outlives them). */
    private static void reap() {
        while (true) {
            try {
                Thread.sleep(Math.max(1000, KEEP_IDLE_MILLIS / 4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            closeIdleOlderThan(KEEP_IDLE_MILLIS);
            synchronized (SharedEmbedders.class) {
                if (IDLE.isEmpty()) {
                    reaper = null;
                    return;
                }
            }
        }
    }

    /**
     * @param idleMillis close the idle models held at least this long; {@code Long.MAX_VALUE}
     *     closes them all
     */
    private static void closeIdleOlderThan(long idleMillis) {
        List<DjlEmbedder> expired = new java.util.ArrayList<>();
        synchronized (SharedEmbedders.class) {
            long now = System.currentTimeMillis();
            for (var it = IDLE.values().iterator(); it.hasNext(); ) {
                Deque<Idle> idle = it.next();
                idle.removeIf(
                        i -> {
                            boolean old =
                                    idleMillis == Long.MAX_VALUE || now - i.since() >= idleMillis;
                            if (old) {
                                expired.add(i.embedder());
                            }
                            return old;
                        });
                if (idle.isEmpty()) {
                    it.remove();
                }
            }
        }
        for (DjlEmbedder embedder : expired) {
            LOG.info("Closing the idle model {}", embedder.spec().modelFile());
            embedder.close();
        }
    }

    /** A model on loan to one subtask; closing it returns it. */
    private static final class Lent implements Embedder {
        private final Key key;
        private DjlEmbedder embedder;
        private boolean failed;

        Lent(Key key, DjlEmbedder embedder) {
            this.key = key;
            this.embedder = embedder;
        }

        private DjlEmbedder embedder() {
            return Objects.requireNonNull(embedder, "the model was handed back");
        }

        @Override
        public int imageSize() {
            return embedder().imageSize();
        }

        @Override
        public List<Embedding> embed(List<RgbImage> images) {
            try {
                return embedder().embed(images);
            } catch (RuntimeException e) {
                failed = true; // not lent again: who knows what state it is in
                throw e;
            }
        }

        @Override
        public void close() {
            if (embedder != null) {
                if (failed) {
                    embedder.close();
                } else {
                    giveBack(key, embedder);
                }
                embedder = null;
            }
        }
    }
}
