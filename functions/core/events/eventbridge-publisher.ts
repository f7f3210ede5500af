/** `EventPublisher` over Amazon EventBridge (PutEvents, at most ten entries per call). */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConnectorError } from '../errors.js';
import type { ConnectorEvent, EventPublisher } from '../ports.js';

export const EVENT_SOURCE = 'atlassian-access-connector';
const PUT_EVENTS_LIMIT = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: ConnectorEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_LIMIT) {
      const batch = events.slice(start, start + PUT_EVENTS_LIMIT);
      const result = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        const reason = result.Entries?.find((entry) => entry.ErrorCode)?.ErrorMessage ?? 'unknown reason';
        throw new ConnectorError('EVENTS_UNAVAILABLE', `EventBridge refused ${result.FailedEntryCount} event(s): ${reason}`);
      }
    }
  }
}
