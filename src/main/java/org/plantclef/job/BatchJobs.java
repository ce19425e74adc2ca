package org.plantclef.job;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;

/** What the bounded jobs (ingest, embed, train) share about how they run and report. */
final class BatchJobs {

    private BatchJobs() {}

    /**
     * The pipeline settings every bounded job uses, whatever the caller's environment: BATCH
     * execution, and no Kryo fallback (a type that would need it fails at job start).
     */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /**
     * Whether the job was only submitted (a REST submission or {@code flink run -d}): then nothing
     * about its run is known when {@code execute} returns.
     */
    static boolean detached(JobExecutionResult result) {
        return !result.isJobExecutionResult();
    }

    /**
     * An accumulator's value after the job, 0 when no operator ever created it, -1 when the job was
     * submitted detached.
     */
    static long count(JobExecutionResult result, String name) {
        if (detached(result)) {
            return -1;
        }
        Object value = result.getAllAccumulatorResults().get(name);
        return value instanceof Number n ? n.longValue() : 0L;
    }
}
