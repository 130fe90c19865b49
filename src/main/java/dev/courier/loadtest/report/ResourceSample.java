package dev.courier.loadtest.report;

/**
 * The server's resources at one moment of a soak, as its {@code /metrics} page shows them. A missing gauge is -1.
 *
 * @param t              seconds since the run started
 * @param heapUsedBytes  {@code jvm_memory_used_bytes{area="heap"}}, summed over the heap's pools
 * @param residentBytes  {@code process_resident_memory_bytes}: what the process holds, native memory included
 * @param liveThreads    {@code jvm_threads_live_threads} (platform threads; virtual threads are not counted)
 * @param openFiles      {@code process_files_open_files}: file descriptors, sockets included
 * @param poolActive     {@code hikaricp_connections_active}, and likewise idle and pending
 * @param leasesLeaking  {@code courier_db_pool_leases_leaking}: connections reported as leaked and not yet taken back
 */
public record ResourceSample(double t, double heapUsedBytes, double residentBytes, double liveThreads,
                             double openFiles, double poolActive, double poolIdle, double poolPending,
                             double leasesLeaking) {
}
