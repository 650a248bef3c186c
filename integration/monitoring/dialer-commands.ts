import { z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { Outbox, OutboxItem, OutboxStatus } from '../dialer/outbox.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A command for the dialer as supervisors see it (the outbox's bookkeeping, such as keys, stays inside). */
export const DialerCommandSchema = z
  .object({
    id: z.number().int(),
    kind: z.string().describe('the dialer route the command calls (agents.pause, calls.disposition…)'),
    status: z
      .enum(['pending', 'sent', 'failed'])
      .describe('pending: waiting or retrying; sent: the dialer took it; failed: the dialer refused it for good'),
    payload: z.record(z.string(), z.unknown()).describe('what the command carries (agent, call, ID Status, tag…)'),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('why the last attempt failed'),
    createdAt: z.iso.datetime(),
    nextAttemptAt: z.iso.datetime().nullable().describe('when a pending command is tried next'),
    sentAt: z.iso.datetime().nullable(),
  })
  .openapi('DialerCommand');
export type MonitoredDialerCommand = z.infer<typeof DialerCommandSchema>;

export const toDialerCommand = (item: OutboxItem): MonitoredDialerCommand => ({
  id: item.id,
  kind: item.kind,
  status: item.status,
  payload: (item.payload ?? {}) as Record<string, unknown>,
  attempts: item.attempts,
  lastError: item.lastError,
  createdAt: iso(item.createdAt)!,
  nextAttemptAt: item.status === 'pending' ? iso(item.nextAttemptAt) : null,
  sentAt: iso(item.sentAt),
});

/**
 * The organization's commands to the dialer, and the supervisor's way out of a failed one: once its cause is fixed
 * (the pause registered at the dialer, the agent's dialer account restored…), it goes back in the queue.
 */
export class DialerCommandMonitor {
  constructor(
    private readonly outbox: Outbox,
    private readonly alerts: Alerts,
  ) {}

  list(orgId: string, filter: { status?: OutboxStatus; limit: number }): MonitoredDialerCommand[] {
    return this.outbox.list({ orgId, ...filter }).map(toDialerCommand);
  }

  /**
   * Puts a failed command back in the queue and resolves the alert its failure raised. 404 for a command of another
   * organization (as for one that does not exist); 409 unless it failed.
   */
  requeue(orgId: string, id: number): MonitoredDialerCommand {
    const item = this.outbox.get(id);
    if (!item || item.orgId !== orgId)
      throw new AppError('DIALER_COMMAND_NOT_FOUND', 404, `no dialer command ${id} in your organization`, { id });
    if (!this.outbox.requeue(id))
      throw new AppError(
        'DIALER_COMMAND_NOT_FAILED',
        409,
        `dialer command ${id} is ${this.outbox.get(id)?.status ?? item.status}; only a failed command is put back in the queue`,
        { id, status: this.outbox.get(id)?.status ?? item.status },
      );
    for (const alert of this.alerts.list(orgId, { open: true }))
      if (alert.code === 'DIALER_COMMAND_FAILED' && alert.details.outboxId === id) this.alerts.resolve(orgId, alert.id);
    return toDialerCommand(this.outbox.get(id)!);
  }
}
