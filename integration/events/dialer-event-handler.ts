import type { DialerEvent } from '../../contract/events.ts';
import type { Logger } from '../../core/log.ts';
import type { Presence } from '../agents/presence.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { Attendances } from '../attendances/attendances.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { AgvRouter } from '../routing/agv-router.ts';

export interface UserDirectory {
  /** The user whose configured dialer user this is (used when no open session has it). */
  userIdByDialerUser(orgId: string, dialerUser: string): string | undefined;
}

/**
 * Applies one dialer event to the Omni side. Runs inside the consumer's transaction with its cursor update, so each
 * event is applied exactly once; anything asynchronous (routing) is only scheduled from here.
 */
export function dialerEventHandler(d: {
  sessions: Sessions;
  users: UserDirectory;
  attendances: Attendances;
  presence: Presence;
  alerts: Alerts;
  router: AgvRouter;
  log: Logger;
}) {
  const userOf = (orgId: string, dialerUser: string) =>
    d.sessions.userByDialerUser(orgId, dialerUser) ?? d.users.userIdByDialerUser(orgId, dialerUser);

  return (orgId: string, e: DialerEvent): void => {
    switch (e.type) {
      case 'agent.state_changed': {
        const userId = userOf(orgId, e.data.dialerUser);
        if (!userId) {
          d.log.debug({ orgId, dialerUser: e.data.dialerUser }, 'state of a dialer user Omni does not know');
          return;
        }
        d.presence.stateChanged(orgId, userId, e.data);
        if (e.data.previousState === 'wrap_up' && e.data.state !== 'wrap_up') d.attendances.agentFreed(userId);
        if (e.data.state === 'available') d.router.schedule(orgId);
        return;
      }
      case 'agent.pause_deferred': {
        const userId = userOf(orgId, e.data.dialerUser);
        if (userId) d.presence.pendingPause(orgId, userId, e.data.idStatus);
        return;
      }
      case 'call.offered': {
        const userId = userOf(orgId, e.data.dialerUser);
        if (!userId) {
          d.alerts.raise(
            orgId,
            'CALL_FOR_UNKNOWN_AGENT',
            `the dialer offered call ${e.data.call.id} to dialer user '${e.data.dialerUser}', whom no Omni user has as Usuário do Discador`,
            { callId: e.data.call.id, dialerUser: e.data.dialerUser },
          );
          return;
        }
        d.attendances.callOffered(orgId, e.data.call, userId, e.data.dialerUser, Date.parse(e.at));
        return;
      }
      case 'call.connected':
        d.attendances.callConnected(e.data.callId, Date.parse(e.at));
        return;
      case 'call.ended':
        if (e.data.dialerUser) d.attendances.callEnded(e.data.callId, Date.parse(e.at));
        return;
      case 'call.agv_transferred': {
        const att = d.attendances.agvTransferred(orgId, e.data.call, e.data.extension);
        if (att.state === 'unrouted')
          d.alerts.raise(
            orgId,
            'AGV_SERVICE_NOT_FOUND',
            `the AGV at ramal ${e.data.extension} transferred call ${e.data.call.id}, but no service has ${e.data.extension} as its identifier; create that service or route the call by hand (Monitoração)`,
            { extension: e.data.extension, callId: e.data.call.id, attendanceId: att.id },
          );
        else d.router.schedule(orgId);
        return;
      }
      case 'violation':
        d.alerts.raise(orgId, 'DIALER_VIOLATION', `the dialer recorded a violation: ${e.data.message}`, { ...e.data });
        return;
      case 'call.transferred':
      case 'call.disposed':
        return; // nothing to change on the Omni side: the attendance already holds its outcome
    }
  };
}
