// A cluster's Backup tab: its snapshots, the fixed daily policy, and what Flex does not offer.
import { gql } from './api.js';
import { badge, count, empty, h, loading, notice, replace, time } from './dom.js';
import { region } from './project.js';
import { projectHeader } from './project-header.js';
import { href, pagerLinks, pageVariables } from './router.js';
import { snapshotTable } from './snapshot-table.js';

const PAGE_SIZE = 20;

export async function render(page, [projectId, clusterName], query) {
  page.append(loading(`Loading the backups of ${clusterName}…`));
  const { project, cluster } = await gql('ClusterBackup', {
    projectId, name: clusterName, ...pageVariables(query, PAGE_SIZE),
  });
  if (!project || !cluster) {
    replace(page, h('h1', { tabindex: '-1' }, 'Cluster not found'),
      notice('error', h('p', {}, `No cluster named ${clusterName} is visible to you in this project. `,
        project ? h('a', { href: href(`projects/${project.id}`) }, `See the clusters of ${project.name}`) : h('a', { href: href() }, 'Pick one of your projects'), '.')));
    return;
  }
  document.title = `${cluster.name} backups · Flex Backup console`;
  const snapshots = cluster.snapshots;
  replace(page,
    ...projectHeader(project, null, `${cluster.name}: Backup`),
    h('dl', { class: 'inline', id: 'cluster-facts' },
      fact('Tier', cluster.tier),
      fact('Type', cluster.clusterType === 'SHARDED' ? 'Sharded' : 'Replica set'),
      fact('Region', region(cluster)),
      fact('Snapshot storage', cluster.snapshotStorageLocation.name),
      fact('MongoDB', cluster.mongoDBVersion),
      fact('State', cluster.stateName === 'IDLE' ? 'Idle' : badge(cluster.stateName)),
    ),
    h('div', { class: 'cards' }, policyCard(cluster), notOfferedCard(cluster)),
    h('h2', { id: 'snapshots-heading' }, 'Snapshots'),
    snapshotsSection(cluster, project, snapshots, query),
  );
}

function fact(name, value) {
  return h('div', {}, h('dt', {}, name), h('dd', {}, value));
}

function policyCard(cluster) {
  const policy = cluster.backupPolicy;
  if (!policy) {
    return h('section', { class: 'card', id: 'policy' }, h('h2', {}, 'Backup policy'),
      h('p', {}, `${cluster.name} is an ${cluster.tier} cluster: its backups are Cloud Backup's, with their own policies and on-demand snapshots, not the Flex daily snapshots shown here.`));
  }
  const [hh, mm] = policy.snapshotTimeOfDayUtc.split(':');
  const local = policy.nextSnapshotTime
    ? ` (${new Date(policy.nextSnapshotTime).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })} your time)`
    : '';
  return h('section', { class: 'card', id: 'policy' },
    h('h2', {}, 'Backup policy (fixed for Flex)'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Frequency'), h('dd', {}, `One snapshot every ${policy.frequencyIntervalHours} hours, at ${hh}:${mm} UTC${local}`),
      h('dt', {}, 'Retention'), h('dd', {}, `The last ${policy.retainedSnapshots} completed snapshots are kept`),
      h('dt', {}, 'First snapshot'), h('dd', {}, time(policy.firstSnapshotTime)),
      h('dt', {}, 'Next snapshot'), h('dd', { id: 'next-snapshot' }, policy.nextSnapshotTime ? time(policy.nextSnapshotTime) : 'None: backups are disabled for this cluster'),
    ),
  );
}

function notOfferedCard(cluster) {
  const policy = cluster.backupPolicy;
  if (!policy) return null;
  const features = [['On-demand snapshots', policy.onDemandSnapshots], ['Custom backup policies', policy.customPolicies]];
  return h('section', { class: 'card', id: 'not-offered' },
    h('h2', {}, 'Need more than a daily snapshot?'),
    features.map(([name, support]) => h('p', {}, h('strong', {}, `${name}: `), support.supported ? 'available.' : support.reason)),
  );
}

function snapshotsSection(cluster, project, snapshots, query) {
  if (!cluster.backupSettings.enabled) return empty('Backups are disabled for this cluster: no snapshots are taken.');
  if (!snapshots.nodes.length) {
    if (query.get('after') || query.get('before')) return empty('No more snapshots.');
    if (!cluster.backupPolicy) return empty('No Flex daily snapshots: this cluster is backed up by Cloud Backup.');
    return empty('No snapshots yet. The first is taken 24 hours after the cluster was created, on ',
      time(cluster.backupPolicy.firstSnapshotTime), '.');
  }
  return [
    snapshotTable(snapshots.nodes, {
      project, clusterName: cluster.name,
      caption: `${count(snapshots.totalCount, 'snapshot')}, newest first.`,
    }),
    pagerLinks(`projects/${project.id}/clusters/${encodeURIComponent(cluster.name)}`, query, snapshots.pageInfo, h),
  ];
}
