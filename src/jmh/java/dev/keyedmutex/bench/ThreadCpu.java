package dev.keyedmutex.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU time a benchmark thread burns, beside the operations it completed: {@code cpuNanos} is
 * the thread's CPU time over the iteration ({@link ThreadMXBean#getCurrentThreadCpuTime()} read
 * in the iteration's setup and teardown, in the benchmark thread), {@code cpuOps} the operations
 * the benchmark counted over the same span. JMH sums both over the threads of a run, so
 * {@code cpuNanos / cpuOps} is the CPU time per operation (scripts/bench-report.py divides).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadCpu {

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long cpuOps;
    private long start;

    @Setup(Level.Iteration)
    public void start() {
        cpuOps = 0;
        cpuNanos = 0;
        start = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
    }
}
