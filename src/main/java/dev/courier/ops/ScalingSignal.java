package dev.courier.ops;

import dev.courier.config.ScalingConfig;
import dev.courier.db.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * What an autoscaler reads from each node: how saturated the node is, 0 to 1, as the highest of the four shares
 * that run out first (the admission limit in use, the pool's connections in use, the open streams against the
 * capacity a node is sized for, the cores the process used lately), and the replicas this node's load asks for, {@code saturation / target}. Summed over
 * the fleet and rounded up, the second is the recommended replica count: {@code ceil(sum(courier_node_replica_demand))}
 * is {@code ceil(replicas x mean saturation / target)}, the formula a Kubernetes HPA applies to an average metric
 * (docs/scaling.md).
 */
public final class ScalingSignal {

    private final Database database;
    private final IntSupplier openStreams;
    private final ScalingConfig config;
    private final ProcessCpuShare cpu;

    /** The gauges hold this object strongly: nothing else keeps it (Micrometer's gauges hold theirs weakly). */
    public ScalingSignal(Database database, IntSupplier openStreams, ProcessCpuShare cpu, ScalingConfig config,
                         MeterRegistry meters) {
        this.database = database;
        this.openStreams = openStreams;
        this.cpu = cpu;
        this.config = config;
        Gauge.builder(MetricNames.NODE_SATURATION, this, ScalingSignal::saturation)
                .description("how saturated this node is, 0 to 1: the highest of the admission limit's, the pool's, "
                        + "the stream capacity's and the cores' share in use")
                .strongReference(true)
                .register(meters);
        Gauge.builder(MetricNames.NODE_CPU_SHARE, cpu, ProcessCpuShare::share)
                .description("the share of its cores this node's process used lately, 0 to 1")
                .strongReference(true)
                .register(meters);
        Gauge.builder(MetricNames.NODE_SATURATION_TARGET, config, ScalingConfig::target)
                .description("the saturation an autoscaler should keep each node at (--scale-target)")
                .strongReference(true)
                .register(meters);
        Gauge.builder(MetricNames.NODE_REPLICA_DEMAND, this, ScalingSignal::replicaDemand)
                .description("replicas this node's load asks for (saturation / target); ceil of the fleet's sum is "
                        + "the recommended replica count")
                .strongReference(true)
                .register(meters);
    }

    public double saturation() {
        Database.PoolSnapshot pool = database.pool();
        double poolShare = pool.max() <= 0 ? 0 : Math.min(1.0, (double) (pool.active() + pool.pending()) / pool.max());
        double streamShare = Math.min(1.0, (double) openStreams.getAsInt() / config.streamCapacity());
        // The cores count because a node can run out of them with its admission limit, pool and streams to spare: a
        // send costs the socket path more CPU than database time, and past the cores' capacity latency grows before
        // any of the other shares does (bench/results/2026-12-07-overload-quiet.md).
        return Math.max(Math.max(database.admissionInUseShare(), cpu.share()), Math.max(poolShare, streamShare));
    }

    public double replicaDemand() {
        return saturation() / config.target();
    }
}
