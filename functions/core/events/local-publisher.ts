/** `EventPublisher` for local mode and tests: logs each event and keeps the most recent ones in memory. */
import type { ConnectorEvent, EventPublisher } from '../ports.js';
import { EVENT_SOURCE } from './eventbridge-publisher.js';

export interface RecordedEvent extends ConnectorEvent {
  source: string;
  time: string;
}

export class LocalEventPublisher implements EventPublisher {
  private readonly recorded: RecordedEvent[] = [];

  constructor(
    private readonly options: { log?: (line: string) => void; keep?: number; now?: () => Date } = {},
  ) {}

  async publish(events: ConnectorEvent[]): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    for (const event of events) {
      const recorded: RecordedEvent = { ...event, source: EVENT_SOURCE, time: now };
      this.recorded.push(recorded);
      this.options.log?.(JSON.stringify({ kind: 'event', ...recorded }));
    }
    const keep = this.options.keep ?? 500;
    if (this.recorded.length > keep) this.recorded.splice(0, this.recorded.length - keep);
  }

  /** Events published so far, oldest first. */
  events(): readonly RecordedEvent[] {
    return this.recorded;
  }
}
