/**
 * Emails: decided by the run, recorded in the outbox table (ops see them from then on), then
 * sent, each in the order decided, in the background. An SMTP outage delays mail, never loses
 * it: what is not yet recorded or sent travels on with the carried state.
 */
import { ActivityFailure, log } from '@temporalio/workflow';
import { EMAIL_REJECTED_ERROR, EMAIL_RENDER_ERROR, isFailure } from '../../contract/failures.js';
import type { NotifyInput } from '../../activities/notify.js';
import type { Notice } from '../../billing/notifications.js';
import type { RunActivities } from './activity-proxies.js';

/** Decided emails recorded in the outbox table per activity call. */
const NOTICES_PER_RECORD = 50;

export interface OutboxState {
  /** Emails decided and not yet recorded in the outbox table, oldest first. */
  outbox: NotifyInput[];
  /** Outbox rows (ids) recorded and not yet sent, oldest first. */
  unsent: string[];
}

export class Outbox {
  private recording = false;
  private sending = false;

  constructor(
    private readonly accountId: string,
    private readonly state: OutboxState,
    private readonly acts: RunActivities,
  ) {}

  /** Queues an email and starts the work: a close may decide one while the loop is busy. */
  send(notice: Notice): void {
    this.state.outbox.push({ accountId: this.accountId, ...notice });
    this.start();
    log.info('notification queued', {
      accountId: this.accountId,
      kind: notice.content.kind,
      key: notice.key,
      firing: notice.firing,
    });
  }

  /** Starts whichever loop has work and is idle: from `send`, and for what a run was handed. */
  start(): void {
    if (this.state.outbox.length > 0 && !this.recording) void this.record();
    if (this.state.unsent.length > 0 && !this.sending) void this.deliver();
  }

  private async record(): Promise<void> {
    this.recording = true;
    try {
      while (this.state.outbox.length > 0) {
        const batch = this.state.outbox.slice(0, NOTICES_PER_RECORD);
        const { ids } = await this.acts.billing.recordNotifications({
          accountId: this.accountId,
          notices: batch,
        });
        this.state.outbox.splice(0, batch.length);
        this.state.unsent.push(...ids);
        this.start();
      }
    } finally {
      this.recording = false;
    }
  }

  private async deliver(): Promise<void> {
    this.sending = true;
    try {
      while (this.state.unsent.length > 0) {
        const id = this.state.unsent[0]!;
        try {
          await this.acts.email.sendNotification({ accountId: this.accountId, id });
        } catch (error) {
          // Given up (recorded so in the outbox table): another attempt cannot change it.
          const givenUp =
            error instanceof ActivityFailure &&
            isFailure(error, EMAIL_REJECTED_ERROR, EMAIL_RENDER_ERROR);
          if (!givenUp) throw error;
          // Recorded as rejected or failed in the outbox, where ops read it; the next one goes on.
          log.warn('notification not sent', {
            accountId: this.accountId,
            id,
            error: error.cause?.message,
          });
        }
        this.state.unsent.shift();
      }
    } finally {
      this.sending = false;
    }
  }
}
