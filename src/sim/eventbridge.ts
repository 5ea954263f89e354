import type {
  PutEventsRequest,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { SimFault, SimulatorGapError } from './errors.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

/** One event EventBridge took, with the virtual time it arrived. */
export interface PublishedEvent {
  readonly region: string;
  /** The bus: `default` or a bus ARN as given. */
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** Detail parsed back from its JSON text. */
  readonly detail: Record<string, unknown>;
  readonly resources: readonly string[];
  readonly eventId: string;
  /** Epoch ms (virtual in drills). */
  readonly at: number;
}

/** What the model is told to get wrong, beyond the transport's FaultRule (whole-request faults). */
export interface EventBridgeFaults {
  /**
   * How many entries to answer with a per-entry failure (ErrorCode InternalFailure) in a 200
   * answer with FailedEntryCount > 0, which is how PutEvents reports an entry it did not take
   * (EventBridge API Reference, PutEvents response; User Guide, "Sending events with PutEvents").
   */
  failedEntries?: number;
}

/** PutEvents takes 1 to 10 entries (EventBridge API Reference, PutEvents: Entries, 1-10 items). */
const MAX_ENTRIES = 10;
/**
 * An entry must be under 256 KB, counted as the User Guide's "Calculating PutEvents event entry
 * size" says (Time 14 bytes if given; Source, DetailType, Detail, each Resources entry in UTF-8).
 */
const MAX_ENTRY_BYTES = 256 * 1024;
/** Names of a bus: `default`, a name, or an event-bus ARN (API Reference, PutEventsRequestEntry). */
const BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;

function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * EventBridge's PutEvents onto each region's default bus. Entries are recorded, not routed: no
 * rule or target is modelled (a drill asserts what was published, and where). Rate limits are
 * not modelled: PutEvents allows thousands of requests per second per account and region
 * (EventBridge User Guide, quotas: PutEvents throttle limit, 10,000/s in us-east-1, us-west-2 and
 * eu-west-1, lower in others), far above the few events an execution publishes.
 */
export class EventBridgeModel implements ServiceModel {
  readonly service = 'eventbridge' as const;
  readonly handlers: Record<string, Handler>;
  readonly #published: PublishedEvent[] = [];
  #failedEntriesLeft: number;

  constructor(
    private readonly world: World,
    faults: EventBridgeFaults = {},
  ) {
    this.#failedEntriesLeft = faults.failedEntries ?? 0;
    this.handlers = {
      PutEvents: op<PutEventsRequest>((input, region, now) => {
        if (input.EndpointId !== undefined)
          throw new SimulatorGapError(
            'SimulatedCloud does not implement EventBridge global endpoints (EndpointId)',
          );
        const entries = input.Entries ?? [];
        if (entries.length < 1 || entries.length > MAX_ENTRIES)
          throw new SimFault(
            'ValidationException',
            `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
          );
        const results = entries.map((entry) => this.#put(entry, region, now));
        return {
          FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length,
          Entries: results,
        };
      }),
    };
  }

  /** One entry: taken (an EventId) or refused in the answer (ErrorCode, ErrorMessage), as AWS does per entry. */
  #put(entry: PutEventsRequestEntry, region: string, now: number): PutEventsResultEntry {
    const bus = entry.EventBusName ?? 'default';
    const arn = BUS_ARN.exec(bus);
    if (arn && (arn[1] !== region || arn[2] !== this.world.account))
      return {
        ErrorCode: 'NotAuthorizedForEventBusException',
        ErrorMessage: `Not authorized for the event bus ${bus}`,
      };
    if ((arn?.[3] ?? bus) !== 'default')
      throw new SimulatorGapError(`SimulatedCloud models only the default event bus, not ${bus}`);
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined)
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
    // Sources starting with "aws." are reserved for AWS services (EventBridge User Guide, events:
    // "source"); modelling choice for the code: the per-entry authorization error.
    if (entry.Source.startsWith('aws.'))
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Not authorized for the source ${entry.Source}`,
      };
    if (!isJsonObject(entry.Detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object' };
    if (entrySize(entry) >= MAX_ENTRY_BYTES)
      throw new SimFault(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    if (this.#failedEntriesLeft > 0) {
      this.#failedEntriesLeft--;
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' };
    }
    const eventId = this.world.rng('eventbridge').uuid();
    this.#published.push({
      region,
      eventBusName: bus,
      source: entry.Source,
      detailType: entry.DetailType,
      detail: JSON.parse(entry.Detail) as Record<string, unknown>,
      resources: [...(entry.Resources ?? [])],
      eventId,
      at: now,
    });
    return { EventId: eventId };
  }

  advance(): void {}

  /** Every event taken so far, in arrival order. */
  get published(): readonly PublishedEvent[] {
    return this.#published;
  }
}
