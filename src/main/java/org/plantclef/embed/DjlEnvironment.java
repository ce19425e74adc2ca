package org.plantclef.embed;

import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings DJL reads once, when its engine first loads: they must be in place before any DJL class
 * is touched in this JVM. The launcher, the test JVMs and .ci/run set the offline switches already;
 * setting them again here covers JVMs we did not start (a cluster's TaskManagers).
 */
public final class DjlEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(DjlEnvironment.class);

    private DjlEnvironment() {}

    /** Flink task slots of this JVM, as far as the embed operators have said; 1 until then. */
    private static int taskSlots = 1;

    /**
     * Tells how many task slots this JVM (a TaskManager, or the local MiniCluster) has: with {@code
     * threads} 0, each slot's model then gets twice its share of the cores, not a thread per core
     * each (4 slots' models on 16 cores would otherwise run 64 threads).
     */
    public static synchronized void taskSlots(int slots) {
        taskSlots = Math.max(1, slots);
    }

    /**
     * @param threads PyTorch intra-op threads per model run; 0 for {@link #defaultThreads()}
     */
    public static synchronized void prepare(int threads, @Nullable String cacheDir) {
        // Without these the engine contacts a cloud metadata address when it starts.
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        if (cacheDir != null && !cacheDir.isBlank()) {
            setIfAbsent("DJL_CACHE_DIR", cacheDir);
        }
        int wanted = threads > 0 ? threads : defaultThreads();
        String fixed = System.getProperty("ai.djl.pytorch.num_threads");
        if (fixed != null && !fixed.equals(Integer.toString(wanted))) {
            // PyTorch reads it once per JVM; a TaskManager keeps the first job's value.
            LOG.warn(
                    "PyTorch threads are already {} in this JVM; the requested {} is ignored",
                    fixed,
                    wanted);
        } else if (fixed == null) {
            LOG.info(
                    "PyTorch intra-op threads: {}{}",
                    wanted,
                    threads > 0
                            ? ""
                            : " (twice "
                                    + cores()
                                    + " cores / "
                                    + taskSlots
                                    + " task slots, at most all)");
        }
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(wanted));
        // One model call at a time per slot: inter-op parallelism would only oversubscribe.
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /**
     * The threads a model gets when none are asked for: twice its share of the cores, at most all
     * of them. Each slot alternates single-threaded work (decoding, tiling) with its model; at
     * exactly its share, the core of a slot that is decoding idles. Measured on 2 cores with 2
     * slots (BENCHMARKS.md): 2 threads each scored 8 % more tiles/s than 1. Twice is the
     * oversubscription measured; 16 threads per slot on a 16-core, 4-slot TaskManager would be 4×.
     */
    public static synchronized int defaultThreads() {
        return Math.min(cores(), Math.max(1, 2 * cores() / taskSlots));
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
