// The snapshots table of the Backup tab and of "All Daily Snapshots", with its actions.
import { badge, bytesText, h, table, time, TIME_ZONE } from './dom.js';
import { openDownload } from './download.js';
import { openRestore } from './restore.js';

/**
 * snapshots: Snapshot nodes (newest first); project: its header fields;
 * clusterName: the cluster of every row, or null to show each row's own.
 */
export function snapshotTable(snapshots, { project, clusterName = null, caption = null }) {
  const canAct = project.viewerCanManageBackups;
  const headers = [
    clusterName ? null : 'Cluster',
    'Scheduled', 'Status', 'Started', 'Finished', 'Expires', 'Size', 'SHA-256', 'Source node',
    canAct ? 'Actions' : null,
  ].filter(Boolean);
  const rows = snapshots.map((snapshot) => {
    const cluster = clusterName ?? snapshot.cluster.name;
    const scheduled = time(snapshot.scheduledTime, { short: true });
    return h('tr', { 'data-snapshot-id': snapshot.id },
      clusterName ? null : h('td', { class: 'cluster' }, cluster),
      h('td', {}, scheduled),
      h('td', {}, badge(snapshot.status), snapshot.failureReason ? h('div', { class: 'hint' }, snapshot.failureReason) : null),
      h('td', {}, time(snapshot.startTime, { short: true })),
      h('td', {}, time(snapshot.finishTime, { short: true })),
      h('td', {}, time(snapshot.expiration, { short: true })),
      bytesCell(snapshot.sizeBytes),
      h('td', {}, snapshot.sha256
        ? h('code', { class: 'sha256', title: snapshot.sha256, 'data-sha256': snapshot.sha256 }, `${snapshot.sha256.slice(0, 10)}…`)
        : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'host' }, snapshot.sourceNodeHostname ?? h('span', { class: 'muted' }, '—')),
      canAct ? actions(snapshot, cluster, project, scheduled.textContent) : null,
    );
  });
  const zone = `Times are in your time zone (${TIME_ZONE}); hover one for UTC.`;
  return table(caption ? `${caption} ${zone}` : zone, headers, rows, { class: 'snapshots' });
}

function bytesCell(n) {
  if (n === null || n === undefined) return h('td', { class: 'num muted' }, '—');
  const [text, exact] = bytesText(n);
  return h('td', { class: 'num', title: exact }, text);
}

function actions(snapshot, clusterName, project, scheduledText) {
  if (snapshot.status !== 'COMPLETED') return h('td', { class: 'muted' }, 'Not completed');
  const label = `the snapshot of ${clusterName} scheduled ${scheduledText}`;
  return h('td', { class: 'actions' },
    h('button', { type: 'button', class: 'small', 'aria-label': `Download ${label}`, 'data-action': 'download',
      onclick: (event) => openDownload(snapshot, clusterName, event.currentTarget) }, 'Download'),
    h('button', { type: 'button', class: 'small', 'aria-label': `Restore ${label}`, 'data-action': 'restore',
      onclick: (event) => openRestore(snapshot, clusterName, project, event.currentTarget) }, 'Restore…'),
  );
}
