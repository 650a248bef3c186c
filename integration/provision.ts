import type { PauseEntry } from '../contract/organizations.ts';
import type { Service, Tag } from './catalogue/schemas.ts';
import type { Integration } from './server.ts';
import type { User } from './users/schemas.ts';

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

export type ProvisionedOrganization = {
  services: { campaign: Service; agv: Service };
  tags: Tag[];
  supervisor: User;
  agents: User[];
};

/**
 * Configures an Omni organization for a DS dialer the way the seed describes: dialer key, server, WebRTC server and
 * certificate; pauses named exactly as the dialer's with its ID Status; a service for the campaign and one for the
 * AGV (identifier = its ramal); tags; an admin, a supervisor and agents with Utilizar discador. The passwords are
 * hashed first (off the event loop); then everything is written in one transaction, all or nothing.
 */
export async function provisionOrganization(omni: Integration, p: ProvisionInput): Promise<ProvisionedOrganization> {
  const { config } = omni;
  const { users } = config;
  const [admin, supervisorPassword, agentPassword] = await Promise.all([
    users.prepare({ username: 'admin', name: 'Administrador', role: 'admin', password: p.passwords.admin }),
    users.hash(p.passwords.supervisor),
    users.hash(p.passwords.agents),
  ]);
  return config.transaction(() => {
    const { organizations, pauses, services, tags } = config;
    organizations.insert(
      { id: p.orgId, name: p.name, dialerKey: p.dialer.key, dialerUrl: p.dialer.url, webrtcUrl: p.dialer.webrtcUrl },
      admin,
    );
    organizations.uploadCertificate(p.orgId, p.dialer.certificatePem);
    for (const pause of p.dialer.pauses.filter((x) => !x.system))
      pauses.create(p.orgId, { name: pause.name, idStatus: pause.idStatus });
    // The dialer's system pauses (LOGIN…) are known from the start, as a drift check would learn them.
    config.systemPauses.learnFromCatalogue(p.orgId, p.dialer.pauses);
    const campaign = services.create(p.orgId, { name: 'Cobrança', identifier: p.serviceIdentifier });
    const agv = services.create(p.orgId, { name: 'URA Cobrança (AGV)', identifier: p.agvExtension });
    const created = [
      { code: 'VENDA', name: 'Venda realizada' },
      { code: 'PROMESSA', name: 'Promessa de pagamento' },
      { code: 'RECUSA', name: 'Cliente recusou' },
      { code: 'SEM_TABULACAO', name: 'Sem tabulação (automática)' },
    ].map((t) => tags.create(p.orgId, t));
    organizations.setTabulation(p.orgId, {
      autoTabulation: true,
      windowSeconds: p.windowSeconds ?? 30,
      autoTagCode: 'SEM_TABULACAO',
    });
    const supervisor = users.insert(
      p.orgId,
      users.prepareWith({ username: 'supervisor', name: 'Supervisora', role: 'supervisor' }, supervisorPassword),
    );
    const agents = p.agents.map((a) =>
      users.insert(
        p.orgId,
        users.prepareWith(
          {
            username: a.username,
            name: a.name,
            role: 'agent',
            useDialer: true,
            dialerUser: a.dialerUser,
            dialerPassword: a.dialerPassword,
            slots: 1,
            serviceIds: [campaign.id, agv.id],
          },
          agentPassword,
        ),
      ),
    );
    return { services: { campaign, agv }, tags: created, supervisor, agents };
  });
}
