// A project's clusters (tier, region, where snapshots are stored) and its M10+ clusters with Cloud Backup.
import { gql } from './api.js';
import { badge, count, empty, h, loading, notice, replace, table, time } from './dom.js';
import { projectHeader } from './project-header.js';
import { href } from './router.js';

export function region(cluster) {
  const { backingProviderName, regionName } = cluster.providerSettings;
  return `${backingProviderName} ${regionName}`;
}

export async function render(page, [projectId]) {
  page.append(loading('Loading the project…'));
  const { project } = await gql('Project', { id: projectId });
  if (!project) {
    replace(page, h('h1', { tabindex: '-1' }, 'Project not found'),
      notice('error', h('p', {}, `No project ${projectId} is visible to you. Check the link, or `, h('a', { href: href() }, 'pick one of your projects'), '.')));
    return;
  }
  document.title = `${project.name} · Flex Backup console`;
  const clusters = project.clusters.nodes;
  const rows = clusters.map((c) => h('tr', {},
    h('td', {}, h('a', { href: href(`projects/${project.id}/clusters/${encodeURIComponent(c.name)}`) }, c.name)),
    h('td', {}, c.tier),
    h('td', {}, c.clusterType === 'SHARDED' ? 'Sharded' : 'Replica set'),
    h('td', {}, region(c)),
    h('td', {}, c.snapshotStorageLocation.name),
    h('td', {}, c.stateName === 'IDLE' ? 'Idle' : badge(c.stateName)),
    h('td', {}, c.backupPolicy ? (c.backupPolicy.nextSnapshotTime ? time(c.backupPolicy.nextSnapshotTime) : 'Backups disabled') : 'Cloud Backup (M10+)'),
  ));
  const cloud = project.cloudBackupClusters.nodes;
  replace(page,
    ...projectHeader(project, ''),
    h('h2', {}, 'Clusters'),
    clusters.length
      ? table(`${count(project.clusters.totalCount, 'cluster')}. Open one for its Backup tab.`,
          ['Cluster', 'Tier', 'Type', 'Region', 'Snapshot storage', 'State', 'Next snapshot'], rows, { id: 'clusters' })
      : empty('This project has no clusters yet.'),
    project.clusters.totalCount > clusters.length ? h('p', { class: 'hint' }, `Showing the first ${clusters.length} of ${project.clusters.totalCount} clusters.`) : null,
    h('h2', {}, 'M10+ clusters with Cloud Backup'),
    h('p', { class: 'hint' }, 'Dedicated clusters (M10 and larger) have Cloud Backup with on-demand snapshots and custom policies; Flex clusters have the fixed daily policy.'),
    cloud.length
      ? table(null, ['Cluster', 'Tier', 'Type', 'Region', 'Snapshot storage'], cloud.map((c) => h('tr', {},
          h('td', {}, h('a', { href: href(`projects/${project.id}/clusters/${encodeURIComponent(c.name)}`) }, c.name)),
          h('td', {}, c.tier),
          h('td', {}, c.clusterType === 'SHARDED' ? 'Sharded' : 'Replica set'),
          h('td', {}, region(c)),
          h('td', {}, c.snapshotStorageLocation.name),
        )), { id: 'cloud-backup-clusters' })
      : empty('No M10+ cluster in this project has Cloud Backup enabled.'),
  );
}
