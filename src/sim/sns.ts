import type { MessageAttributeValue, PublishInput } from '@aws-sdk/client-sns';
import { SimFault, SimulatorGapError } from './errors.js';
import type { CloudSnapshot } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

interface Notification {
  readonly region: string;
  readonly topicArn: string;
  readonly subject: string | null;
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly messageId: string;
  readonly at: number;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;
/** SNS limits (SNS API Reference, Publish): a 256 KB message, a subject of up to 100 printable ASCII characters. */
const MAX_MESSAGE_BYTES = 262_144;
const SUBJECT = /^[\x20-\x7e]{1,100}$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary|String\.Array)(\..+)?$/;

function hasDefaultEntry(message: string): boolean {
  try {
    return typeof (JSON.parse(message) as { default?: unknown }).default === 'string';
  } catch {
    return false;
  }
}

const invalid = (what: string) => new SimFault('InvalidParameterException', `Invalid parameter: ${what}`);

/**
 * SNS Publish to topics. Every well-formed standard topic ARN in the caller's region is taken to
 * exist (the plan names topics but the simulator does not provision them); a topic in another
 * region is refused as the regional endpoint refuses it. Messages are stored, not delivered.
 */
export class SnsModel implements ServiceModel {
  readonly service = 'sns' as const;
  readonly handlers: Record<string, Handler>;
  readonly #published: Notification[] = [];

  constructor(private readonly world: World) {
    this.handlers = {
      Publish: op<PublishInput>((input, region, now) => {
        if (input.TargetArn !== undefined || input.PhoneNumber !== undefined)
          throw new SimulatorGapError(
            'SimulatedCloud does not implement SNS Publish to a TargetArn or PhoneNumber',
          );
        const topic = TOPIC_ARN.exec(input.TopicArn ?? '');
        if (!topic || topic[1] !== region) throw invalid('TopicArn');
        if (topic[4]) throw new SimulatorGapError('SimulatedCloud does not implement SNS FIFO topics');
        if (topic[2] !== world.account)
          throw new SimFault(
            'AuthorizationErrorException',
            `User is not authorized to publish to ${input.TopicArn}`,
            403,
          );
        const message = input.Message ?? '';
        if (message === '') throw invalid('Empty message');
        if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalid('Message too long');
        if (input.Subject !== undefined && !SUBJECT.test(input.Subject)) throw invalid('Subject');
        if (input.MessageStructure !== undefined && input.MessageStructure !== 'json')
          throw invalid('MessageStructure');
        if (input.MessageStructure === 'json' && !hasDefaultEntry(message))
          throw invalid('Message Structure - No default entry in JSON message body');
        for (const [name, attribute] of Object.entries(input.MessageAttributes ?? {})) {
          if (!ATTRIBUTE_TYPE.test(attribute.DataType ?? ''))
            throw new SimFault(
              'InvalidParameterValueException',
              `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
            );
        }
        const messageId = this.world.rng('sns').uuid();
        this.#published.push({
          region,
          topicArn: input.TopicArn ?? '',
          subject: input.Subject ?? null,
          message,
          attributes: structuredClone(input.MessageAttributes ?? {}),
          messageId,
          at: now,
        });
        return { MessageId: messageId };
      }),
    };
  }

  advance(): void {}

  /** Every message with its attributes, for tests that look past the snapshot. */
  get published(): readonly Notification[] {
    return this.#published;
  }

  snapshot(): CloudSnapshot['notifications'] {
    return this.#published.map((n) => ({
      region: n.region,
      topicArn: n.topicArn,
      subject: n.subject,
      message: n.message,
      at: new Date(n.at).toISOString(),
    }));
  }
}
