import type { PauseEntry } from '../contract/organizations.ts';
import type { Integration } from './server.ts';

export type ProvisionInput = {
  orgId: string;
  name: string;
  dialer: { key: string; url: string; webrtcUrl: string; certificatePem: string; pauses: PauseEntry[] };
  /** The campaign's service identifier (the dialer names it on each call) and the AGV ramal. */
  serviceIdentifier: string;
  agvExtension: string;
  agents: Array<{ username: string; name: string; dialerUser: string; dialerPassword: string }>;
  passwords: { admin: string; supervisor: string; agents: string };
  windowSeconds?: number;
};

/**
 * Configures an Omni organization for a DS dialer the way the seed describes: dialer key, server, WebRTC server and
 * certificate; pauses named exactly as the dialer's with its ID Status; a service for the campaign and one for the
 * AGV (identifier = its ramal); tags; an admin, a supervisor and agents with Utilizar discador.
 */
export function provisionOrganization(omni: Integration, p: ProvisionInput) {
  const { config } = omni;
  return config.transaction(() => {
    config.createOrganization({
      id: p.orgId,
      name: p.name,
      dialerKey: p.dialer.key,
      dialerUrl: p.dialer.url,
      webrtcUrl: p.dialer.webrtcUrl,
      admin: { username: 'admin', name: 'Administrador', password: p.passwords.admin },
    });
    config.uploadCertificate(p.orgId, p.dialer.certificatePem);
    for (const pause of p.dialer.pauses.filter((x) => !x.system))
      config.createPause(p.orgId, { name: pause.name, idStatus: pause.idStatus });
    const campaign = config.createService(p.orgId, { name: 'Cobrança', identifier: p.serviceIdentifier });
    const agv = config.createService(p.orgId, { name: 'URA Cobrança (AGV)', identifier: p.agvExtension });
    const tags = [
      { code: 'VENDA', name: 'Venda realizada' },
      { code: 'PROMESSA', name: 'Promessa de pagamento' },
      { code: 'RECUSA', name: 'Cliente recusou' },
      { code: 'SEM_TABULACAO', name: 'Sem tabulação (automática)' },
    ].map((t) => config.createTag(p.orgId, t));
    config.setTabulation(p.orgId, {
      autoTabulation: true,
      windowSeconds: p.windowSeconds ?? 30,
      autoTagCode: 'SEM_TABULACAO',
    });
    const supervisor = config.createUser(p.orgId, {
      username: 'supervisor',
      name: 'Supervisora',
      role: 'supervisor',
      password: p.passwords.supervisor,
    });
    const agents = p.agents.map((a) =>
      config.createUser(p.orgId, {
        username: a.username,
        name: a.name,
        role: 'agent',
        password: p.passwords.agents,
        useDialer: true,
        dialerUser: a.dialerUser,
        dialerPassword: a.dialerPassword,
        slots: 1,
        serviceIds: [campaign.id, agv.id],
      }),
    );
    return { services: { campaign, agv }, tags, supervisor, agents };
  });
}
