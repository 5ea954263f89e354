/**
 * Plan variants for the fan-out benchmark: plans/dev.json with N ECS services spread over C
 * clusters per region and R DNS records, everything else (regions, database, signals, routing
 * controls, timeouts) unchanged. The simulator builds its resources from the plan, so a bigger
 * plan is a bigger simulated estate.
 *
 * Services alternate between dev.json's two shapes (6 tasks with Application Auto Scaling, 3
 * without), so per-service work is the same mix at every size. Records are weighted records in
 * the plan's one hosted zone, moved by the plan's two routing controls (one routing control per
 * region may steer many records: each drives a health check, and every record of the region
 * carries it). Aurora: 1 to 4 global clusters (`databases`), each shaped like dev.json's one, so
 * the database branch's fan-out (fenced, promoted and verified in parallel) is measured too.
 */

export interface FanOutSize {
  services: number;
  clusters: number;
  records: number;
  /** Aurora global clusters the plan names (`databases`). */
  databases: number;
}

/** The sizes measured: the smallest is the reference for the ratios. */
export const FAN_OUT_SIZES: readonly FanOutSize[] = [
  { services: 1, clusters: 1, records: 1, databases: 1 },
  { services: 10, clusters: 2, records: 5, databases: 2 },
  { services: 50, clusters: 10, records: 20, databases: 3 },
  { services: 200, clusters: 20, records: 50, databases: 4 },
];
/** --short: the two ends only. */
export const SHORT_FAN_OUT_SIZES: readonly FanOutSize[] = [FAN_OUT_SIZES[0], FAN_OUT_SIZES[3]].filter(
  (s): s is FanOutSize => s !== undefined,
);

export const fanOutLabel = (size: FanOutSize) =>
  `${size.services} svc / ${size.clusters} clusters / ${size.records} records / ${size.databases} db`;

// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
type RawPlan = any;

/** Rewrites a raw dev.json-shaped plan in place to the given size. */
export function applyFanOut(raw: RawPlan, size: FanOutSize): void {
  if (
    size.services < 1 ||
    size.clusters < 1 ||
    size.records < 1 ||
    size.databases < 1 ||
    size.clusters > size.services
  )
    throw new Error(`invalid fan-out size ${JSON.stringify(size)}`);
  const database = raw.database ?? raw.databases?.[0];
  delete raw.database;
  raw.databases = Array.from({ length: size.databases }, (_, i) => {
    if (i === 0) return database;
    const copy = structuredClone(database);
    copy.globalClusterIdentifier = `${database.globalClusterIdentifier}-${i + 1}`;
    // Same account and regions, a cluster of its own in each: ...:cluster:orders-use1-2.
    copy.members = Object.fromEntries(
      Object.entries(database.members as Record<string, string>).map(([region, arn]) => [
        region,
        `${arn}-${i + 1}`,
      ]),
    );
    return copy;
  });
  const { primary, standby } = raw.regions as { primary: string; standby: string };
  const [active, passive] = raw.services as [RawPlan, RawPlan];
  const shapes = [active, passive ?? active];
  raw.services = Array.from({ length: size.services }, (_, i) => {
    const shape = shapes[i % shapes.length];
    const c = i % size.clusters;
    return {
      name: `svc-${i + 1}`,
      cluster: {
        [primary]: `${shape.cluster[primary]}-c${c + 1}`,
        [standby]: `${shape.cluster[standby]}-c${c + 1}`,
      },
      service: { [primary]: `svc-${i + 1}`, [standby]: `svc-${i + 1}` },
      activeCount: shape.activeCount,
      autoScaling: shape.autoScaling,
    };
  });
  const [template] = raw.dns.records as [RawPlan];
  raw.dns.records = Array.from({ length: size.records }, (_, i) => {
    const record = structuredClone(template);
    const [label, ...rest] = String(template.name).split('.');
    record.name = [i === 0 ? label : `${label}-${i + 1}`, ...rest].join('.');
    return record;
  });
}
